"""Every write of the reports: ask for one, generate it (progress, files, errors), edit the office's comments,
and the scheduled reports of every office with the notice to its leaders."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import traceback
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jiedao.accounts.choices import LEADER_ROLES
from jiedao.accounts.models import User
from jiedao.core import clock
from jiedao.core.errors import ActionForbidden, DomainError
from jiedao.notifications.services import notify
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.reports import permissions
from jiedao.reports.builders import build_report
from jiedao.reports.choices import Format, ReportKind, Status
from jiedao.reports.models import Report
from jiedao.reports.periods import ReportPeriod, period_containing
from jiedao.reports.render_docx import render_docx
from jiedao.reports.render_html import render_html
from jiedao.reports.render_xlsx import render_xlsx

logger = logging.getLogger(__name__)
RENDERERS = {Format.DOCX: render_docx, Format.XLSX: render_xlsx, Format.HTML: render_html}
NOTICE_KIND = "report_ready"


def _formats(formats: Sequence[str]) -> list[str]:
    chosen = [f for f in Format.values if f in set(formats)]
    unknown = sorted(set(formats) - set(Format.values))
    if unknown or not chosen:
        raise DomainError(_("Choose at least one format: Word, Excel or the print page."), code="bad_format")
    return chosen


def _enqueue(report_id: int) -> None:
    from jiedao.reports.tasks import generate_report

    generate_report(report_id)


@transaction.atomic
def report_request(
    *,
    kind: str,
    period: ReportPeriod,
    place: Place,
    formats: Sequence[str] = tuple(Format.values),
    actor: Any = None,
    comments: str = "",
    scheduled: bool = False,
) -> tuple[Report, bool]:
    """Ask for a report of `place` (an office or a community) and enqueue its generation after commit.

    A scheduled report (actor None) is made once per kind, place and period: asking again returns the existing one
    and False. Raises ActionForbidden when the actor may not report on the place, DomainError for a bad kind,
    period, place level or format.
    """
    kind = ReportKind(kind)
    if period.kind != kind:
        raise DomainError(_("The period is not of the report's kind."), code="bad_period")
    if place.level not in permissions.REPORT_LEVELS:
        raise DomainError(_("Reports are written for an office or a community."), code="bad_place")
    if actor is not None and not permissions.can_report_on(actor, place):
        raise ActionForbidden(_("You may not ask for reports of this place."))
    chosen = _formats(formats)
    if scheduled:
        existing = Report.objects.filter(kind=kind, place=place, period_start=period.first, scheduled=True).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            report = Report.objects.create(
                kind=kind,
                period_name=period.name,
                period_start=period.first,
                period_end=period.last,
                place=place,
                scope_code=place.prefix,
                formats=chosen,
                comments=comments,
                requested_by=actor,
                scheduled=scheduled,
                created_at=clock.now(),
            )
    except IntegrityError:
        # Two schedulers raced: the other one's row stands.
        return Report.objects.get(kind=kind, place=place, period_start=period.first, scheduled=True), False
    transaction.on_commit(functools.partial(_enqueue, report.pk))
    return report, True


# A report still being written this long after it began was cut off (the worker stopped or was restarted meanwhile;
# a quarter takes seconds); one still queued this long after it was asked for lost its job (the queue was emptied).
STALLED_AFTER = dt.timedelta(minutes=30)
LOST_AFTER = dt.timedelta(minutes=15)


def reports_recover(now: dt.datetime | None = None) -> tuple[int, int]:
    """Mark failed, with an error that says what to do, the reports cut off while being written, and enqueue again
    those whose job was lost (generating claims a report once, so a job that was only late does nothing more).
    Returns (failed, enqueued again)."""
    now = now or clock.now()
    failed = Report.objects.filter(status=Status.RUNNING, started_at__lt=now - STALLED_AFTER).update(
        status=Status.FAILED,
        error=_("The report was cut off while being written (the background worker stopped). Ask for it again."),
        finished_at=now,
    )
    lost = list(
        Report.objects.filter(status=Status.QUEUED, created_at__lt=now - LOST_AFTER).values_list("pk", flat=True)
    )
    for report_id in lost:
        _enqueue(report_id)
    if failed or lost:
        logger.warning("reports: %d cut off marked failed, %d queued again", failed, len(lost))
    return failed, len(lost)


def _set_progress(report_id: int, value: int) -> None:
    # Outside any transaction of the generation, so the page polling it sees each step.
    Report.objects.filter(pk=report_id, status=Status.RUNNING).update(progress=max(0, min(100, value)))


def _store(report: Report, fmt: str, data: bytes) -> str:
    name = f"reports/{report.pk}/{report.kind}-{report.period_name}-{report.place.code}.{fmt}"
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))


def report_generate(*, report_id: int, base_url: str = "") -> Report:
    """Write the report's files, updating its progress; return it done, or failed with the error. The HTML file's
    links to the cases start with `base_url`, by default the site's address (settings.SITE_URL).

    Claimed by a conditional UPDATE (queued → running), so two workers never write the same report; a report that
    is not queued is returned unchanged. The leaders of the office are told when a scheduled report is done.
    """
    now = clock.now()
    claimed = Report.objects.filter(pk=report_id, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=1, started_at=now, error=""
    )
    report = Report.objects.select_related("place").get(pk=report_id)
    if not claimed:
        return report
    try:
        period = period_containing(report.kind, report.period_start)
        content = build_report(
            kind=report.kind,
            place=report.place,
            period=period,
            comments=report.comments,
            progress=functools.partial(_set_progress, report.pk),
        )
        files: dict[str, str] = {}
        formats = report.format_list()
        site = base_url or settings.SITE_URL
        for index, fmt in enumerate(formats):
            renderer = RENDERERS[Format(fmt)]
            data = render_html(content, base_url=site) if fmt == Format.HTML else renderer(content)
            files[fmt] = _store(report, fmt, data)
            _set_progress(report.pk, 70 + 30 * (index + 1) // len(formats) - 1)
    except Exception as error:
        logger.exception("report %s failed", report.pk)
        detail = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        Report.objects.filter(pk=report.pk).update(
            status=Status.FAILED, error=detail + "\n\n" + traceback.format_exc(limit=3), finished_at=clock.now()
        )
        report.refresh_from_db()
        return report
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(
            status=Status.DONE, progress=100, files=files, finished_at=clock.now()
        )
        report.refresh_from_db()
        if report.scheduled:
            _tell_leaders(report)
    return report


def office_leaders(office: Place) -> list[User]:
    """The deputy and principal leaders bound to the office or to the district above it."""
    prefixes = [office.prefix[:n] for n in (6, 9) if n <= len(office.prefix)]
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=sorted(LEADER_ROLES),
            role_assignments__place__prefix__in=prefixes,
        )
        .distinct()
        .order_by("pk")
    )


def _tell_leaders(report: Report) -> None:
    office = report.place if report.place.level == Level.SUBDISTRICT else report.place.parent
    if office is None:
        return
    title = f"{report.place.name}{period_containing(report.kind, report.period_start).title}{report.get_kind_display()}"
    notify(
        recipients=office_leaders(office),
        kind=NOTICE_KIND,
        title=title,
        body=f"{title}已生成，请查阅。",
        url=reverse("reports:detail", args=[report.pk]),
    )


@transaction.atomic
def report_comments_update(*, report_id: int, actor: Any, comments: str) -> Report:
    """Save the office's comments on a report and generate its files again with them (after commit).

    Locks the report. Raises NotFoundOrForbidden for a report the actor may not read, ActionForbidden for a reader
    who is not one of its leaders or administrators, DomainError while it is being generated.
    """
    report = permissions.access_report(actor, report_id)
    if not permissions.can_comment(actor, report):
        raise ActionForbidden(_("Only the office's leaders may write its comments."))
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.comments == comments and report.status == Status.DONE:
        return report
    if report.status in (Status.QUEUED, Status.RUNNING):
        raise DomainError(_("The report is being written; edit the comments when it is done."), code="busy")
    report.comments = comments
    report.status = Status.QUEUED
    report.progress = 0
    report.error = ""
    report.finished_at = None
    report.save(update_fields=["comments", "status", "progress", "error", "finished_at"])
    transaction.on_commit(functools.partial(_enqueue, report.pk))
    return report


def scheduled_reports(*, kind: str, period: ReportPeriod) -> list[Report]:
    """Ask for the office report of `period` for every office; those already made are not made again."""
    made = []
    for office in Place.objects.filter(level=Level.SUBDISTRICT).order_by("code"):
        report, created = report_request(kind=kind, period=period, place=office, scheduled=True)
        if created:
            made.append(report)
    return made
