"""The public feed: which cases Open311 shows, filtered as GET requests asks, shaped as the spec's <request>.

Public means: not confidential (the reporter asked for secrecy) and not a report of wrongdoing (举报: the
whistle-blower's words stay inside). No reporter name, phone or e-mail is ever part of a row; the description and
the result are masked (jiedao.open311.redaction), the address keeps its street and hides the door, and the point is
rounded to three decimals (about 100 m). A merged case reports the status of the case it was merged into.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiedao.cases.choices import RequestType, Resolution, State
from jiedao.cases.models import Case
from jiedao.core.masking import mask_address
from jiedao.open311 import status
from jiedao.open311.params import Page, Window
from jiedao.open311.redaction import redact_text
from jiedao.places.choices import Level
from jiedao.places.models import Place

COORDINATE_STEP: Final = Decimal("0.001")
RESULT_MAX: Final = 500
PUBLIC_COLUMNS: Final = (
    "number",
    "state",
    "resolution",
    "content",
    "result_text",
    "received_at",
    "updated_at",
    "finish_deadline",
    "address",
    "lat",
    "lng",
    "category__code",
    "category__name",
    "main_unit__name",
    "merged_into__number",
    "merged_into__state",
    "merged_into__updated_at",
    "merged_into__finish_deadline",
    "merged_into__main_unit__name",
    "open311_request__media_url",
)


def public_cases(office: Place | None) -> QuerySet[Case]:
    """The cases anyone may read through Open311, of one office or of all."""
    cases = Case.objects.filter(confidential=False).exclude(request_type=RequestType.REPORT)
    if office is not None:
        cases = cases.filter(office=office)
    # Only the columns a row shows are loaded: the reporter's are out of reach, and a thousand rows cost no
    # decryption and a few conversions each (loading whole rows made the feed ten times slower).
    return cases.select_related(
        "category", "main_unit", "merged_into", "merged_into__main_unit", "open311_request"
    ).only(*PUBLIC_COLUMNS)


def _numbered(cases: QuerySet[Case], office: Place | None, numbers: list[str]) -> QuerySet[Case]:
    """Cases with these numbers. Numbers are unique per office, and the (office, number) index serves the lookup
    only when the office is named: without one, every office is named."""
    offices = (
        [office.pk]
        if office is not None
        else list(Place.objects.filter(level=Level.SUBDISTRICT).values_list("pk", flat=True))
    )
    return cases.filter(office_id__in=offices, number__in=numbers)


def _with_status(statuses: list[str]) -> Q:
    """Cases whose Open311 status is one of `statuses`: by their own state, or their main case's when merged."""
    states = sorted({state for wanted in statuses for state in status.states_with(wanted)})
    return Q(merged_into__isnull=True, state__in=states) | Q(merged_into__isnull=False, merged_into__state__in=states)


def _within_services(codes: list[str]) -> Q:
    """Cases filed under any of these categories or below them (a code is a prefix of its subtree's codes)."""
    return functools.reduce(operator.or_, (Q(category__code__startswith=code) for code in codes))


def find_requests(
    *,
    office: Place | None,
    ids: list[str],
    codes: list[str],
    statuses: list[str],
    window: Window,
    page: Page,
) -> list[Case]:
    """GET requests: the listed numbers (every other filter then ignored, as the spec says), else the cases
    received in the window, filtered by service and status, newest first, one page."""
    cases = public_cases(office)
    if ids:
        return list(_numbered(cases, office, ids).order_by("-received_at", "-id"))
    cases = cases.filter(received_at__gte=window.start, received_at__lte=window.end)
    if codes:
        cases = cases.filter(_within_services(codes))
    if statuses and set(statuses) != set(status.STATUSES):
        cases = cases.filter(_with_status(statuses))
    return list(cases.order_by("-received_at", "-id")[page.offset : page.offset + page.size])


def find_request(*, office: Place | None, number: str) -> list[Case]:
    """GET requests/{id}: the public cases with this number (one per office; pass the office to get one)."""
    return list(_numbered(public_cases(office), office, [number]).order_by("office__code"))


def _moment(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the office's offset: 2026-11-23T10:00:00+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value is not None else None


def _coordinate(value: Decimal | None) -> float | None:
    return float(value.quantize(COORDINATE_STEP, rounding=ROUND_HALF_EVEN)) if value is not None else None


class Labels:
    """The state and resolution labels, translated once for a whole feed (not twice per row)."""

    def __init__(self) -> None:
        self.state = {value: str(label) for value, label in State.choices}
        self.resolution = {value: str(label) for value, label in Resolution.choices}


def _notes(case: Case, main: Case, labels: Labels) -> str:
    if main is not case:
        return _("Merged into %(number)s (%(state)s); this request follows that case.") % {
            "number": main.number,
            "state": labels.state[main.state],
        }
    notes = labels.state[case.state]
    if case.resolution:
        notes = f"{notes} · {labels.resolution[case.resolution]}"
    if case.state in (State.CLOSED, State.ARCHIVED) and case.result_text and case.resolution != Resolution.VOIDED:
        notes = f"{notes} · {redact_text(case.result_text)[:RESULT_MAX]}"
    return notes


def request_rows(cases: list[Case]) -> list[dict[str, Any]]:
    """The <request> elements of GET requests for these cases."""
    labels = Labels()
    return [request_row(case, labels) for case in cases]


def request_row(case: Case, labels: Labels) -> dict[str, Any]:
    """One <request> of GET requests, in the spec's order of fields; only public fields."""
    main = case.merged_into if case.merged_into_id is not None and case.merged_into is not None else case
    link = getattr(case, "open311_request", None)
    return {
        "service_request_id": case.number,
        "status": status.status_of(main.state),
        "status_notes": _notes(case, main, labels),
        "service_name": case.category.name if case.category is not None else None,
        "service_code": case.category.code if case.category is not None else None,
        "description": redact_text(case.content),
        "agency_responsible": main.main_unit.name if main.main_unit is not None else None,
        "service_notice": None,
        "requested_datetime": _moment(case.received_at),
        "updated_datetime": _moment(max(case.updated_at, main.updated_at)),
        "expected_datetime": _moment(main.finish_deadline),
        "address": mask_address(case.address) or None,
        "address_id": None,
        "zipcode": None,
        "lat": _coordinate(case.lat),
        "long": _coordinate(case.lng),
        "media_url": (link.media_url or None) if link is not None else None,
    }
