"""The leaders' hot-spot page (热点研判): the week's rising problems, where, how many, and the cases behind them.

Views parse the office, the week and the chosen hot spot; reads go through jiedao.hotspots.selectors, the refresh
through jiedao.hotspots.services. Readers are the office's leaders, dispatchers and administrators; anyone else
finds no such page (404, as for a missing one).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiedao.core import clock
from jiedao.core.errors import DomainError, NotFoundOrForbidden
from jiedao.hotspots import permissions, selectors, services
from jiedao.hotspots.models import HotSpot
from jiedao.hotspots.weeks import SHANGHAI, Trend, default_week, week_start_of
from jiedao.places.models import Place

# The week picker offers this many weeks back from the current one.
WEEKS_OFFERED = 12
# The list under a hot spot shows this many of its cases (a hot spot of one office's five weeks is rarely larger).
CASES_SHOWN = 100


def _require_reader(user: Any) -> None:
    if not permissions.can_read_hotspots(user):
        raise Http404


def _office(request: HttpRequest, params: QueryDict) -> tuple[Place, list[Place]]:
    """The office asked for (or the user's first) and every office he may read; Http404 when none."""
    offices = list(permissions.readable_offices(request.user))
    if not offices:
        raise Http404
    raw = params.get("office", "")
    if not raw:
        return offices[0], offices
    chosen = next((o for o in offices if str(o.pk) == raw), None)
    if chosen is None:
        raise Http404
    return chosen, offices


def _weeks(today: dt.date) -> list[dt.date]:
    current = week_start_of(today)
    return [current - dt.timedelta(weeks=n) for n in range(WEEKS_OFFERED)]


def _today() -> dt.date:
    return clock.now().astimezone(SHANGHAI).date()


def _week(params: QueryDict, weeks: list[dt.date], fallback: dt.date) -> dt.date:
    """The Monday asked for, one of the weeks offered; `fallback` when none or another is asked."""
    try:
        asked = dt.date.fromisoformat(params.get("week", ""))
    except ValueError:
        return fallback
    return asked if asked in weeks else fallback


def _sparkline(spot: HotSpot, weeks: list[str]) -> dict[str, Any]:
    return {"weeks": weeks, "values": list(spot.weekly)}


def _week_labels(week_start: dt.date) -> list[str]:
    return [f"{week_start - dt.timedelta(weeks=4 - n):%m-%d}" for n in range(5)]


def _detail_context(request: HttpRequest, office: Place, spot: HotSpot | None) -> dict[str, Any]:
    cases: list[Any] = []
    total = 0
    if spot is not None:
        visible = selectors.hotspot_cases(user=request.user, hotspot=spot)
        cases = list(visible[:CASES_SHOWN])
        total = len(cases) if len(cases) < CASES_SHOWN else visible.count()
    return {
        "spot": spot,
        "spot_id": spot.pk if spot is not None else None,
        "layer_id": f"hotspot-layer-{spot.pk if spot is not None else 0}",
        "cases": cases,
        "cases_total": total,
        "cases_hidden": spot.size - total if spot is not None else 0,
        "layer": selectors.grid_layer(office=office, hotspot=spot),
    }


@login_required
@require_GET
def hotspot_index(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    office, offices = _office(request, request.GET)
    today = _today()
    weeks = _weeks(today)
    opened = default_week(today)
    week = _week(request.GET, weeks, opened)
    spots = selectors.week_hotspots(office=office, week_start=week)
    chosen: HotSpot | None = None
    raw = request.GET.get("hotspot", "")
    if raw.isdigit():
        chosen = next((s for s in spots if s.pk == int(raw)), None)
    if chosen is None and spots:
        chosen = spots[0]
    labels = _week_labels(week)
    rising = [s for s in spots if s.trend == Trend.RISING]
    others = [s for s in spots if s.trend != Trend.RISING]
    base = {"office": str(office.pk), "week": week.isoformat()}
    context = {
        "office": office,
        "offices": offices,
        "weeks": weeks,
        "week": week,
        "week_end": week + dt.timedelta(days=6),
        # Opened on last week because this one has just begun: the page says so and links to this week.
        "early_week": week == opened != weeks[0] and not request.GET.get("week"),
        "computed": selectors.computed_week(office=office, week_start=week),
        "rising": [(s, _sparkline(s, labels), urlencode({**base, "hotspot": s.pk})) for s in rising],
        "others": [(s, urlencode({**base, "hotspot": s.pk})) for s in others],
        "may_refresh": permissions.can_refresh_hotspots(request.user, office),
        **_detail_context(request, office, chosen),
    }
    return render(request, "hotspots/index.html", context)


@login_required
@require_GET
def hotspot_detail(request: HttpRequest, hotspot_id: int) -> HttpResponse:
    """One hot spot's map and cases: the fragment the page swaps in with htmx (its links fall back to the page)."""
    _require_reader(request.user)
    try:
        spot = selectors.access_hotspot(request.user, hotspot_id)
    except NotFoundOrForbidden:
        raise Http404 from None
    return render(request, "hotspots/_detail.html", _detail_context(request, spot.office, spot))


@login_required
@require_POST
def hotspot_refresh(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    office, _offices = _office(request, request.POST)
    today = _today()
    week = _week(request.POST, _weeks(today), default_week(today))
    try:
        found = services.hotspots_refresh(office=office, week_start=week, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Hot spots recomputed: %(count)d found.") % {"count": len(found)})
    return HttpResponseRedirect(f"{reverse('hotspots:index')}?{urlencode({'office': office.pk, 'week': week})}")
