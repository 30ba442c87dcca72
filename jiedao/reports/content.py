"""What a report says, as plain data: sections of numbers, tables, charts and items, before any file is written.

Every number is the KPI selectors' own (jiedao.analytics.selectors), counted over every case of the place (office
or community) as its own leaders see them, and carries its definition, the filter that produced it (period, place,
group) and the link to the list of cases behind it on the KPI page (/analytics/cases/). The renderers (docx, xlsx,
html) only lay this out; they compute nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from jiedao.accounts.choices import Role
from jiedao.analytics.kpis import Figure, Kpi, Part, percent
from jiedao.analytics.selectors import GroupBy, KpiFilter, KpiRow, KpiSet, Period, kpi_ranking, kpi_summary
from jiedao.core import clock
from jiedao.core.scope import Scope
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.reports.periods import SHANGHAI, ReportPeriod

Progress = Callable[[int], None]


@dataclass
class PlaceReader:
    """Reads a place's cases as its own leaders do: every case inside the place, nothing else.

    A report belongs to its office (or community), not to whoever asked for it, and the scheduled ones have no one
    asking: the selectors are given this reader instead of a user."""

    prefix: str
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = False

    def compute_scope(self) -> Scope:
        return Scope(
            roles=frozenset({Role.PRINCIPAL_LEADER}),
            place_prefixes=frozenset({self.prefix}),
            office_prefixes=frozenset({self.prefix[:9]}),
            role_places=frozenset({(Role.PRINCIPAL_LEADER, self.prefix)}),
        )


@dataclass(frozen=True)
class Number:
    """One figure of a report: what it is, its value as shown, the counts behind it, its definition and filter."""

    key: str
    label: str
    display: str
    value: float | None  # as a plain number for spreadsheets and charts (a rate in percent)
    numerator: str = ""
    denominator: str = ""
    definition: str = ""
    filter: str = ""
    url: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    value: float | None = None  # numeric cells keep their number for the spreadsheet


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart as data: `kind` "bar" or "line", one value per category in each series (None: no value)."""

    key: str
    title: str
    kind: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    unit: str = ""


@dataclass(frozen=True)
class Item:
    text: str
    url: str = ""


@dataclass
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


@dataclass
class ReportContent:
    kind: str
    title: str
    place: str
    period: ReportPeriod
    scope: str  # the filter of the whole report, in words
    as_of: dt.datetime
    sections: list[Section]
    footnotes: list[Number] = field(default_factory=list)
    comments: str = ""

    def numbers(self) -> dict[str, Number]:
        """Every number of the report by its key (the first of each key)."""
        found: dict[str, Number] = {}
        for section in self.sections:
            for number in section.numbers:
                found.setdefault(number.key, number)
        for number in self.footnotes:
            found.setdefault(number.key, number)
        return found


# Counts the office writes about that are parts of a KPI, with their own name and definition.
RECEIVED = "received"
CLOSED = "closed"
OVERDUE_OPEN = "overdue_open"
COUNT_DEFINITIONS = {
    RECEIVED: (
        "受理诉求",
        Kpi.DIRECT_ANSWER,
        Part.DENOMINATOR,
        "统计期内接收并受理的诉求件数（已受理、已派单或直接答复；不含不予受理和尚待受理的），即直接答复率的分母；"
        "不含并单和作废件。",
    ),
    CLOSED: (
        "办结诉求",
        Kpi.REWORK,
        Part.DENOMINATOR,
        "统计期内办结的诉求件数，即重办率的分母；不含不予受理、并单和作废件。",
    ),
    OVERDUE_OPEN: (
        "超期未办结",
        Kpi.ON_TIME,
        Part.OVERDUE_OPEN,
        "统计期末（期间未结束的为当前时刻）仍未办结且已超过办结时限的诉求，计入按时办结率的分母。",
    ),
}
RATE_KPIS = (Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION, Kpi.PROCESS_SATISFACTION, Kpi.ON_TIME)
PROBLEM_COLUMNS = ["类别", "受理（件）", "占比", "满意率", "按时办结率"]
TREND_KPIS = (Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION, Kpi.ON_TIME, Kpi.DIRECT_ANSWER)


def thousands(value: int | Decimal) -> str:
    """3803 → "3,803"; a Decimal keeps its decimals without trailing zeros."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        whole, _dot, decimals = text.partition(".")
        return f"{int(whole):,}" + (f".{decimals}" if decimals else "")
    return f"{value:,}"


def as_percent(value: int | Decimal | None) -> float | None:
    """A fraction as a percentage number with 1 decimal (for charts and spreadsheets); None stays None."""
    if value is None:
        return None
    return float(percent(Decimal(value)).rstrip("%"))


@dataclass(frozen=True)
class ReportScope:
    """The place and period a set of numbers was counted for, with the links that repeat the filter."""

    place: Place
    period: ReportPeriod
    office_level: bool

    @property
    def kpi_period(self) -> Period:
        return Period(
            dt.datetime.combine(self.period.first, dt.time.min, tzinfo=SHANGHAI),
            dt.datetime.combine(self.period.last + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI),
        )

    @property
    def filters(self) -> KpiFilter:
        return KpiFilter(place_prefix=self.place.prefix)

    def described(self, group: str = "") -> str:
        text = f"统计期：{self.period.first:%Y-%m-%d}至{self.period.last:%Y-%m-%d}（北京时间）；范围：{self.place.name}"
        text += "（全部社区）" if self.office_level else ""
        return text + (f"；{group}" if group else "")

    def url(self, kpi: str, part: str, *, by: str = "", key: Any = None) -> str:
        """The KPI page's list of the cases behind a number, with this period and place."""
        params = {
            "period": "custom",
            "start": self.period.first.isoformat(),
            "end": self.period.last.isoformat(),
        }
        if not self.office_level:
            params["place"] = str(self.place.pk)
        params.update({"kpi": kpi, "part": part})
        if by:
            params.update({"by": by, "key": "none" if key is None else str(key)})
        return f"{reverse('analytics:cases')}?{urlencode(params)}"


def count_number(
    name: str, kpis: KpiSet, scope: ReportScope, *, by: str = "", key: Any = None, group: str = ""
) -> Number:
    label, kpi, part, definition = COUNT_DEFINITIONS[name]
    figure = kpis[kpi]
    raw: int | Decimal | None = figure.parts.get(part, 0) if part == Part.OVERDUE_OPEN else figure.denominator
    count = int(raw or 0)
    return Number(
        key=name,
        label=label,
        display=f"{thousands(count)}件",
        value=float(count),
        numerator=thousands(count),
        definition=definition,
        filter=scope.described(group),
        url=scope.url(kpi, part, by=by, key=key),
    )


def kpi_number(figure: Figure, scope: ReportScope, *, by: str = "", key: Any = None, group: str = "") -> Number:
    if figure.kind in ("rate", "score"):
        value = as_percent(figure.value)
    else:
        value = None if figure.value is None else float(figure.value)
    display = figure.display
    if figure.kpi == Kpi.HANDLING_TIME and figure.value is not None:
        display = f"{figure.display}小时"
    elif figure.kind == "count":
        display = f"{thousands(int(figure.numerator))}{'次' if figure.kpi == Kpi.SUPERVISION else '件'}"
    return Number(
        key=figure.kpi,
        label=figure.label,
        display=display,
        value=value,
        numerator=thousands(figure.numerator),
        denominator="" if figure.denominator is None else thousands(figure.denominator),
        definition=figure.definition,
        filter=scope.described(group),
        url=scope.url(figure.kpi, Part.NUMERATOR, by=by, key=key),
    )


def _change(now: int, before: int) -> str:
    """How a count moved against the previous period, in the office's words."""
    if before == 0:
        return "上期为0件" if now == 0 else f"上期为0件，本期新增{thousands(now)}件"
    difference = now - before
    share = percent(Decimal(abs(difference)) / Decimal(before))
    if difference > 0:
        return f"较上期增加{thousands(difference)}件（上升{share}）"
    if difference < 0:
        return f"较上期减少{thousands(-difference)}件（下降{share}）"
    return "与上期持平"


class Builder:
    """Builds the sections of one report; each method reads through the KPI selectors."""

    def __init__(self, *, place: Place, period: ReportPeriod, progress: Progress | None = None) -> None:
        self.place = place
        self.period = period
        self.office_level = place.level != Level.COMMUNITY
        self.reader = PlaceReader(place.prefix)
        self.scope = ReportScope(place, period, self.office_level)
        self._progress = progress or (lambda _percent: None)

    def progress(self, value: int) -> None:
        self._progress(value)

    def scope_of(self, period: ReportPeriod) -> ReportScope:
        return ReportScope(self.place, period, self.office_level)

    def summary(self, period: ReportPeriod | None = None, kpis: Sequence[str] | None = None) -> KpiSet:
        scope = self.scope if period is None else self.scope_of(period)
        return kpi_summary(user=self.reader, period=scope.kpi_period, filters=scope.filters, kpis=kpis)

    def ranking(self, by: str) -> list[KpiRow]:
        return kpi_ranking(user=self.reader, period=self.scope.kpi_period, by=by, filters=self.scope.filters)

    # Sections

    def overview(self, kpis: KpiSet, before: KpiSet, *, heading: str) -> Section:
        received = count_number(RECEIVED, kpis, self.scope)
        closed = count_number(CLOSED, kpis, self.scope)
        overdue = count_number(OVERDUE_OPEN, kpis, self.scope)
        numbers = [
            received,
            closed,
            kpi_number(kpis[Kpi.NOT_ACCEPTED], self.scope),
            kpi_number(kpis[Kpi.DIRECT_ANSWER], self.scope),
            overdue,
            kpi_number(kpis[Kpi.SUPERVISION], self.scope),
            kpi_number(kpis[Kpi.HANDLING_TIME], self.scope),
        ]
        received_before = int(before[Kpi.DIRECT_ANSWER].denominator or 0)
        closed_before = int(before[Kpi.REWORK].denominator or 0)
        paragraph = (
            f"{self.period.title}，{self.place.name}受理群众诉求{received.display}，"
            f"{_change(int(received.value or 0), received_before)}；办结{closed.display}，"
            f"{_change(int(closed.value or 0), closed_before)}。"
            f"截至统计期末超期未办结{overdue.display}，发出督办通知{numbers[5].display}。"
        )
        return Section("overview", heading, paragraphs=[paragraph], numbers=numbers)

    def rates(self, kpis: KpiSet, before: KpiSet, *, heading: str) -> Section:
        numbers = [kpi_number(kpis[kpi], self.scope) for kpi in (*RATE_KPIS, Kpi.COMPOSITE)]
        phrases = []
        for kpi in RATE_KPIS:
            now, then = kpis[kpi].value, before[kpi].value
            text = f"{kpis[kpi].label}{kpis[kpi].display}"
            if now is not None and then is not None:
                points = (Decimal(now) - Decimal(then)) * 100
                if points:
                    word = "上升" if points > 0 else "下降"
                    text += f"（较上期{word}{abs(points).quantize(Decimal('0.1'))}个百分点）"
                else:
                    text += "（与上期持平）"
            phrases.append(text)
        paragraph = "；".join(phrases) + "。"
        return Section("rates", heading, paragraphs=[paragraph], numbers=numbers)

    def trend(self, periods: list[ReportPeriod], *, heading: str) -> Section:
        """The volume and the rates of each sub-period, as a table and two charts."""
        rows: list[list[Cell]] = []
        received: list[float | None] = []
        rate_series: dict[str, list[float | None]] = {kpi: [] for kpi in TREND_KPIS[:4]}
        today = clock.now().astimezone(SHANGHAI).date()
        shown = [p for p in periods if p.first <= today] or periods[:1]
        for part in shown:
            kpis = self.summary(part, kpis=TREND_KPIS)
            scope = self.scope_of(part)
            count = count_number(RECEIVED, kpis, scope)
            received.append(count.value)
            cells = [Cell(part.short), Cell(count.numerator, count.url, count.value)]
            for kpi in TREND_KPIS[:4]:
                number = kpi_number(kpis[kpi], scope)
                rate_series[kpi].append(number.value)
                cells.append(Cell(number.display, number.url, number.value))
            rows.append(cells)
        labels = [part.short for part in shown]
        columns = ["时段", "受理（件）", *(str(Kpi(kpi).label) for kpi in TREND_KPIS[:4])]
        return Section(
            "trend",
            heading,
            tables=[Table("trend", "分时段受理量与三率", columns, rows)],
            charts=[
                Chart("volume", "受理量走势", "bar", labels, [("受理（件）", received)], "件"),
                Chart(
                    "rates",
                    "三率及按时办结率走势",
                    "line",
                    labels,
                    [(str(Kpi(kpi).label), values) for kpi, values in rate_series.items()],
                    "%",
                ),
            ],
        )

    def problems(self, rows: list[KpiRow], total: int, *, heading: str, limit: int = 10) -> Section:
        """The level-1 categories with the most cases received (the KPI page's category ranking, re-ordered)."""
        counted = sorted(
            ((int(row.kpis[Kpi.DIRECT_ANSWER].denominator or 0), row) for row in rows),
            key=lambda pair: (-pair[0], pair[1].label),
        )
        counted = [(n, row) for n, row in counted if n > 0][:limit]
        table_rows = []
        for n, row in counted:
            share = percent(Decimal(n) / Decimal(total)) if total else "—"
            satisfaction, on_time = row.kpis[Kpi.SATISFACTION], row.kpis[Kpi.ON_TIME]
            table_rows.append(
                [
                    Cell(row.label),
                    Cell(thousands(n), value=float(n)),
                    Cell(share, value=as_percent(Decimal(n) / Decimal(total)) if total else None),
                    Cell(satisfaction.display, value=as_percent(satisfaction.value)),
                    Cell(on_time.display, value=as_percent(on_time.value)),
                ]
            )
        paragraph = (
            "群众反映较多的问题依次为" + "、".join(f"{row.label}（{thousands(n)}件）" for n, row in counted[:5]) + "。"
            if counted
            else "统计期内没有受理的诉求。"
        )
        return Section(
            "problems",
            heading,
            paragraphs=[paragraph],
            tables=[
                Table(
                    "problems",
                    "主要问题（按一级类别）",
                    ["类别", "受理（件）", "占比", "满意率", "按时办结率"],
                    table_rows,
                )
            ],
            charts=[
                Chart(
                    "problems",
                    "主要问题受理量",
                    "bar",
                    [row.label for _n, row in counted],
                    [("受理（件）", [float(n) for n, _row in counted])],
                    "件",
                )
            ]
            if counted
            else [],
        )

    def places_table(self, rows: list[KpiRow], *, heading: str) -> Section:
        """Per community (an office's report) or per grid (a community's), ranked by composite score."""
        by = GroupBy.COMMUNITY if self.office_level else GroupBy.GRID
        linkable = by == GroupBy.COMMUNITY
        label = "社区" if self.office_level else "网格"
        kpis = (Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION, Kpi.ON_TIME, Kpi.COMPOSITE)
        table_rows = []
        for row in rows:
            link: dict[str, Any] = {"by": by, "key": row.key} if linkable else {}
            received = count_number(RECEIVED, row.kpis, self.scope, **link) if linkable else None
            count = int(row.kpis[Kpi.DIRECT_ANSWER].denominator or 0)
            closed = int(row.kpis[Kpi.REWORK].denominator or 0)
            cells = [
                Cell("" if row.rank is None else str(row.rank)),
                Cell(row.label),
                Cell(thousands(count), received.url if received else "", float(count)),
                Cell(thousands(closed), self.scope.url(Kpi.REWORK, Part.DENOMINATOR, **link) if link else "", closed),
            ]
            for kpi in kpis:
                figure = row.kpis[kpi]
                url = self.scope.url(kpi, Part.NUMERATOR, **link) if link else ""
                cells.append(Cell(figure.display, url, as_percent(figure.value)))
            table_rows.append(cells)
        columns = ["排名", label, "受理（件）", "办结（件）", *(str(Kpi(kpi).label) for kpi in kpis)]
        scored = [row for row in rows if row.key is not None and row.kpis[Kpi.COMPOSITE].value is not None]
        paragraphs = []
        if scored:
            top = "、".join(f"{row.label}（{row.kpis[Kpi.COMPOSITE].display}）" for row in scored[:3])
            paragraphs.append(f"综合得分排名靠前的{label}：{top}。")
            if len(scored) > 3:
                bottom = "、".join(f"{row.label}（{row.kpis[Kpi.COMPOSITE].display}）" for row in scored[-3:])
                paragraphs.append(f"排名靠后的{label}：{bottom}。")
        return Section(
            "places",
            heading,
            paragraphs=paragraphs,
            tables=[
                Table("places", f"各{label}办理情况", columns, table_rows, note="综合得分：" + _composite_note(rows))
            ],
            charts=[
                Chart(
                    "places",
                    f"各{label}综合得分",
                    "bar",
                    [row.label for row in scored],
                    [("综合得分", [as_percent(row.kpis[Kpi.COMPOSITE].value) for row in scored])],
                    "%",
                )
            ]
            if scored
            else [],
        )

    def units_table(self, rows: list[KpiRow], *, heading: str) -> Section:
        kpis = (Kpi.RESPONSE, Kpi.ON_TIME, Kpi.RETURN, Kpi.EXTENSION, Kpi.SATISFACTION, Kpi.COMPOSITE)
        table_rows = []
        for row in rows:
            unit, key = GroupBy.UNIT, row.key
            dispatched = int(row.kpis[Kpi.RETURN].denominator or 0)
            overdue = int(row.kpis[Kpi.ON_TIME].parts.get(Part.OVERDUE_OPEN, 0))
            cells = [
                Cell("" if row.rank is None else str(row.rank)),
                Cell(row.label),
                Cell(
                    thousands(dispatched),
                    self.scope.url(Kpi.RETURN, Part.DENOMINATOR, by=unit, key=key),
                    float(dispatched),
                ),
                Cell(
                    thousands(overdue), self.scope.url(Kpi.ON_TIME, Part.OVERDUE_OPEN, by=unit, key=key), float(overdue)
                ),
            ]
            for kpi in kpis:
                figure = row.kpis[kpi]
                cells.append(
                    Cell(
                        figure.display, self.scope.url(kpi, Part.NUMERATOR, by=unit, key=key), as_percent(figure.value)
                    )
                )
            table_rows.append(cells)
        columns = ["排名", "承办单位", "派单（件）", "超期未办结（件）", *(str(Kpi(kpi).label) for kpi in kpis)]
        return Section("units", heading, tables=[Table("units", "各承办单位办理情况", columns, table_rows)])

    def comments(self, text: str, *, heading: str) -> Section:
        paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
        return Section("comments", heading, paragraphs=paragraphs or ["（留待街道填写）"])


def _composite_note(rows: list[KpiRow]) -> str:
    for row in rows:
        return row.kpis[Kpi.COMPOSITE].definition
    return ""
