"""Only the cases a user may see count; the number of queries does not grow with the number of cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiedao.analytics import rollups
from jiedao.analytics.dashboard import dashboard_ranking
from jiedao.analytics.kpis import Kpi, Part
from jiedao.analytics.selectors import GroupBy, KpiFilter, cases_behind, kpi_ranking, kpi_summary
from jiedao.analytics.tests.conftest import ALL, W1, W2, Builder
from jiedao.analytics.views import period_of
from jiedao.core.scope import scope_of


def triples(kpis):
    return {f.kpi: (f.numerator, f.denominator, f.value) for f in kpis}


def test_the_outsider_counts_only_his_community(history, world, dispatcher, outsider):
    # The outsider is community staff of B: his figures are the office's figures filtered to B
    for period in (W1, W2, ALL):
        mine = kpi_summary(user=outsider, period=period)
        office_b = kpi_summary(user=dispatcher, period=period, filters=KpiFilter(place_prefix=world.community_b.prefix))
        assert triples(mine) == triples(office_b)
        assert triples(mine) != triples(kpi_summary(user=dispatcher, period=period))
    # asking for community A gives nothing, not A's figures
    a_only = kpi_summary(user=outsider, period=ALL, filters=KpiFilter(place_prefix=world.community_a.prefix))
    assert all(not f.numerator for f in a_only)
    listed = cases_behind(user=outsider, kpi=Kpi.RETURN, part=Part.DENOMINATOR, period=ALL)
    assert listed.exists()
    assert all(code.startswith(world.community_b.prefix) for code in listed.values_list("scope_code", flat=True))
    communities = kpi_ranking(user=outsider, period=ALL, by=GroupBy.COMMUNITY)
    assert [row.key for row in communities] == [world.community_b.pk]


def test_a_unit_handler_counts_the_cases_ever_dispatched_to_his_unit(history, unit_handler):
    listed = cases_behind(user=unit_handler, kpi=Kpi.RETURN, part=Part.DENOMINATOR, period=ALL)
    names = {case.pk: name for name, case in history.items()}
    assert sorted(names[pk] for pk in listed.values_list("pk", flat=True)) == [
        "excluded",
        "good",
        "returned",
        "third_week",
    ]


def test_anonymous_users_count_nothing(history):
    kpis = kpi_summary(user=AnonymousUser(), period=ALL)
    assert all(not f.numerator and not f.denominator for f in kpis)


def test_the_number_of_queries_does_not_grow_with_the_cases(
    history,
    world,
    dispatcher,
    unit_handler,
    urban_handler,
    deputy_leader,
    principal_leader,
    now,
    django_assert_num_queries,
):
    scope_of(dispatcher)  # the user's scope is computed once per request, not per selector

    def measure():
        with django_assert_num_queries(2):  # the aggregate and the supervision notices
            summary = kpi_summary(user=dispatcher, period=ALL)
        with django_assert_num_queries(3):  # the grouped aggregate, the notices and the unit names
            kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.UNIT)
        with django_assert_num_queries(2):  # channels need no names from the database
            kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.CHANNEL)
        with django_assert_num_queries(1):
            list(cases_behind(user=dispatcher, kpi=Kpi.ON_TIME, part=Part.DENOMINATOR, period=ALL))
        return summary

    before = measure()
    # Given ten more cases, dispatched, signed, supervised and closed through the services
    people = {
        "dispatcher": dispatcher,
        "unit_handler": unit_handler,
        "urban_handler": urban_handler,
        "deputy_leader": deputy_leader,
        "principal_leader": principal_leader,
    }
    builder = Builder(world, people)
    for _ in range(10):
        case = builder.register("A1")
        builder.dispatch(case, "property")
        builder.sign(case, "property")
        builder.supervise(case)
        builder.reply_and_verify(case, "property")
        builder.callback(case, "satisfied", "satisfied", resolved=True)
    # Then the same number of queries counts more cases
    after = measure()
    assert after[Kpi.RESPONSE].denominator == before[Kpi.RESPONSE].denominator + 10
    assert after[Kpi.SUPERVISION].numerator == before[Kpi.SUPERVISION].numerator + 10


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_on_sqlite_the_grouped_counts_read_the_time_indexes_not_a_whole_index_in_group_order(history, dispatcher, now):
    # Given the daily rollups built, so that a ranking counts only today live from the cases
    rollups.rebuild()
    this_month = period_of(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    with CaptureQueriesContext(connection) as queries:
        for by in (GroupBy.GRID, GroupBy.COMMUNITY, GroupBy.UNIT):
            dashboard_ranking(user=dispatcher, period=this_month, by=by)
    grouped = [q["sql"] for q in queries if 'AS "group_key"' in q["sql"] and 'FROM "cases_case"' in q["sql"]]
    notices = [q["sql"] for q in queries if 'FROM "cases_supervision"' in q["sql"]]
    assert grouped and notices
    with connection.cursor() as cursor:
        plans = []
        for sql in grouped + notices:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plans.append(" / ".join(str(row[-1]) for row in cursor.fetchall()))
    # Then no query walks a grouping column's index through every case (270 ms at 100,000 cases), and the notices
    # are not checked against a list of every case the viewer sees (70 ms)
    for plan in plans:
        assert "SCAN cases_case USING INDEX" not in plan, plan
        assert "SCAN U0" not in plan, plan
