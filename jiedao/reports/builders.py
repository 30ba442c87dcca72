"""The reports the office writes (DOMAIN.md §6): the weekly 研判, the monthly and quarterly analysis, the annual
statistics. Each is a ReportContent built from the KPI selectors by jiedao.reports.content.

`build_report(kind=…, place=…, period=…)` is the one entry point; the documents are in Chinese whatever the
language of the request (the KPI names and definitions are read in zh-hans).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import translation

from jiedao.analytics.kpis import Kpi, Part, basic_satisfaction_weight, percent
from jiedao.analytics.selectors import GroupBy, KpiRow, cases_behind
from jiedao.cases.choices import Satisfaction
from jiedao.core import clock
from jiedao.hotspots.selectors import rising_hotspots
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.reports.choices import ReportKind
from jiedao.reports.content import (
    CLOSED,
    OVERDUE_OPEN,
    RECEIVED,
    Builder,
    Item,
    Number,
    Progress,
    ReportContent,
    Section,
    count_number,
    kpi_number,
    thousands,
)
from jiedao.reports.periods import SHANGHAI, ReportPeriod

TITLES = {
    ReportKind.WEEKLY: "诉求办理周研判",
    ReportKind.MONTHLY: "诉求办理月度分析报告",
    ReportKind.QUARTERLY: "诉求办理季度分析报告",
    ReportKind.ANNUAL: "诉求办理年度统计",
}
DISSATISFIED_LISTED = 20
# A unit is named in the weekly review when it responded to fewer than this share of its dispatches in time.
RESPONSE_ATTENTION = Decimal("0.9")
CHINESE = "zh-hans"
NUMERALS = "一二三四五六七八九十"


def _office(place: Place) -> Place:
    """The office of a community (its parent), or the office itself."""
    if place.level == Level.COMMUNITY and place.parent is not None:
        return place.parent
    return place


def build_report(
    *, kind: str, place: Place, period: ReportPeriod, comments: str = "", progress: Progress | None = None
) -> ReportContent:
    """Compute the content of one report of `place` (an office or a community) for `period` of the kind's length.

    Raises ValueError when the period is not of the report's kind.
    """
    kind = ReportKind(kind)
    if period.kind != kind:
        raise ValueError(f"a {kind} report covers a period of its own kind, not a {period.kind} one")
    builder = Builder(place=place, period=period, progress=progress)
    with translation.override(CHINESE):
        if kind == ReportKind.WEEKLY:
            sections = _weekly(builder)
        elif kind == ReportKind.ANNUAL:
            sections, footnotes = _annual(builder)
        else:
            sections = _analysis(builder)
        sections.append(builder.comments(comments, heading=f"{NUMERALS[len(sections)]}、街道意见"))
        content = ReportContent(
            kind=kind,
            title=f"{place.name}{period.title}{TITLES[kind]}",
            place=place.name,
            period=period,
            scope=builder.scope.described(),
            as_of=min(builder.scope.kpi_period.end, clock.now()),
            sections=sections,
            footnotes=footnotes if kind == ReportKind.ANNUAL else [],
            comments=comments,
        )
    builder.progress(70)
    return content


def _year_earlier(day: dt.date) -> dt.date:
    """The same day a year before (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _analysis(b: Builder) -> list[Section]:
    """Monthly and quarterly: volumes, 三率 and their trend, top problems, places, units, charts."""
    kpis = b.summary()
    before = b.summary(b.period.previous())
    b.progress(15)
    sections = [
        b.overview(kpis, before, heading="一、总体情况"),
        b.rates(kpis, before, heading="二、“三率”情况"),
        b.trend(b.period.parts(), heading="三、走势"),
    ]
    b.progress(35)
    total = int(kpis[Kpi.DIRECT_ANSWER].denominator or 0)
    sections.append(b.problems(b.ranking(GroupBy.CATEGORY), total, heading="四、主要问题"))
    b.progress(45)
    by = GroupBy.COMMUNITY if b.office_level else GroupBy.GRID
    sections.append(b.places_table(b.ranking(by), heading="五、各社区情况" if b.office_level else "五、各网格情况"))
    b.progress(55)
    sections.append(b.units_table(b.ranking(GroupBy.UNIT), heading="六、各承办单位情况"))
    b.progress(65)
    return sections


def _weekly(b: Builder) -> list[Section]:
    """The weekly 研判: volume and change, what rose and where, late and returning units, dissatisfied cases, and
    what the leaders should look at."""
    kpis = b.summary()
    before = b.summary(b.period.previous())
    b.progress(15)
    overview = b.overview(kpis, before, heading="一、本周总体情况")
    rates = b.rates(kpis, before, heading="二、“三率”情况")
    trend = b.trend(b.period.recent(5), heading="三、近五周走势")
    b.progress(30)
    hot = _hotspots(b)
    b.progress(40)
    units = b.ranking(GroupBy.UNIT)
    late = _late_units(b, units)
    b.progress(50)
    unhappy = _dissatisfied(b)
    b.progress(60)
    attention = _attention(b, kpis, hot, late, unhappy)
    return [overview, rates, trend, hot, late, unhappy, attention, b.units_table(units, heading="八、各承办单位情况")]


def _hotspots(b: Builder) -> Section:
    office = _office(b.place)
    spots = rising_hotspots(week_start=b.period.first, office=office, limit=10)
    if not b.office_level:
        spots = [s for s in spots if any(c["id"] == b.place.pk for c in s["communities"])]
    items = []
    for spot in spots:
        where = "、".join(f"{c['name']}{c['count']}件" for c in spot["communities"][:3]) or "—"
        text = (
            f"{spot['label']}：本周{spot['this_week']}件，前四周周均{spot['baseline'].normalize():f}件"
            f"（增加{spot['difference'].normalize():f}件）；主要分布：{where}"
            + (f"；类别：{spot['category']}" if spot["category"] else "")
            + "。"
        )
        query = urlencode({"office": office.pk, "week": spot["week_start"], "hotspot": spot["id"]})
        items.append(Item(text, f"{reverse('hotspots:index')}?{query}"))
    paragraph = (
        f"本周上升的热点问题{len(items)}个（本周不少于3件、不少于前四周周均的2倍且多2件以上）。"
        if items
        else "本周没有明显上升的热点问题（或本周热点尚未计算）。"
    )
    return Section("hotspots", "四、热点问题（什么在上升、在哪里）", paragraphs=[paragraph], items=items)


def _late_units(b: Builder, rows: list[KpiRow]) -> Section:
    items = []
    for row in rows:
        if row.key is None:
            continue
        response, on_time, returned = row.kpis[Kpi.RESPONSE], row.kpis[Kpi.ON_TIME], row.kpis[Kpi.RETURN]
        overdue = int(on_time.parts.get(Part.OVERDUE_OPEN, 0))
        late_response = response.value is not None and Decimal(response.value) < RESPONSE_ATTENTION
        late_closing = on_time.value is not None and Decimal(on_time.value) < 1
        returns = int(returned.numerator or 0)
        if not (late_response or late_closing or overdue or returns):
            continue
        parts = []
        if late_response or late_closing:
            parts.append(f"响应率{response.display}，按时办结率{on_time.display}")
        if overdue:
            parts.append(f"超期未办结{overdue}件")
        if returns:
            parts.append(f"退单{returns}件（退单率{returned.display}）")
        url = b.scope.url(Kpi.ON_TIME, Part.DENOMINATOR, by=GroupBy.UNIT, key=row.key)
        items.append(Item(f"{row.label}：" + "，".join(parts) + "。", url))
    paragraph = f"需关注的承办单位{len(items)}个。" if items else "本周各承办单位均按时响应、按时办结，无退单。"
    return Section("late_units", "五、超时和退单的承办单位", paragraphs=[paragraph], items=items)


def _dissatisfied(b: Builder) -> Section:
    cases = (
        cases_behind(
            user=b.reader,
            kpi=Kpi.SATISFACTION,
            part=Part.DENOMINATOR,
            period=b.scope.kpi_period,
            filters=b.scope.filters,
        )
        .filter(callback_result=Satisfaction.DISSATISFIED)
        .select_related("community", "main_unit")
        .order_by("-callback_at", "-id")
    )
    listed = list(cases[: DISSATISFIED_LISTED + 1])
    items = [
        Item(
            f"{case.number} {case.title}（{case.community.name if case.community else b.place.name}"
            f"{'，' + case.main_unit.name if case.main_unit else ''}）",
            reverse("cases:detail", args=[case.pk]),
        )
        for case in listed[:DISSATISFIED_LISTED]
    ]
    total = len(listed) if len(listed) <= DISSATISFIED_LISTED else cases.count()
    number = Number(
        key="dissatisfied",
        label="不满意件",
        display=f"{total}件",
        value=float(total),
        numerator=str(total),
        definition="统计期内最近一次回访对办理结果“不满意”的诉求（满意率分母中的不满意部分）；不含不计入考核、并单和作废件。",
        filter=b.scope.described(),
        url=b.scope.url(Kpi.SATISFACTION, Part.DENOMINATOR),
    )
    paragraph = f"本周回访不满意{total}件" + ("，逐件如下（最多列出20件）。" if total else "。")
    return Section("dissatisfied", "六、不满意件", paragraphs=[paragraph], numbers=[number], items=items)


def _attention(b: Builder, kpis: Any, hot: Section, late: Section, unhappy: Section) -> Section:
    items: list[Item] = []
    overdue = count_number(OVERDUE_OPEN, kpis, b.scope)
    if overdue.value:
        items.append(Item(f"超期未办结诉求{overdue.display}，建议督办。", overdue.url))
    if hot.items:
        items.append(
            Item(
                f"上升热点{len(hot.items)}个，首位为“{hot.items[0].text.split('：')[0]}”，建议研判处置。",
                hot.items[0].url,
            )
        )
    if late.items:
        items.append(Item(f"{len(late.items)}个承办单位存在超时或退单，建议约谈提醒。"))
    if unhappy.numbers and unhappy.numbers[0].value:
        items.append(
            Item(f"回访不满意{unhappy.numbers[0].display}，建议逐件复核、必要时重办。", unhappy.numbers[0].url)
        )
    satisfaction = kpis[Kpi.SATISFACTION]
    if satisfaction.value is not None and Decimal(satisfaction.value) < RESPONSE_ATTENTION:
        items.append(Item(f"满意率{satisfaction.display}，低于90%。", kpi_number(satisfaction, b.scope).url))
    paragraph = "提请领导关注以下事项：" if items else "本周无需特别提请领导关注的事项。"
    return Section("attention", "七、提请领导关注事项", paragraphs=[paragraph], items=items)


def _annual(b: Builder) -> tuple[list[Section], list[Number]]:
    """The figure paragraphs of the work report, each number footnoted with its definition and filter."""
    kpis = b.summary()
    today = clock.now().astimezone(SHANGHAI).date()
    ongoing = b.period.first <= today <= b.period.last
    # A year not over yet is compared with the same days of the year before, not with a whole year.
    last_year = b.period.previous()
    if ongoing:
        last_year = ReportPeriod(last_year.kind, last_year.first, _year_earlier(today))
    before = b.summary(last_year)
    b.progress(20)
    channels = b.ranking(GroupBy.CHANNEL)
    categories = b.ranking(GroupBy.CATEGORY)
    b.progress(35)
    places = b.ranking(GroupBy.COMMUNITY if b.office_level else GroupBy.GRID)
    b.progress(45)
    footnotes: list[Number] = []

    def note(number: Number) -> str:
        footnotes.append(number)
        return f"{number.display}[{len(footnotes)}]"

    def k(kpi: str) -> str:
        return note(kpi_number(kpis[kpi], b.scope))

    received = count_number(RECEIVED, kpis, b.scope)
    closed = count_number(CLOSED, kpis, b.scope)
    opening = f"{b.period.first.year}年以来" if ongoing else f"{b.period.first.year}年全年"
    weight = basic_satisfaction_weight()
    sentences = [
        f"{opening}，{b.place.name}累计受理群众诉求{note(received)}，办结{note(closed)}，"
        f"按时办结率{k(Kpi.ON_TIME)}，响应率{k(Kpi.RESPONSE)}，"
        f"解决率{k(Kpi.RESOLUTION)}，满意率{k(Kpi.SATISFACTION)}"
        f"（“基本满意”按{weight.normalize():f}计），过程满意率{k(Kpi.PROCESS_SATISFACTION)}。"
    ]
    received_before = int(before[Kpi.DIRECT_ANSWER].denominator or 0)
    if received_before:
        difference = int(received.value or 0) - received_before
        share = percent(Decimal(abs(difference)) / Decimal(received_before))
        trend = (
            f"增加{thousands(difference)}件（上升{share}）"
            if difference > 0
            else (f"减少{thousands(-difference)}件（下降{share}）" if difference < 0 else "持平")
        )
        span = f"（{last_year.first.month}月{last_year.first.day}日至{last_year.last.month}月{last_year.last.day}日）"
        sentences.append(f"与上年同期{span if ongoing else ''}相比，受理量{trend}。")
    by_channel = sorted(
        ((int(row.kpis[Kpi.DIRECT_ANSWER].denominator or 0), row) for row in channels if row.key is not None),
        key=lambda pair: -pair[0],
    )
    total = int(received.value or 0)
    if total and by_channel:
        parts = [
            f"{row.label}{note(count_number(RECEIVED, row.kpis, b.scope, group=f'渠道：{row.label}'))}"
            f"（占{percent(Decimal(n) / Decimal(total))}）"
            for n, row in by_channel[:4]
            if n
        ]
        if parts:
            sentences.append("从来源渠道看，" + "，".join(parts) + "。")
    top = sorted(
        ((int(row.kpis[Kpi.DIRECT_ANSWER].denominator or 0), row) for row in categories if row.key is not None),
        key=lambda pair: (-pair[0], pair[1].label),
    )
    top = [(n, row) for n, row in top if n][:3]
    if top:
        sentences.append(
            "群众反映较多的问题集中在"
            + "、".join(
                f"{row.label}（{note(count_number(RECEIVED, row.kpis, b.scope, group=f'类别：{row.label}'))}）"
                for _n, row in top
            )
            + "。"
        )
    sentences.append(
        f"全年直接答复率{k(Kpi.DIRECT_ANSWER)}，"
        f"不予受理{k(Kpi.NOT_ACCEPTED)}，"
        f"发出督办通知{k(Kpi.SUPERVISION)}，退单率{k(Kpi.RETURN)}，"
        f"重办率{k(Kpi.REWORK)}，延期率{k(Kpi.EXTENSION)}，"
        f"平均办理时长{k(Kpi.HANDLING_TIME)}。"
    )
    scored = [row for row in places if row.key is not None and row.rank is not None]
    if scored:
        label = "社区" if b.office_level else "网格"
        sentences.append(
            f"综合得分排名前列的{label}为"
            + "、".join(f"{row.label}（{row.kpis[Kpi.COMPOSITE].display}）" for row in scored[:3])
            + "。"
        )
    statistics = Section("statistics", "一、年度主要数据", paragraphs=["".join(sentences[:2]), *sentences[2:]])
    statistics.numbers = list(footnotes)
    sections = [statistics]
    sections.append(b.trend(b.period.parts(), heading="二、分月走势"))
    b.progress(60)
    sections.append(b.places_table(places, heading="三、各社区情况" if b.office_level else "三、各网格情况"))
    b.progress(65)
    return sections, footnotes
