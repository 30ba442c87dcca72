"""The daily rollups agree with the raw cases: every figure the dashboard reads from them equals the live
selectors' for many periods, places and viewers, right after a rebuild, while days are stale, after a refresh,
and across midnight; an incremental refresh writes exactly what a rebuild writes."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from jiedao.analytics import rollups
from jiedao.analytics.dashboard import (
    Bucket,
    buckets,
    by_category,
    by_channel,
    by_request_type,
    dashboard_ranking,
    dashboard_summary,
    grid_counts,
    kpi_trend,
    volume_series,
)
from jiedao.analytics.models import DailyCount, LateClosure, MonthlyCount, RollupState, StaleDay
from jiedao.analytics.selectors import GroupBy, KpiFilter, kpi_ranking, kpi_summary
from jiedao.analytics.tests.conftest import ALL, W2, at
from jiedao.analytics.views import period_of
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.models import Case
from jiedao.cases.services import case_register

pytestmark = pytest.mark.django_db


def triples(kpi_set):
    return {f.kpi: (f.numerator, f.denominator, f.value, dict(f.parts)) for f in kpi_set}


def days(first, last):
    return period_of(first, last)


def periods(now):
    """Periods of every shape: weeks, months, single days (past, stale, today), up to now, and in the future."""
    today = now().astimezone(rollups.SHANGHAI).date()
    return [
        W2,
        ALL,
        days(dt.date(2026, 11, 20), today),
        days(dt.date(2026, 11, 18), dt.date(2026, 11, 20)),
        days(today - dt.timedelta(days=1), today + dt.timedelta(days=3)),
        days(dt.date(2027, 1, 5), dt.date(2027, 1, 9)),
    ]


def filters_of(world):
    return [KpiFilter(), KpiFilter(place_prefix=world.community_a.prefix), KpiFilter(place_prefix=world.office.prefix)]


def assert_agrees(user, world, now):
    """Every figure of the rollup path equals the live selectors' (and the rollup path is the one answering)."""
    for period in periods(now):
        for filters in filters_of(world):
            assert rollups.rollup_counts(user=user, filters=filters, periods=[period]) is not None
            live = kpi_summary(user=user, period=period, filters=filters)
            assert triples(dashboard_summary(user=user, period=period, filters=filters)) == triples(live), (
                period,
                filters,
            )
            for held in (False, True):  # a page holds one read for the community and grid groupings
                with rollups.held_coverage() if held else nullcontext():
                    received = grid_counts(user=user, period=period, filters=filters)
                    for by in (GroupBy.UNIT, GroupBy.COMMUNITY, GroupBy.GRID):
                        rolled = dashboard_ranking(user=user, period=period, by=by, filters=filters)
                        expected = kpi_ranking(user=user, period=period, by=by, filters=filters)
                        assert [(r.key, r.rank, triples(r.kpis)) for r in rolled] == [
                            (r.key, r.rank, triples(r.kpis)) for r in expected
                        ], (period, filters, by, held)
                assert received == grid_counts(user=user, period=period, filters=filters)


def assert_dashboard_parts_agree(user, world):
    """The volume, slices and trend from the rollups equal the same functions with the rollups out of reach."""
    filters = KpiFilter(place_prefix=world.office.prefix)
    calls = {
        "volume": lambda: volume_series(user=user, period=ALL, filters=filters, bucket=Bucket.DAY),
        "channel": lambda: by_channel(user=user, period=ALL, filters=filters),
        "type": lambda: by_request_type(user=user, period=ALL, filters=filters),
        "category1": lambda: by_category(user=user, period=ALL, filters=filters, level=1),
        "category2": lambda: by_category(user=user, period=ALL, filters=filters, level=2),
        "grids": lambda: grid_counts(user=user, period=ALL, filters=filters),
        "trend": lambda: [
            (p.period, triples(p.figures.values()))
            for p in kpi_trend(user=user, period=ALL, filters=filters, bucket=Bucket.WEEK)
        ],
        # November is a whole month before today: read from MonthlyCount, December by day.
        "trend by month": lambda: [
            (p.period, triples(p.figures.values()))
            for p in kpi_trend(user=user, period=ALL, filters=filters, bucket=Bucket.MONTH)
        ],
    }
    rolled = {name: call() for name, call in calls.items()}
    state = RollupState.objects.get()
    until = state.covered_until
    RollupState.objects.update(covered_until=None)
    rollups_coverage = rollups.coverage
    try:
        rollups.coverage = lambda: None  # the live path, as on an install whose worker never ran
        live = {name: call() for name, call in calls.items()}
    finally:
        rollups.coverage = rollups_coverage
        RollupState.objects.update(covered_until=until)
    assert rolled == live
    assert sum(n for _p, n in rolled["volume"]) == sum(s.count for s in rolled["channel"]) > 0


def rows():
    """The rollup tables' content, comparable across a refresh and a rebuild."""
    skip = {"id"}
    daily = sorted(tuple(v for k, v in row.items() if k not in skip) for row in DailyCount.objects.values())
    late = sorted(tuple(v for k, v in row.items() if k not in skip) for row in LateClosure.objects.values())
    monthly = sorted(tuple(v for k, v in row.items() if k not in skip) for row in MonthlyCount.objects.values())
    return daily, late, monthly


def test_the_rollups_agree_with_the_cases_right_after_a_rebuild(
    history, dispatcher, principal_leader, community_staff, world, now
):
    written = rollups.rebuild()
    assert written > 0 and StaleDay.objects.filter(day__lt=dt.date(2026, 12, 9)).count() == 0
    # Each month's rows are the sums of its days' rows, group by group.
    november = DailyCount.objects.filter(day__gte=dt.date(2026, 11, 1), day__lt=dt.date(2026, 12, 1))
    monthly = MonthlyCount.objects.filter(month=dt.date(2026, 11, 1))
    assert (
        monthly.count()
        == november.values("breakdown", "scope_code", "key", "community_id", "grid_id").distinct().count()
    )
    assert monthly.aggregate(n=Sum("received"), d=Sum("due_in_period")) == november.aggregate(
        n=Sum("received"), d=Sum("due_in_period")
    )
    assert RollupState.objects.get().covered_until == dt.date(2026, 12, 9)
    for user in (dispatcher, principal_leader, community_staff):
        assert_agrees(user, world, now)
    assert_dashboard_parts_agree(dispatcher, world)


def test_changes_are_counted_live_until_the_refresh_and_then_from_the_rollups(
    history, dispatcher, world, now, community_staff
):
    rollups.rebuild()
    now.set(2026, 12, 9, 15, 0)
    # A late registration of an old call, an exclusion, an earlier closing, another main unit, a moved deadline:
    # each changes days before today.
    case_register(
        actor=dispatcher,
        channel=Channel.PHONE,
        request_type=RequestType.HELP,
        title="补录",
        content="补录的来电。",
        office=world.office,
        received_at=at(2026, 11, 20, 8, 0),
    )
    excluded = Case.objects.get(pk=history["good"].pk)
    excluded.excluded_from_scoring = True
    excluded.save()
    earlier = Case.objects.get(pk=history["late"].pk)
    assert earlier.closed_at is not None
    earlier.closed_at -= dt.timedelta(days=3)
    earlier.save()
    moved = Case.objects.get(pk=history["extended"].pk)
    moved.main_unit_id = world.unit_urban.pk
    moved.finish_deadline = at(2026, 11, 18, 17, 0)
    moved.save()
    stale = set(StaleDay.objects.values_list("day", flat=True))
    assert dt.date(2026, 11, 20) in stale and len(stale) >= 4
    assert_agrees(dispatcher, world, now)

    assert rollups.refresh() >= len({d for d in stale if d < dt.date(2026, 12, 9)})
    assert not StaleDay.objects.filter(day__lt=dt.date(2026, 12, 9)).exists()
    assert_agrees(dispatcher, world, now)
    refreshed = rows()
    rollups.rebuild()
    assert rows() == refreshed


def test_a_refresh_after_midnight_adds_the_days_that_ended(history, dispatcher, world, now):
    rollups.rebuild()
    now.set(2026, 12, 11, 9, 0)
    case = Case.objects.get(pk=history["future"].pk)
    case.excluded_from_scoring = True
    case.save()
    assert_agrees(dispatcher, world, now)  # 12-09 and 12-10 are counted live until the refresh
    stale = set(StaleDay.objects.filter(day__lt=dt.date(2026, 12, 11)).values_list("day", flat=True))
    assert rollups.refresh() == len(stale | {dt.date(2026, 12, 9), dt.date(2026, 12, 10)})
    assert RollupState.objects.get().covered_until == dt.date(2026, 12, 11)
    assert_agrees(dispatcher, world, now)
    refreshed = rows()
    rollups.rebuild()
    assert rows() == refreshed


def test_a_save_that_changes_nothing_counted_marks_nothing(history, now):
    rollups.rebuild()
    StaleDay.objects.all().delete()
    case = Case.objects.get(pk=history["good"].pk)
    case.title = "只改标题"
    case.save()
    assert not StaleDay.objects.exists()
    case.urgency = "urgent"
    case.save()
    assert not StaleDay.objects.exists()
    case.request_type = RequestType.COMPLAINT
    case.save()
    assert StaleDay.objects.exists()


def test_a_bulk_writer_marks_each_stale_day_once_at_the_end_of_its_block(history, now):
    rollups.rebuild()
    StaleDay.objects.all().delete()
    first, second = Case.objects.get(pk=history["good"].pk), Case.objects.get(pk=history["late"].pk)
    with transaction.atomic(), rollups.stale_days_deferred():
        for case in (first, second, first):
            other = RequestType.COMPLAINT if case.request_type != RequestType.COMPLAINT else RequestType.HELP
            case.request_type = other
            case.save()
        assert not StaleDay.objects.exists()  # gathered, not yet written
    written = list(StaleDay.objects.values_list("day", flat=True))
    assert len(written) == len(set(written)) > 0
    assert rollups.local_day(first.received_at) in written and rollups.local_day(second.received_at) in written

    StaleDay.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic(), rollups.stale_days_deferred():
        first.request_type = RequestType.HELP
        first.save()
        raise RuntimeError("the import failed")
    assert not StaleDay.objects.exists()


def test_viewers_and_filters_the_rollups_do_not_break_down_fall_back_to_the_live_selectors(
    history, dispatcher, unit_handler, grid_worker, world, now
):
    rollups.rebuild()
    for user, filters in (
        (dispatcher, KpiFilter(unit_id=world.unit_urban.pk)),
        (dispatcher, KpiFilter(channel=Channel.PHONE)),
        (dispatcher, KpiFilter(category_code="01")),
        (unit_handler, KpiFilter()),
    ):
        assert rollups.rollup_counts(user=user, filters=filters, periods=[ALL]) is None
        live = kpi_summary(user=user, period=ALL, filters=filters)
        assert triples(dashboard_summary(user=user, period=ALL, filters=filters)) == triples(live)
    # Below an office the per-scope rows still answer the totals; the per-office breakdowns leave it to the cases
    for user, filters in ((dispatcher, KpiFilter(place_prefix=world.grid_a1.code)), (grid_worker, KpiFilter())):
        assert rollups.rollup_counts(user=user, filters=filters, periods=[ALL]) is not None
        assert rollups.rollup_counts(user=user, filters=filters, periods=[ALL], grouping="unit") is None
        live = kpi_summary(user=user, period=ALL, filters=filters)
        assert triples(dashboard_summary(user=user, period=ALL, filters=filters)) == triples(live)
        for by in (GroupBy.UNIT, GroupBy.GRID):
            assert [
                (r.key, triples(r.kpis)) for r in dashboard_ranking(user=user, period=ALL, by=by, filters=filters)
            ] == [(r.key, triples(r.kpis)) for r in kpi_ranking(user=user, period=ALL, by=by, filters=filters)]


def test_before_the_first_build_the_live_selectors_answer(history, dispatcher, world):
    assert rollups.rollup_counts(user=dispatcher, filters=KpiFilter(), periods=[ALL]) is None
    assert triples(dashboard_summary(user=dispatcher, period=ALL)) == triples(kpi_summary(user=dispatcher, period=ALL))


def test_the_dashboard_reads_few_rows_with_the_rollups(history, dispatcher, client, django_assert_max_num_queries):
    rollups.rebuild()
    client.force_login(dispatcher)
    with django_assert_max_num_queries(80):
        response = client.get("/analytics/dashboard/", {"period": "custom", "start": "2026-11-01", "end": "2026-12-31"})
    assert response.status_code == 200
    shown = {card.figure.kpi: (card.figure.numerator, card.figure.denominator) for card in response.context["cards"]}
    period = days(dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    assert shown == {f.kpi: (f.numerator, f.denominator) for f in kpi_summary(user=dispatcher, period=period)}


def test_the_command_rebuilds_and_refreshes(history, now, capsys):
    call_command("rollups", "--rebuild")
    assert "rebuilt" in capsys.readouterr().out
    assert RollupState.objects.get().covered_until == dt.date(2026, 12, 9)
    call_command("rollups")
    assert "refreshed" in capsys.readouterr().out


def test_the_worker_refreshes_every_five_minutes(history):
    from huey.contrib.djhuey import HUEY

    from jiedao.analytics import tasks

    assert "refresh_rollups" in [type(t).__name__ for t in HUEY._registry.periodic_tasks]
    task = tasks.refresh_rollups.s()
    assert task.validate_datetime(dt.datetime(2026, 12, 9, 10, 5))
    assert not task.validate_datetime(dt.datetime(2026, 12, 9, 10, 6))
    assert tasks.refresh_rollups.call_local() > 0  # the first refresh builds them
    assert RollupState.objects.get().covered_until == dt.date(2026, 12, 9)


def test_week_buckets_of_a_month_agree(history, dispatcher, world, now):
    rollups.rebuild()
    month = days(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    for bucket in (Bucket.DAY, Bucket.WEEK):
        points = kpi_trend(user=dispatcher, period=month, bucket=bucket)
        assert [p.period for p in points] == buckets(month, bucket)
        for point in points:
            expected = kpi_summary(user=dispatcher, period=point.period, kpis=list(point.figures))
            assert triples(point.figures.values()) == triples(expected)
