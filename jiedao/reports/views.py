"""The reports pages: the list with the request form, one report with its progress (htmx polling), the office's
comments, and the downloads. Readers are the office's leaders, dispatchers and administrators; for anyone else, and
for another office's report, there is no such page (404, as for a missing one).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiedao.core import clock
from jiedao.core.errors import DomainError, NotFoundOrForbidden
from jiedao.reports import permissions, services
from jiedao.reports.choices import CONTENT_TYPES, Format, ReportKind, Status
from jiedao.reports.forms import CommentsForm, ReportRequestForm
from jiedao.reports.models import Report
from jiedao.reports.periods import SHANGHAI, last_complete

PAGE_SIZE = 30


def _require_reader(user: Any) -> None:
    if not permissions.can_read_reports(user):
        raise Http404


def _report(request: HttpRequest, report_id: int) -> Report:
    _require_reader(request.user)
    try:
        return permissions.access_report(request.user, report_id)
    except NotFoundOrForbidden:
        raise Http404 from None


def _request_form(request: HttpRequest, data: Any = None) -> ReportRequestForm:
    today = clock.now().astimezone(SHANGHAI).date()
    initial = {"kind": ReportKind.WEEKLY, "period": last_complete(ReportKind.WEEKLY, today).name}
    return ReportRequestForm(data, places=permissions.reportable_places(request.user), initial=initial)


def _index(request: HttpRequest, form: ReportRequestForm, status: int = 200) -> HttpResponse:
    reports = permissions.reports_visible_to(request.user).select_related("place", "requested_by")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/index.html", {"form": form, "page": page, "nav_current": "reports"}, status=status)


@login_required
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    return _index(request, _request_form(request))


@login_required
@require_POST
def report_new(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    form = _request_form(request, request.POST)
    if not form.is_valid():
        return _index(request, form, status=400)
    data = form.cleaned_data
    try:
        report, _created = services.report_request(
            kind=data["kind"],
            period=data["report_period"],
            place=data["place"],
            formats=data["formats"],
            actor=request.user,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _index(request, form, status=400)
    return HttpResponseRedirect(reverse("reports:detail", args=[report.pk]))


def _detail_context(report: Report) -> dict[str, Any]:
    return {
        "report": report,
        "downloads": [(fmt, Format(fmt).label) for fmt in report.format_list() if fmt in report.files],
        "polling": not report.finished,
    }


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    context = {
        **_detail_context(report),
        "may_comment": permissions.can_comment(request.user, report),
        "comments_form": CommentsForm(initial={"comments": report.comments}),
        "nav_current": "reports",
    }
    return render(request, "reports/detail.html", context)


@login_required
@require_GET
def report_progress(request: HttpRequest, report_id: int) -> HttpResponse:
    """The status fragment the detail page polls with htmx until the report is done or failed."""
    return render(request, "reports/_status.html", _detail_context(_report(request, report_id)))


@login_required
@require_POST
def report_comments(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    form = CommentsForm(request.POST)
    if not form.is_valid():
        context = {**_detail_context(report), "may_comment": True, "comments_form": form, "nav_current": "reports"}
        return render(request, "reports/detail.html", context, status=400)
    try:
        services.report_comments_update(report_id=report.pk, actor=request.user, comments=form.cleaned_data["comments"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Comments saved; the documents are being written again."))
    return HttpResponseRedirect(reverse("reports:detail", args=[report.pk]))


@login_required
@require_GET
def report_download(request: HttpRequest, report_id: int, fmt: str) -> FileResponse:
    report = _report(request, report_id)
    name = report.files.get(fmt) if report.status == Status.DONE else None
    if fmt not in Format.values or not name or not default_storage.exists(name):
        raise Http404
    filename = f"{report.place.name}-{report.get_kind_display()}-{report.period_name}.{fmt}"
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=fmt != Format.HTML,
        filename=filename,
        content_type=CONTENT_TYPES[Format(fmt)],
    )
