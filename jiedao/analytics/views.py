"""The KPI page (三率 and the rest) for leaders and the office, and the list of cases behind each of its numbers.

Views parse the filters and translate them into a Period and a KpiFilter; every number is counted by
jiedao.analytics.selectors, so the page, the drill-down list and its Excel export cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jiedao.accounts.choices import Role
from jiedao.analytics import rollups
from jiedao.analytics.dashboard import Measure, dashboard_cases, dashboard_ranking, dashboard_summary
from jiedao.analytics.kpis import DEFINITIONS, PERCENT, Figure, Kpi, Part
from jiedao.analytics.selectors import (
    NO_GROUP_LABELS,
    GroupBy,
    Key,
    KpiFilter,
    KpiRow,
    Period,
    cases_behind,
)
from jiedao.cases import selectors as case_selectors
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.exports import cases_workbook
from jiedao.categories.models import Category
from jiedao.core import clock
from jiedao.core.scope import scope_of
from jiedao.places.models import Place
from jiedao.units.models import Unit

# The office's calendar: a week, month or year begins at midnight in Shanghai, whatever the server's zone.
SHANGHAI = ZoneInfo("Asia/Shanghai")
READERS = frozenset({Role.DISPATCHER, Role.ADMIN, Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER})
# The dashboard and the lists behind its numbers are also for community staff and unit handlers (their own cases).
LIST_READERS = READERS | {Role.COMMUNITY_STAFF, Role.UNIT_HANDLER}
RANKED_BY = (GroupBy.COMMUNITY, GroupBy.UNIT)
# The groups a list may be narrowed to (a ranking row of the KPI page or of the dashboard, a heat-map cell).
LISTED_BY = (GroupBy.COMMUNITY, GroupBy.UNIT, GroupBy.GRID)
PAGE_SIZE = 30
EXPORT_LIMIT = 20_000
# A custom period longer than this is refused: the counts stay meaningful and the queries bounded.
MAX_DAYS = 3 * 366
NO_KEY = "none"


class PeriodKind(models.TextChoices):
    WEEK = "week", gettext_lazy("This week")
    MONTH = "month", gettext_lazy("This month")
    QUARTER = "quarter", gettext_lazy("This quarter")
    YEAR = "year", gettext_lazy("This year")
    CUSTOM = "custom", gettext_lazy("Custom dates")


def _first_of_month(year: int, month: int) -> dt.date:
    """The first day of `month` of `year`, for any month number (13 is January of the next year)."""
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def calendar_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the week (Monday to Sunday), month, quarter or year that holds `today`."""
    if kind == PeriodKind.WEEK:
        monday = today - dt.timedelta(days=today.weekday())
        return monday, monday + dt.timedelta(days=6)
    if kind == PeriodKind.YEAR:
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    months = 3 if kind == PeriodKind.QUARTER else 1
    first_month = (today.month - 1) // months * months + 1
    first = dt.date(today.year, first_month, 1)
    return first, _first_of_month(today.year, first_month + months) - dt.timedelta(days=1)


def period_of(first: dt.date, last: dt.date) -> Period:
    """The calendar days first..last (both included) as [first 00:00, the day after last 00:00) in Shanghai."""
    return Period(
        dt.datetime.combine(first, dt.time.min, tzinfo=SHANGHAI),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI),
    )


class KpiFilterForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PeriodKind.choices, required=False)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.ModelChoiceField(
        label=gettext_lazy("Community"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=gettext_lazy("All communities"),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=[("", gettext_lazy("All channels")), *Channel.choices], required=False
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Request type"),
        choices=[("", gettext_lazy("All types")), *RequestType.choices],
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Main unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All units"),
    )
    # A category subtree by its code (a bar of the dashboard's top categories).
    category = forms.RegexField(regex=r"^[0-9]{2,12}$", required=False, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict, *, places: Any, today: dt.date, units: Any = None) -> None:
        data = data.copy()
        if not data.get("period"):
            data["period"] = PeriodKind.MONTH
        super().__init__(data)
        self.today = today
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        for name in ("place", "channel", "type", "unit"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("period") or PeriodKind.MONTH
        if kind == PeriodKind.CUSTOM:
            first, last = data.get("start"), data.get("end")
            if first is None or last is None:
                raise forms.ValidationError(_("Give the first and the last day of the custom period."))
            if first > last:
                raise forms.ValidationError(_("The last day must not come before the first."))
            if (last - first).days >= MAX_DAYS:
                raise forms.ValidationError(_("A custom period may cover at most %(days)d days.") % {"days": MAX_DAYS})
        else:
            first, last = calendar_period(kind, self.today)
        data.update({"period": kind, "first": first, "last": last})
        return data


@dataclass(frozen=True)
class Selection:
    """What the filter form chose, ready for the selectors and for the links that repeat it."""

    period: Period
    first: dt.date
    last: dt.date
    filters: KpiFilter
    params: dict[str, str]
    described: str


def _selection(form: KpiFilterForm) -> Selection:
    data = form.cleaned_data
    place: Place | None = data.get("place")
    params = {"period": str(data["period"])}
    if data["period"] == PeriodKind.CUSTOM:
        params.update({"start": data["first"].isoformat(), "end": data["last"].isoformat()})
    if place is not None:
        params["place"] = str(place.pk)
    if data.get("channel"):
        params["channel"] = data["channel"]
    if data.get("type"):
        params["type"] = data["type"]
    unit: Unit | None = data.get("unit")
    if unit is not None:
        params["unit"] = str(unit.pk)
    if data.get("category"):
        params["category"] = data["category"]
    parts = [f"{_('Period')}: {data['first']:%Y-%m-%d} – {data['last']:%Y-%m-%d}"]
    if place is not None:
        parts.append(f"{_('Community')}: {place.name}")
    if data.get("channel"):
        parts.append(f"{_('Channel')}: {Channel(data['channel']).label}")
    if data.get("type"):
        parts.append(f"{_('Request type')}: {RequestType(data['type']).label}")
    if unit is not None:
        parts.append(f"{_('Main unit')}: {unit.name}")
    if data.get("category"):
        name = Category.objects.filter(code=data["category"]).values_list("name", flat=True).first()
        parts.append(f"{_('Category')}: {name or data['category']}")
    return Selection(
        period=period_of(data["first"], data["last"]),
        first=data["first"],
        last=data["last"],
        filters=KpiFilter(
            place_prefix=place.prefix if place is not None else "",
            channel=data.get("channel") or "",
            request_type=data.get("type") or "",
            unit_id=unit.pk if unit is not None else None,
            category_code=data.get("category") or "",
        ),
        params=params,
        described="；".join(parts),
    )


def _require_reader(user: Any, roles: frozenset[str] = READERS) -> None:
    """Leaders, dispatchers and administrators read the KPIs (`roles`); anyone else finds no such page."""
    scope = scope_of(user)
    if not (scope.everything or scope.roles & roles):
        raise Http404


def _form(request: HttpRequest) -> KpiFilterForm:
    places = Place.objects.within(request.user).filter(level="community").order_by("code")
    units = Unit.objects.visible_to(request.user).order_by("name")
    return KpiFilterForm(request.GET, places=places, units=units, today=clock.now().astimezone(SHANGHAI).date())


def _number(value: int | Decimal | None) -> str:
    """A count as it is; a weighted sum or a number of hours without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _cases_url(params: Mapping[str, str], **more: str) -> str:
    return f"{reverse('analytics:cases')}?{urlencode({**params, **more})}"


@dataclass(frozen=True)
class Link:
    part: str
    label: str
    count: str
    url: str


@dataclass(frozen=True)
class Card:
    figure: Figure
    numerator: Link
    denominator: Link | None
    extra: list[Link]


def _card(figure: Figure, params: Mapping[str, str]) -> Card:
    parts = DEFINITIONS[figure.kpi].parts

    def link(part: str, count: int | Decimal | None) -> Link:
        return Link(part, str(Part(part).label), _number(count), _cases_url(params, kpi=figure.kpi, part=part))

    extra = [link(part, figure.parts.get(part, 0)) for part in parts if part not in (Part.NUMERATOR, Part.DENOMINATOR)]
    denominator = link(Part.DENOMINATOR, figure.denominator) if Part.DENOMINATOR in parts else None
    return Card(figure, link(Part.NUMERATOR, figure.numerator), denominator, extra)


def _ranking(rows: list[KpiRow], params: Mapping[str, str]) -> list[dict[str, Any]]:
    table = []
    for row in rows:
        key = NO_KEY if row.key is None else str(row.key)
        cells = []
        for figure in row.kpis:
            fraction = _number(figure.numerator)
            if figure.denominator is not None:
                fraction += f" / {_number(figure.denominator)}"
            url = _cases_url(params, kpi=figure.kpi, part=Part.NUMERATOR, by=row.by, key=key)
            cells.append({"kpi": figure.kpi, "display": figure.display, "fraction": fraction, "url": url})
        table.append({"rank": row.rank, "label": row.label, "key": key, "cells": cells})
    return table


def _chart(rows: list[KpiRow]) -> dict[str, Any]:
    """The composite score of each community, in percent with 1 decimal, in ranking order."""
    scored = [(row.label, row.kpis[Kpi.COMPOSITE].value) for row in rows if row.key is not None]
    points = [(label, value) for label, value in scored if value is not None]
    return {
        "series": str(Kpi.COMPOSITE.label),
        "labels": [label for label, _value in points],
        "values": [float((Decimal(value) * 100).quantize(PERCENT, rounding=ROUND_HALF_UP)) for _label, value in points],
    }


@login_required
@require_GET
def kpi_index(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    form = _form(request)
    context: dict[str, Any] = {"form": form, "kpis": Kpi, "ranked_by": []}
    if not form.is_valid():
        return render(request, "analytics/index.html", context, status=400)
    chosen = _selection(form)
    # The live selectors' figures, read from the daily rollups where they can answer (tested equal): a year of an
    # office is then a few thousand rollup rows instead of three passes over every case.
    with rollups.held_coverage():
        summary = dashboard_summary(user=request.user, period=chosen.period, filters=chosen.filters)
        rankings = {
            by: dashboard_ranking(user=request.user, period=chosen.period, by=by, filters=chosen.filters)
            for by in RANKED_BY
        }
    context.update(
        {
            "chosen": chosen,
            "as_of": summary.as_of,
            "cards": [_card(figure, chosen.params) for figure in summary],
            "rankings": [
                {"by": by, "label": GroupBy(by).label, "rows": _ranking(rankings[by], chosen.params)}
                for by in RANKED_BY
            ],
            "headers": [Kpi(kpi).label for kpi in Kpi.values],
            "chart": _chart(rankings[GroupBy.COMMUNITY]),
        }
    )
    return render(request, "analytics/index.html", context)


@dataclass(frozen=True)
class Group:
    """The ranking row a list is restricted to: cases_behind(by=..., key=...)."""

    by: str
    key: Key
    label: str


def _group(request: HttpRequest) -> Group | None:
    """The row named by `by` and `key` (a unit or community the user may see, or "none"); Http404 otherwise."""
    by = request.GET.get("by", "")
    if not by:
        return None
    key = request.GET.get("key", "")
    if by not in LISTED_BY or not (key == NO_KEY or key.isdigit()):
        raise Http404
    if key == NO_KEY:
        return Group(by, None, str(NO_GROUP_LABELS[GroupBy(by)]))
    if by == GroupBy.UNIT:
        name = Unit.objects.visible_to(request.user).filter(pk=int(key)).values_list("name", flat=True).first()
    else:
        name = Place.objects.within(request.user).filter(pk=int(key)).values_list("name", flat=True).first()
    if name is None:
        raise Http404
    return Group(by, int(key), name)


def _behind(request: HttpRequest, chosen: Selection, group: Group | None, now: dt.datetime) -> tuple[Any, str, str]:
    """The cases behind the number the query names (kpi and part, or a dashboard measure), its title and file name."""
    measure, kpi, part = request.GET.get("measure", ""), request.GET.get("kpi", ""), request.GET.get("part", "")
    if measure:
        if measure not in Measure.values or (group is not None and group.by != GroupBy.GRID):
            raise Http404
        cases = dashboard_cases(
            user=request.user,
            measure=measure,
            period=chosen.period,
            filters=chosen.filters,
            grid_id=group.key if group is not None and isinstance(group.key, int) else None,
            now=now,
        )
        if group is not None and group.key is None:
            cases = cases.filter(grid__isnull=True)
        return cases, str(Measure(measure).label), f"dashboard-{measure}"
    if kpi not in DEFINITIONS or part not in DEFINITIONS[kpi].parts:
        raise Http404
    cases = cases_behind(
        user=request.user,
        kpi=kpi,
        part=part,
        period=chosen.period,
        filters=chosen.filters,
        by=group.by if group is not None else None,
        key=group.key if group is not None else None,
    )
    return cases, f"{Kpi(kpi).label} · {Part(part).label}", f"kpi-{kpi}-{part}"


@login_required
@require_GET
def kpi_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one number of the KPI page or of the dashboard, with the same filters; ?export=xlsx for
    the Excel file. Community staff and unit handlers list their own cases (the dashboard's drill-down)."""
    _require_reader(request.user, LIST_READERS)
    measure, kpi, part = request.GET.get("measure", ""), request.GET.get("kpi", ""), request.GET.get("part", "")
    if not measure and (kpi not in DEFINITIONS or part not in DEFINITIONS[kpi].parts):
        raise Http404
    group = _group(request)
    form = _form(request)
    if not form.is_valid():
        return render(request, "analytics/cases.html", {"form": form}, status=400)
    chosen = _selection(form)
    now = clock.now()
    behind, title, file_name = _behind(request, chosen, group, now)
    described = chosen.described
    if group is not None:
        described += f"；{GroupBy(group.by).label}: {group.label}"
    cases = behind.select_related("category", "main_unit", "community", "grid").order_by("-received_at", "-id")
    if request.GET.get("export") == "xlsx":
        rows = case_selectors.decorate(list(cases[:EXPORT_LIMIT]), now)
        response = HttpResponse(
            cases_workbook(rows, title=title.split(" · ")[0], filters=f"{title}；{described}"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{file_name}-{now:%Y%m%d%H%M}.xlsx"'
        return response
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    case_selectors.decorate(list(page.object_list), now)
    query = {k: v for k, v in request.GET.items() if k not in ("page", "export")}
    return render(
        request,
        "analytics/cases.html",
        {
            "form": form,
            "title": title,
            "kpi": kpi,
            "part": part,
            "counts_notices": kpi == Kpi.SUPERVISION,
            "described": described,
            "page": page,
            "query": urlencode(query),
            "back": f"{reverse(_back_view(request))}?{urlencode(chosen.params)}",
            "back_dashboard": _back_view(request) == "analytics:dashboard",
        },
    )


def _back_view(request: HttpRequest) -> str:
    """Back to the dashboard for its measures and for readers of the dashboard only, else to the KPI page."""
    scope = scope_of(request.user)
    if request.GET.get("from") == "dashboard" or not (scope.everything or scope.roles & READERS):
        return "analytics:dashboard"
    return "analytics:index"
