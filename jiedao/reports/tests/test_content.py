"""The report's figures are the KPI selectors' own, with their definitions, filters and drill-down links."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from jiedao.analytics.kpis import Kpi
from jiedao.analytics.selectors import KpiFilter, kpi_summary
from jiedao.analytics.views import period_of
from jiedao.reports.builders import build_report
from jiedao.reports.choices import ReportKind
from jiedao.reports.periods import parse_period

WEEK = "2026-W47"


def _summary(user, period, place):
    return kpi_summary(
        user=user, period=period_of(period.first, period.last), filters=KpiFilter(place_prefix=place.prefix)
    )


def test_weekly_figures_equal_kpi_summary_for_the_same_filter(world, week_history, principal_leader):
    period = parse_period(ReportKind.WEEKLY, WEEK)
    content = build_report(kind=ReportKind.WEEKLY, place=world.office, period=period)
    expected = _summary(principal_leader, period, world.office)
    numbers = content.numbers()

    for kpi in (Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION, Kpi.ON_TIME, Kpi.COMPOSITE):
        assert numbers[kpi].display == expected[kpi].display
        assert Decimal(numbers[kpi].numerator) == expected[kpi].numerator
        assert Decimal(numbers[kpi].denominator) == expected[kpi].denominator
    assert numbers["received"].numerator == str(expected[Kpi.DIRECT_ANSWER].denominator)
    assert numbers["closed"].numerator == str(expected[Kpi.REWORK].denominator)
    # The week by hand: five cases of office 甲 accepted (乙's one is not counted), two closed (good, answered… and
    # unhappy), one of three dispatches signed in time before the sign-off deadline
    assert expected[Kpi.DIRECT_ANSWER].denominator == 5
    assert expected[Kpi.RESPONSE].numerator == 2 and expected[Kpi.RESPONSE].denominator == 4


def test_every_number_carries_definition_filter_and_drill_down(world, week_history):
    period = parse_period(ReportKind.WEEKLY, WEEK)
    content = build_report(kind=ReportKind.WEEKLY, place=world.office, period=period)
    on_time = content.numbers()[Kpi.ON_TIME]
    assert "办结" in on_time.definition  # the KPI's own definition, in Chinese
    assert "2026-11-16至2026-11-22" in on_time.filter and world.office.name in on_time.filter
    query = parse_qs(urlsplit(on_time.url).query)
    assert urlsplit(on_time.url).path == "/analytics/cases/"
    assert query == {
        "period": ["custom"],
        "start": ["2026-11-16"],
        "end": ["2026-11-22"],
        "kpi": ["on_time"],
        "part": ["numerator"],
    }


def test_the_drill_down_lists_as_many_cases_as_the_report_counts(client, world, week_history, principal_leader):
    period = parse_period(ReportKind.WEEKLY, WEEK)
    received = build_report(kind=ReportKind.WEEKLY, place=world.office, period=period).numbers()["received"]
    client.force_login(principal_leader)
    response = client.get(received.url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == int(received.numerator)


def test_weekly_review_names_dissatisfied_cases_late_units_and_attention_items(world, week_history):
    period = parse_period(ReportKind.WEEKLY, WEEK)
    content = build_report(kind=ReportKind.WEEKLY, place=world.office, period=period)
    sections = {s.key: s for s in content.sections}
    assert [i.url for i in sections["dissatisfied"].items] == [f"/cases/{week_history['unhappy'].pk}/"]
    assert any(world.unit_urban.name in item.text for item in sections["late_units"].items)
    assert any("超期未办结" in item.text for item in sections["attention"].items)
    assert "受理群众诉求5件，上期为0件，本期新增5件" in sections["overview"].paragraphs[0]
    assert sections["comments"].heading.endswith("街道意见")


def test_a_community_report_counts_only_the_community(world, week_history, principal_leader):
    period = parse_period(ReportKind.MONTHLY, "2026-11")
    content = build_report(kind=ReportKind.MONTHLY, place=world.community_a, period=period)
    expected = _summary(principal_leader, period, world.community_a)
    assert content.numbers()["received"].numerator == str(expected[Kpi.DIRECT_ANSWER].denominator) == "4"
    assert f"place={world.community_a.pk}" in content.numbers()[Kpi.SATISFACTION].url


def test_quarterly_report_has_trend_places_units_and_charts(world, week_history):
    period = parse_period(ReportKind.QUARTERLY, "2026-Q4")
    content = build_report(
        kind=ReportKind.QUARTERLY, place=world.office, period=period, comments="下季度重点督办物业类诉求。"
    )
    sections = {s.key: s for s in content.sections}
    assert {"overview", "rates", "trend", "problems", "places", "units", "comments"} <= set(sections)
    assert [row[0].text for row in sections["trend"].tables[0].rows] == ["10月", "11月"]  # December is still to come
    assert sorted(row[1].text for row in sections["places"].tables[0].rows) == ["A社区", "B社区"]
    assert sections["problems"].tables[0].rows[0][0].text == "城乡建设"
    assert sections["comments"].paragraphs == ["下季度重点督办物业类诉求。"]
    assert {c.kind for s in content.sections for c in s.charts} == {"bar", "line"}


def test_annual_sentences_hold_the_kpi_numbers_with_footnotes(world, week_history, principal_leader):
    period = parse_period(ReportKind.ANNUAL, "2026")
    content = build_report(kind=ReportKind.ANNUAL, place=world.office, period=period)
    expected = _summary(principal_leader, period, world.office)
    text = "".join(content.sections[0].paragraphs)
    received = expected[Kpi.DIRECT_ANSWER].denominator
    closed = expected[Kpi.REWORK].denominator
    assert text.startswith(f"2026年以来，甲街道累计受理群众诉求{received}件[1]，办结{closed}件[2]，")
    assert f"按时办结率{expected[Kpi.ON_TIME].display}[3]" in text
    assert f"满意率{expected[Kpi.SATISFACTION].display}[6]" in text
    assert "12345" in text  # the channels
    notes = content.footnotes
    assert notes[0].label == "受理诉求" and "直接答复率的分母" in notes[0].definition
    assert all(n.filter.startswith("统计期：2026-01-01至2026-12-31") for n in notes)
    assert all(n.url.startswith("/analytics/cases/?") for n in notes)


def test_a_period_of_another_kind_is_refused(world):
    with pytest.raises(ValueError, match="period"):
        build_report(kind=ReportKind.WEEKLY, place=world.office, period=parse_period(ReportKind.MONTHLY, "2026-11"))


def test_the_weeks_a_month_cuts_say_how_many_days_they_hold():
    # November 2026 begins on a Sunday and ends on a Monday
    november = parse_period(ReportKind.MONTHLY, "2026-11")
    labels = [part.short for part in november.parts()]
    assert labels == ["11-01（1天）", "11-02", "11-09", "11-16", "11-23", "11-30（1天）"]
    assert parse_period(ReportKind.WEEKLY, "2026-W47").short == "11-16"
