"""Who may read and ask for the reports of a place.

Reports are the office's own writing (DOMAIN.md §6): leaders, dispatchers and administrators of the office (or of
its district) list, download, ask for and comment on the reports of the office and of its communities. Anyone
else finds no such page, and a report of another office looks exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiedao.accounts.choices import Role
from jiedao.core.errors import NotFoundOrForbidden
from jiedao.core.scope import q_code_within, scope_of
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.reports.models import Report

READERS = frozenset({Role.DISPATCHER, Role.ADMIN, Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER})
# The office's own comments in its reports are the leaders' to write (and the administrators', on their behalf).
COMMENTERS = frozenset({Role.ADMIN, Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER})
REPORT_LEVELS = (Level.SUBDISTRICT, Level.COMMUNITY)


def _prefixes(user: Any) -> frozenset[str] | None:
    """The place prefixes the user reads reports of; None when he sees everything."""
    scope = scope_of(user)
    if scope.everything:
        return None
    return scope.prefixes_for(*READERS)


def can_read_reports(user: Any) -> bool:
    prefixes = _prefixes(user)
    return prefixes is None or bool(prefixes)


def can_report_on(user: Any, place: Place) -> bool:
    """Whether the user may read and ask for reports of this office or community."""
    prefixes = _prefixes(user)
    return prefixes is None or any(place.prefix.startswith(p) for p in prefixes)


def can_comment(user: Any, report: Report) -> bool:
    """Whether the user may write the office's comments in this report: its leaders and administrators."""
    scope = scope_of(user)
    return scope.everything or any(report.scope_code.startswith(p) for p in scope.prefixes_for(*COMMENTERS))


def reportable_places(user: Any) -> QuerySet[Place]:
    """The offices and communities the user may ask reports for, by code."""
    places = Place.objects.filter(level__in=REPORT_LEVELS).order_by("code")
    prefixes = _prefixes(user)
    return places if prefixes is None else places.filter(q_code_within("prefix", prefixes))


def reports_visible_to(user: Any) -> QuerySet[Report]:
    """The reports of the places the user reads reports of."""
    prefixes = _prefixes(user)
    reports = Report.objects.all()
    if prefixes is None:
        return reports
    return reports.filter(q_code_within("scope_code", prefixes)) if prefixes else reports.filter(Q(pk__in=[]))


def access_report(user: Any, report_id: int) -> Report:
    """The report if the user may read it; NotFoundOrForbidden otherwise (missing and forbidden look the same)."""
    report = reports_visible_to(user).select_related("place", "requested_by").filter(pk=report_id).first()
    if report is None:
        raise NotFoundOrForbidden(_("No such report."))
    return report
