"""What each kind of notification says, in the deployment's language.

Texts name the case by number and title, units, levels and times: never the reporter, nor free text typed by
people (notes, reasons, supervision content), which may hold personal data and stays on the case page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiedao.cases.models import Case
from jiedao.notifications.choices import Kind, ResidentKind


def when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def case_label(case: Case) -> str:
    return f"{case.number} {case.title}"


def case_url(case: Case) -> str:
    """The case page, when the case screens are installed."""
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return ""


TITLES: dict[str, str] = {
    Kind.DISPATCHED: gettext_noop("New case for your unit: %(case)s"),
    Kind.RETURNED: gettext_noop("Case returned: %(case)s"),
    Kind.EXTENSION_REQUESTED: gettext_noop("Extension requested: %(case)s"),
    Kind.SUPERVISED: gettext_noop("Supervision notice: %(case)s"),
    Kind.ESCALATED: gettext_noop("Case escalated: %(case)s"),
    Kind.YELLOW: gettext_noop("Due soon: %(case)s"),
    Kind.RED: gettext_noop("Overdue: %(case)s"),
    Kind.UNSIGNED: gettext_noop("Not signed for: %(case)s"),
    Kind.SILENT: gettext_noop("No progress: %(case)s"),
    Kind.DISSATISFIED: gettext_noop("Dissatisfied again: %(case)s"),
}


def title(kind: str, case: Case) -> str:
    # Marked with gettext_noop for makemessages; translated here, in the language active at sending time.
    return _(TITLES[kind]) % {"case": case_label(case)}


def body(kind: str, **facts: Any) -> str:
    """The detail line of a notification; `facts` holds the values its text names."""
    if kind == Kind.DISPATCHED:
        return _("Dispatched to %(unit)s; sign for it by %(deadline)s.") % facts
    if kind == Kind.RETURNED:
        return _("%(unit)s returned the case (%(reason)s); review the return.") % facts
    if kind == Kind.EXTENSION_REQUESTED:
        return _("%(amount)s %(time_unit)s more requested; decide on the request.") % facts
    if kind == Kind.SUPERVISED:
        return _("Reply to the supervision notice by %(deadline)s.") % facts
    if kind == Kind.ESCALATED:
        return _("The case has been escalated to: %(level)s.") % facts
    if kind == Kind.YELLOW:
        return _("Most of the time limit is used; the finishing deadline is %(deadline)s.") % facts
    if kind == Kind.RED:
        return _("The finishing deadline %(deadline)s has passed.") % facts
    if kind == Kind.UNSIGNED:
        return _("Dispatched to %(unit)s at %(at)s and not signed for in %(hours)s hours.") % facts
    if kind == Kind.SILENT:
        return _("Nothing has happened on the case since %(at)s (%(days)s days).") % facts
    if kind == Kind.DISSATISFIED:
        return _("The resident has been dissatisfied with the result %(count)s times.") % facts
    return ""


def minimal(kind: str, case: Case | None, fallback: str) -> tuple[str, str]:
    """Title and body for a channel that may carry no personal data: the kind, the case number and title."""
    label = str(Kind(kind).label) if kind in Kind.values else fallback
    return label, case_label(case) if case is not None else ""


def resident(kind: str, case: Case) -> str:
    """A short message to the reporter's phone: the case number and the facts of `kind` only; no name, no address,
    no free text (PIPL: it crosses the operator's network and stays on a phone)."""
    if kind != ResidentKind.EXTENSION_APPROVED:
        raise ValueError(f"no resident message for {kind!r}")
    deadline = timezone.localtime(case.finish_deadline).strftime("%Y-%m-%d") if case.finish_deadline else "—"
    return _("Case %(number)s: the time limit for handling it has been extended; the new deadline is %(date)s.") % {
        "number": case.number,
        "date": deadline,
    }
