"""The reads behind the other screens: who I am, categories, units, places, notifications and the KPI summary."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from jiedao.analytics.dashboard import dashboard_summary
from jiedao.analytics.selectors import KpiFilter
from jiedao.analytics.views import READERS, SHANGHAI, KpiFilterForm, PeriodKind, period_of
from jiedao.api.errors import ApiError
from jiedao.api.routes_cases import ERRORS, actor
from jiedao.api.schemas import (
    CategoryNode,
    Id,
    KpiOut,
    MeOut,
    NotificationOut,
    NotificationPage,
    PlaceOut,
    UnitOut,
)
from jiedao.cases import selectors as case_selectors
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.models import Case
from jiedao.categories.selectors import category_tree
from jiedao.core import clock
from jiedao.core.scope import scope_of
from jiedao.notifications import selectors as notification_selectors
from jiedao.notifications import services as notification_services
from jiedao.notifications.models import Notification
from jiedao.places.models import Place
from jiedao.units.models import Unit

router = Router()

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


@router.get("/me", response={200: MeOut, **ERRORS}, tags=["me"], summary="The user the request acts as")
def me(request: HttpRequest) -> dict[str, Any]:
    user = actor(request)
    token = getattr(user, "api_token", None)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": str(user),
        "roles": sorted(scope_of(user).roles),
        "queues": [{"key": q.key, "label": str(q.label)} for q in case_selectors.queues_for(user)],
        "token": f"jd_{token.prefix}" if token is not None else None,
    }


@router.get("/categories", response={200: list[CategoryNode], **ERRORS}, tags=["reference"], summary="Category tree")
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    """The usable 3-level category tree (the registration form's picker)."""
    return category_tree()


@router.get("/units", response={200: list[UnitOut], **ERRORS}, tags=["reference"], summary="Handling units")
def units(request: HttpRequest, active: bool | None = None) -> list[dict[str, Any]]:
    """The units of the user's offices (those a dispatcher may choose) and the units he works for."""
    rows = Unit.objects.visible_to(actor(request)).select_related("office").order_by("office__code", "name", "id")
    if active is not None:
        rows = rows.filter(is_active=active)
    return [
        {
            "id": u.pk,
            "name": u.name,
            "short_name": u.short_name,
            "kind": u.kind,
            "sector": u.sector,
            "office": {"id": u.office.pk, "code": u.office.code, "name": u.office.name, "level": u.office.level},
            "is_active": u.is_active,
        }
        for u in rows
    ]


class PlaceFilters(Schema):
    level: Literal["district", "subdistrict", "community", "grid"] | None = None
    parent_id: Id | None = None


@router.get("/places", response={200: list[PlaceOut], **ERRORS}, tags=["reference"], summary="Places you may see")
def places(request: HttpRequest, filters: Query[PlaceFilters]) -> list[dict[str, Any]]:
    """The places inside the user's area (and the ones above it, for context), by code."""
    rows = Place.objects.visible_to(actor(request)).order_by("code")
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.parent_id:
        rows = rows.filter(parent_id=filters.parent_id)
    return [
        {"id": p.pk, "code": p.code, "name": p.name, "level": p.level, "kind": p.kind, "parent_id": p.parent_id}
        for p in rows
    ]


class NotificationFilters(Schema):
    unread: bool | None = Field(None, description="Only unread ones (true) or only read ones (false).")
    page: int = Field(1, ge=1, le=1000)
    page_size: int = Field(20, ge=1, le=100)


def _notification(n: Notification, visible: set[int]) -> dict[str, Any]:
    case = n.case if n.case_id in visible else None
    return {
        "id": n.pk,
        "created_at": n.created_at,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "case": None if case is None else {"id": case.pk, "number": case.number, "title": case.title},
        "read_at": n.read_at,
    }


def _visible_cases(user: Any, ids: list[int | None]) -> set[int]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return set()
    return set(Case.objects.visible_to(user, narrow=True).filter(pk__in=wanted).values_list("pk", flat=True))


@router.get(
    "/notifications", response={200: NotificationPage, **ERRORS}, tags=["me"], summary="The user's notifications"
)
def notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> dict[str, Any]:
    """Newest first. A notification links its case only while the user may still see it."""
    user = actor(request)
    rows = notification_selectors.notifications_for(user)
    if filters.unread is not None:
        rows = rows.filter(read_at__isnull=filters.unread)
    offset = (filters.page - 1) * filters.page_size
    page = list(rows[offset : offset + filters.page_size])
    visible = _visible_cases(user, [n.case_id for n in page])
    return {
        "items": [_notification(n, visible) for n in page],
        "page": filters.page,
        "page_size": filters.page_size,
        "count": rows.count(),
        "unread": notification_selectors.unread_count(user),
    }


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    tags=["me"],
    summary="Mark a notification read",
)
def notification_read(request: HttpRequest, notification_id: Id) -> dict[str, Any]:
    user = actor(request)
    n = notification_services.notification_mark_read(user=user, notification_id=notification_id)
    return _notification(n, _visible_cases(user, [n.case_id]))


class Marked(Schema):
    marked: int


@router.post("/notifications/read-all", response={200: Marked, **ERRORS}, tags=["me"], summary="Mark all read")
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": notification_services.notification_mark_all_read(user=actor(request))}


class KpiQuery(Schema):
    period: PeriodKind = Field(PeriodKind.MONTH, description="The current week, month, quarter or year, or custom.")
    start: dt.date | None = Field(None, ge=EARLIEST, le=LATEST, description="First day of a custom period.")
    end: dt.date | None = Field(None, ge=EARLIEST, le=LATEST, description="Last day of a custom period.")
    place_id: Id | None = Field(None, description="A community of yours.")
    unit_id: Id | None = Field(None, description="A main unit.")
    channel: Channel | None = None
    type: RequestType | None = None
    category: str | None = Field(None, pattern=r"^[0-9]{2,12}$", description="A category subtree by its code.")


FORM_FIELDS = {"place": "place_id", "unit": "unit_id", "__all__": None}


@router.get("/kpis", response={200: KpiOut, **ERRORS}, tags=["analytics"], summary="KPI summary (三率 and the rest)")
def kpis(request: HttpRequest, query: Query[KpiQuery]) -> dict[str, Any]:
    """Every KPI of the period over the cases the user sees, each with numerator, denominator and definition: the
    KPI page's numbers, for leaders, dispatchers and administrators."""
    user = actor(request)
    scope = scope_of(user)
    if not (scope.everything or scope.roles & READERS):
        raise ApiError(403, "forbidden", _("Only leaders, dispatchers and administrators read the KPIs."))
    data = QueryDict(mutable=True)
    for name, value in (
        ("period", query.period),
        ("start", query.start.isoformat() if query.start else ""),
        ("end", query.end.isoformat() if query.end else ""),
        ("place", query.place_id or ""),
        ("unit", query.unit_id or ""),
        ("channel", query.channel or ""),
        ("type", query.type or ""),
        ("category", query.category or ""),
    ):
        data[name] = str(value)
    # The KPI page's own form: the same period rules and the same choice of communities and units.
    form = KpiFilterForm(
        data,
        places=Place.objects.within(user).filter(level="community"),
        units=Unit.objects.visible_to(user),
        today=clock.now().astimezone(SHANGHAI).date(),
    )
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(422, "invalid", "；".join(str(e) for e in errors), field=FORM_FIELDS.get(field, field))
    cleaned = form.cleaned_data
    place, unit = cleaned.get("place"), cleaned.get("unit")
    filters = KpiFilter(
        place_prefix=place.prefix if place is not None else "",
        unit_id=unit.pk if unit is not None else None,
        category_code=cleaned.get("category") or "",
        channel=cleaned.get("channel") or "",
        request_type=cleaned.get("type") or "",
    )
    # As the KPI page: from the daily rollups where they can answer (the live selectors' figures, tested equal).
    result = dashboard_summary(user=user, period=period_of(cleaned["first"], cleaned["last"]), filters=filters)
    return {
        "first_day": cleaned["first"],
        "last_day": cleaned["last"],
        "as_of": result.as_of,
        "filters": {
            "place_id": place.pk if place is not None else None,
            "unit_id": filters.unit_id,
            "category": filters.category_code or None,
            "channel": filters.channel or None,
            "type": filters.request_type or None,
        },
        "figures": [
            {
                "kpi": f.kpi,
                "label": f.label,
                "kind": str(f.kind),
                "numerator": f.numerator,
                "denominator": f.denominator,
                "value": f.value,
                "display": f.display,
                "definition": f.definition,
                "parts": {str(k): int(v) for k, v in f.parts.items()},
            }
            for f in result
        ],
    }
