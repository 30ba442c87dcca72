"""The KPI page and its drill-down lists through the test client: who may read them, the period picker, the
filters, the lists agreeing with the selector numbers, the Excel export and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jiedao.analytics import rollups
from jiedao.analytics.kpis import DEFINITIONS, Kpi, Part
from jiedao.analytics.selectors import GroupBy, KpiFilter, cases_behind, kpi_ranking, kpi_summary
from jiedao.analytics.tests.conftest import ALL, SHANGHAI, Builder
from jiedao.analytics.views import PeriodKind, calendar_period, period_of
from jiedao.cases.choices import Channel, RequestType
from jiedao.core import clock
from jiedao.web.navigation import items_for

INDEX = reverse("analytics:index")
CASES = reverse("analytics:cases")
# The whole history of the fixture, as custom dates.
EVERYTHING = {"period": "custom", "start": "2026-11-01", "end": "2026-12-31"}


def triples(figures):
    return {f.kpi: (f.numerator, f.denominator, f.value) for f in figures}


# --- who may read -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dispatcher", "office_admin", "deputy_leader", "principal_leader"])
def test_leaders_dispatchers_and_admins_read_the_kpis(request, client, world, now, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(INDEX)
    assert response.status_code == 200
    assert [card.figure.kpi for card in response.context["cards"]] == list(Kpi.values)
    assert 'data-nav="kpi"' in response.content.decode()


@pytest.mark.parametrize("persona", ["grid_worker", "grid_leader", "community_staff", "unit_handler", "outsider"])
def test_everyone_else_finds_no_kpi_page(request, client, world, now, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(INDEX).status_code == 404
    # Community staff and unit handlers list the cases behind their dashboard's numbers (their own cases only)
    listed = 200 if persona in ("community_staff", "unit_handler", "outsider") else 404
    assert client.get(CASES, {"kpi": "response", "part": "numerator"}).status_code == listed
    assert "kpi" not in [item["key"] for item in items_for(user)]


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(INDEX)
    assert response.status_code == 302 and reverse("accounts:login") in response.url


# --- the period picker -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "today", "first", "last"),
    [
        (PeriodKind.WEEK, dt.date(2026, 12, 9), dt.date(2026, 12, 7), dt.date(2026, 12, 13)),
        (PeriodKind.WEEK, dt.date(2026, 12, 13), dt.date(2026, 12, 7), dt.date(2026, 12, 13)),
        (PeriodKind.MONTH, dt.date(2026, 12, 9), dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        (PeriodKind.MONTH, dt.date(2028, 2, 10), dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        (PeriodKind.QUARTER, dt.date(2026, 12, 9), dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        (PeriodKind.QUARTER, dt.date(2026, 4, 1), dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (PeriodKind.YEAR, dt.date(2026, 12, 9), dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_calendar_periods(kind, today, first, last):
    assert calendar_period(kind, today) == (first, last)


def test_a_period_runs_from_midnight_to_midnight_in_shanghai():
    period = period_of(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert period.start == dt.datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert period.end == dt.datetime(2027, 1, 1, tzinfo=SHANGHAI)
    assert period.start.astimezone(dt.UTC) == dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)


def test_the_default_period_is_this_month_on_the_shanghai_calendar(client, dispatcher, history, now):
    # Given the clock on Wednesday 2026-12-09
    client.force_login(dispatcher)
    response = client.get(INDEX)
    chosen = response.context["chosen"]
    assert (chosen.first, chosen.last) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert response.context["form"]["period"].value() == PeriodKind.MONTH
    assert triples(card.figure for card in response.context["cards"]) == triples(
        kpi_summary(user=dispatcher, period=period_of(dt.date(2026, 12, 1), dt.date(2026, 12, 31)))
    )


def test_the_month_starts_at_shanghai_midnight_not_utc_midnight(client, dispatcher, world, monkeypatch):
    # 2026-11-30 17:00 UTC is already Tuesday 12-01 01:00 in Shanghai
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC))
    client.force_login(dispatcher)
    chosen = client.get(INDEX).context["chosen"]
    assert (chosen.first, chosen.last) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("kind", "first", "last"),
    [
        ("week", dt.date(2026, 12, 7), dt.date(2026, 12, 13)),
        ("quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("year", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_the_picker_offers_week_quarter_and_year(client, dispatcher, world, now, kind, first, last):
    now.set(2026, 12, 9, 10, 0)
    client.force_login(dispatcher)
    chosen = client.get(INDEX, {"period": kind}).context["chosen"]
    assert (chosen.first, chosen.last) == (first, last)


def test_custom_dates_count_the_same_as_the_selector(client, dispatcher, history):
    client.force_login(dispatcher)
    response = client.get(INDEX, EVERYTHING)
    assert response.status_code == 200
    assert triples(card.figure for card in response.context["cards"]) == triples(
        kpi_summary(user=dispatcher, period=ALL)
    )
    html = response.content.decode()
    assert 'data-kpi="response"' in html and "<details>" in html


@pytest.mark.parametrize(
    "params",
    [
        {"period": "custom", "start": "2026-12-01"},
        {"period": "custom", "start": "2026-12-31", "end": "2026-12-01"},
        {"period": "custom", "start": "2020-01-01", "end": "2026-12-01"},
        {"period": "decade"},
        {"start": "not a date", "period": "custom", "end": "2026-12-01"},
    ],
)
def test_bad_periods_are_refused_with_a_message(client, dispatcher, world, now, params):
    client.force_login(dispatcher)
    response = client.get(INDEX, params)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert client.get(CASES, {**params, "kpi": "response", "part": "numerator"}).status_code == 400


# --- filters -----------------------------------------------------------------------------------------------------


def test_filters_by_community_channel_and_type(client, dispatcher, history, world):
    client.force_login(dispatcher)
    response = client.get(
        INDEX, {**EVERYTHING, "place": world.community_b.pk, "channel": Channel.PHONE, "type": RequestType.HELP}
    )
    expected = KpiFilter(place_prefix=world.community_b.prefix, channel=Channel.PHONE, request_type=RequestType.HELP)
    assert response.context["chosen"].filters == expected
    figures = triples(card.figure for card in response.context["cards"])
    assert figures == triples(kpi_summary(user=dispatcher, period=ALL, filters=expected))
    assert figures != triples(kpi_summary(user=dispatcher, period=ALL))
    # the drill-down links repeat the filters
    link = response.context["cards"][0].numerator.url
    assert f"place={world.community_b.pk}" in link and "channel=phone" in link and "type=help" in link


def test_the_place_filter_offers_only_the_communities_of_the_users_scope(client, dispatcher, history, world):
    client.force_login(dispatcher)
    response = client.get(INDEX)
    offered = list(response.context["form"].fields["place"].queryset)
    assert offered == [world.community_a, world.community_b]
    # another office's community is not a choice
    assert client.get(INDEX, {"place": world.community_c.pk}).status_code == 400


# --- the drill-down lists ----------------------------------------------------------------------------------------


def _listed(client, **params):
    response = client.get(CASES, {**EVERYTHING, **params})
    assert response.status_code == 200
    return response


def test_every_number_lists_as_many_cases_as_it_counts(client, dispatcher, history):
    client.force_login(dispatcher)
    figures = kpi_summary(user=dispatcher, period=ALL)
    for kpi, definition in DEFINITIONS.items():
        figure = figures[kpi]
        for part in definition.parts:
            listed = _listed(client, kpi=kpi, part=part).context["page"].paginator.count
            # the list is the selector's own list
            assert listed == cases_behind(user=dispatcher, kpi=kpi, part=part, period=ALL).count(), (kpi, part)
            # and its length is the number shown on the card
            if part in (Part.SATISFIED, Part.BASICALLY, Part.OVERDUE_OPEN):
                assert listed == figure.parts[part], (kpi, part)
            elif kpi in (Kpi.SATISFACTION, Kpi.PROCESS_SATISFACTION) and part == Part.NUMERATOR:
                assert listed == figure.parts[Part.SATISFIED] + figure.parts[Part.BASICALLY]
            elif kpi == Kpi.SUPERVISION:
                assert listed == figure.parts["cases"]
            elif kpi == Kpi.HANDLING_TIME:
                assert listed == figure.denominator
            elif kpi != Kpi.COMPOSITE:
                expected = figure.numerator if part == Part.NUMERATOR else figure.denominator
                assert listed == expected, (kpi, part)
    # the history has something behind the main rates
    assert figures[Kpi.RESPONSE].denominator and figures[Kpi.SATISFACTION].denominator


def test_the_card_links_lead_to_the_lists(client, dispatcher, history):
    client.force_login(dispatcher)
    card = next(c for c in client.get(INDEX, EVERYTHING).context["cards"] if c.figure.kpi == Kpi.ON_TIME)
    assert card.numerator.count == str(card.figure.numerator)
    assert card.denominator is not None and card.denominator.count == str(card.figure.denominator)
    assert [link.part for link in card.extra] == [Part.OVERDUE_OPEN]
    response = client.get(card.denominator.url)
    numbers = {case.number for case in response.context["page"]}
    expected = set(
        cases_behind(user=dispatcher, kpi=Kpi.ON_TIME, part=Part.DENOMINATOR, period=ALL).values_list(
            "number", flat=True
        )
    )
    assert numbers == expected and numbers
    html = response.content.decode()
    assert all(f'data-case="{number}"' in html for number in numbers)


def test_a_ranking_row_lists_its_own_cases(client, dispatcher, history, world):
    client.force_login(dispatcher)
    rows = kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.UNIT)
    urban = next(row for row in rows if row.key == world.unit_urban.pk)
    listed = _listed(client, kpi=Kpi.RESPONSE, part=Part.DENOMINATOR, by="unit", key=world.unit_urban.pk)
    assert listed.context["page"].paginator.count == urban.kpis[Kpi.RESPONSE].denominator
    without = _listed(client, kpi=Kpi.RESPONSE, part=Part.DENOMINATOR, by="unit", key="none")
    nobody = next(row for row in rows if row.key is None)
    assert without.context["page"].paginator.count == nobody.kpis[Kpi.RESPONSE].denominator


def test_a_ranking_row_outside_the_users_scope_is_not_found(client, dispatcher, outsider, history, world):
    client.force_login(dispatcher)
    base = {**EVERYTHING, "kpi": "response", "part": "numerator"}
    assert client.get(CASES, {**base, "by": "unit", "key": world.unit_other_office.pk}).status_code == 404
    assert client.get(CASES, {**base, "by": "community", "key": world.community_c.pk}).status_code == 404
    assert client.get(CASES, {**base, "by": "grid", "key": world.grid_c1.pk}).status_code == 404
    assert client.get(CASES, {**base, "by": "grid", "key": world.grid_a1.pk}).status_code == 200  # a dashboard row
    assert client.get(CASES, {**base, "by": "unit", "key": "abc"}).status_code == 404


@pytest.mark.parametrize(
    "params",
    [{}, {"kpi": "response"}, {"kpi": "nope", "part": "numerator"}, {"kpi": "supervision", "part": "denominator"}],
)
def test_a_number_that_has_no_list_is_not_found(client, dispatcher, world, now, params):
    client.force_login(dispatcher)
    assert client.get(CASES, params).status_code == 404


def test_the_outsider_cannot_list_the_office_cases_even_with_a_crafted_link(client, outsider, history, world):
    client.force_login(outsider)
    # His list (the dashboard's drill-down) holds his community's cases only
    response = client.get(CASES, {**EVERYTHING, "kpi": "return", "part": "denominator"})
    assert response.status_code == 200
    codes = [case.scope_code for case in response.context["page"].object_list]
    assert codes and all(code.startswith(world.community_b.prefix) for code in codes)
    assert (
        client.get(
            CASES, {**EVERYTHING, "kpi": "return", "part": "denominator", "place": world.community_a.pk}
        ).status_code
        == 400
    )


def test_a_list_exports_to_excel_with_its_filters(client, dispatcher, history, world):
    client.force_login(dispatcher)
    params = {**EVERYTHING, "kpi": Kpi.RESOLUTION, "part": Part.DENOMINATOR, "place": world.community_a.pk}
    response = client.get(CASES, {**params, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    expected = set(
        cases_behind(
            user=dispatcher,
            kpi=Kpi.RESOLUTION,
            part=Part.DENOMINATOR,
            period=ALL,
            filters=KpiFilter(place_prefix=world.community_a.prefix),
        ).values_list("number", flat=True)
    )
    assert {row[0] for row in rows[2:]} == expected and expected
    assert "2026-11-01" in rows[0][1] and "A社区" in rows[0][1]


# --- rankings and chart ------------------------------------------------------------------------------------------


def test_with_the_daily_rollups_built_the_page_reads_them_and_shows_the_live_figures(client, dispatcher, history):
    # Given the daily rollups built over the fixture's history
    rollups.rebuild()
    client.force_login(dispatcher)
    week = {"period": "custom", "start": "2026-11-30", "end": "2026-12-06"}
    for params, period in ((EVERYTHING, ALL), (week, period_of(dt.date(2026, 11, 30), dt.date(2026, 12, 6)))):
        # When the KPI page is asked for a period the rollups cover
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INDEX, params)
        # Then its cards and rankings are the live selectors' figures, and it read the rollups to make them
        assert triples(card.figure for card in response.context["cards"]) == triples(
            kpi_summary(user=dispatcher, period=period)
        )
        rankings = {r["by"]: r["rows"] for r in response.context["rankings"]}
        for by in (GroupBy.UNIT, GroupBy.COMMUNITY):
            live = kpi_ranking(user=dispatcher, period=period, by=by)
            assert [(row["label"], row["rank"]) for row in rankings[by]] == [(row.label, row.rank) for row in live]
        assert any("analytics_dailycount" in q["sql"] or "analytics_monthlycount" in q["sql"] for q in queries)


def test_rankings_of_communities_and_units_and_the_chart(client, dispatcher, history, world):
    client.force_login(dispatcher)
    response = client.get(INDEX, EVERYTHING)
    rankings = {r["by"]: r["rows"] for r in response.context["rankings"]}
    expected_units = kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.UNIT)
    assert [row["label"] for row in rankings["unit"]] == [row.label for row in expected_units]
    assert [row["rank"] for row in rankings["unit"]] == [row.rank for row in expected_units]
    communities = kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.COMMUNITY)
    assert [row["label"] for row in rankings["community"]] == [row.label for row in communities]
    assert len(rankings["unit"][0]["cells"]) == len(Kpi.values)
    # the chart: the composite score of each community, in percent, in ranking order
    html = response.content.decode()
    start = html.index('<script id="kpi-composite-data" type="application/json">')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    scored = [row for row in communities if row.key is not None and row.kpis[Kpi.COMPOSITE].value is not None]
    assert data["labels"] == [row.label for row in scored]
    assert data["values"] == [
        float((Decimal(row.kpis[Kpi.COMPOSITE].value or 0) * 100).quantize(Decimal("0.1"))) for row in scored
    ]
    assert "jiedao/kpi.js" in html and "echarts.min.js" in html
    assert "<script>" not in html  # the CSP forbids inline scripts


# --- queries -----------------------------------------------------------------------------------------------------


def test_the_pages_use_a_bounded_number_of_queries(
    client, world, dispatcher, unit_handler, urban_handler, deputy_leader, principal_leader, history, now
):
    client.force_login(dispatcher)
    list_params = {**EVERYTHING, "kpi": Kpi.RESPONSE, "part": Part.DENOMINATOR}

    def measure():
        with CaptureQueriesContext(connection) as page:
            assert client.get(INDEX, EVERYTHING).status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert client.get(CASES, list_params).status_code == 200
        return len(page), len(listed)

    before = measure()
    # Given ten more cases in two communities, with two units, through the services
    people = {
        "dispatcher": dispatcher,
        "unit_handler": unit_handler,
        "urban_handler": urban_handler,
        "deputy_leader": deputy_leader,
        "principal_leader": principal_leader,
    }
    builder = Builder(world, people)
    for n in range(10):
        case = builder.register("A1" if n % 2 else "B1")
        unit = "property" if n % 2 else "urban"
        builder.dispatch(case, unit)
        builder.sign(case, unit)
        builder.supervise(case)
        builder.reply_and_verify(case, unit)
        builder.callback(case, "satisfied", "satisfied", resolved=True)
    # Then the pages ask the same number of queries
    assert measure() == before
    # (the KPI page first asks whether the daily rollups can answer: none are built here, so it counts live)
    assert before[0] <= 18, before
