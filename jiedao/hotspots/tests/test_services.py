"""The snapshot of an office's week: what it groups, its figures, and refreshing it again."""

from __future__ import annotations

import datetime as dt

import pytest

from jiedao.cases import services as case_services
from jiedao.cases.errors import InvalidInput
from jiedao.core.errors import ActionForbidden
from jiedao.hotspots.models import HotSpot, HotSpotCase, HotSpotWeek
from jiedao.hotspots.selectors import hotspot_cases, rising_hotspots
from jiedao.hotspots.services import hotspots_refresh
from jiedao.hotspots.tests.conftest import A1, A2, B1, C1, GARBAGE, LAMP, LAMP_OTHER, NOISE, WATER, WEEK, at, register


def lamps_rising(dispatcher, *, this_week=4, before=1):
    """`this_week` lamp cases in the reference week (A1, A2 and B1), `before` of them three weeks earlier."""
    points = [A1, A2, B1, A1, A1, A2]
    made = [
        register(
            dispatcher, LAMP if n % 2 else LAMP_OTHER, point=points[n % len(points)], received_at=at(WEEK, 9 + n), n=n
        )
        for n in range(this_week)
    ]
    made += [
        register(dispatcher, LAMP, received_at=at(WEEK - dt.timedelta(weeks=3), 9 + n), n=n + 10) for n in range(before)
    ]
    return made


def test_refresh_groups_the_weeks_similar_cases_with_their_figures(world, dispatcher, now):
    # Given four lamp cases this week and one three weeks ago, three garbage cases spread over the weeks, and noise
    lamps = lamps_rising(dispatcher)
    garbage = [register(dispatcher, GARBAGE, received_at=at(WEEK - dt.timedelta(weeks=w)), n=w) for w in (1, 2, 4)]
    register(dispatcher, NOISE)
    register(dispatcher, WATER, received_at=at(WEEK - dt.timedelta(weeks=1)))

    # When the week is refreshed
    spots = hotspots_refresh(office=world.office, week_start=WEEK)

    # Then the lamps are the first hot spot, rising, and the garbage a steady one
    lamp, rubbish = spots
    assert "路灯" in lamp.keywords and "路灯" in lamp.label
    assert (lamp.size, lamp.this_week, lamp.weekly, lamp.trend) == (5, 4, [0, 1, 0, 0, 4], "rising")
    assert str(lamp.baseline) == "0.25" and str(lamp.difference) == "3.75" and str(lamp.ratio) == "16.00"
    assert sorted(HotSpotCase.objects.filter(hotspot=lamp).values_list("case_id", flat=True)) == sorted(
        c.pk for c in lamps
    )
    assert lamp.places["communities"] == [
        {"id": world.community_a.pk, "name": world.community_a.name, "count": 4},
        {"id": world.community_b.pk, "name": world.community_b.name, "count": 1},
    ]
    assert lamp.places["grids"][0] == {
        "id": world.grid_a1.pk,
        "name": world.grid_a1.name,
        "community": world.community_a.name,
        "count": 3,
    }
    assert (rubbish.size, rubbish.this_week, rubbish.weekly, rubbish.trend) == (3, 0, [1, 0, 1, 1, 0], "steady")
    assert {c.pk for c in garbage} == set(HotSpotCase.objects.filter(hotspot=rubbish).values_list("case_id", flat=True))
    assert HotSpotWeek.objects.get(office=world.office, week_start=WEEK).cases == 10


def test_refreshing_twice_gives_the_same_rows(world, dispatcher, now):
    lamps_rising(dispatcher)

    def rows():
        return [
            (s.rank, s.label, s.keywords, s.size, s.this_week, s.weekly, s.baseline, s.trend, s.places)
            for s in HotSpot.objects.order_by("rank")
        ], sorted(HotSpotCase.objects.values_list("hotspot__rank", "case_id", "this_week"))

    hotspots_refresh(office=world.office, week_start=WEEK)
    first = rows()
    hotspots_refresh(office=world.office, week_start=WEEK)
    assert rows() == first
    assert HotSpot.objects.count() == 1 and HotSpotWeek.objects.count() == 1


def test_voided_merged_other_office_and_out_of_window_cases_are_left_out(
    world, dispatcher, other_office_dispatcher, now
):
    kept = lamps_rising(dispatcher, this_week=3, before=0)
    voided = register(dispatcher, LAMP, received_at=at(WEEK, 15), n=7)
    case_services.case_void(case_id=voided.pk, actor=dispatcher, note="登记错误")
    merged = register(dispatcher, LAMP, received_at=at(WEEK, 16), n=8)
    case_services.case_merge(case_id=merged.pk, into_id=kept[0].pk, actor=dispatcher)
    register(other_office_dispatcher, LAMP, point=C1, received_at=at(WEEK, 11))
    register(dispatcher, LAMP, received_at=at(WEEK + dt.timedelta(weeks=1)), n=9)  # next week
    register(dispatcher, LAMP, received_at=at(WEEK - dt.timedelta(weeks=5)), n=9)  # six weeks ago

    [spot] = hotspots_refresh(office=world.office, week_start=WEEK)

    assert set(HotSpotCase.objects.filter(hotspot=spot).values_list("case_id", flat=True)) == {c.pk for c in kept}


def test_a_case_received_at_monday_midnight_in_shanghai_counts_for_that_week(world, dispatcher, now):
    # Sunday 23:59 in Shanghai belongs to the week before; Monday 00:00 to the reference week
    register(dispatcher, LAMP, received_at=at(WEEK - dt.timedelta(days=1), 23, 59), n=1)
    for n in range(3):
        register(dispatcher, LAMP, received_at=at(WEEK, 0, 0), n=n + 2)
    [spot] = hotspots_refresh(office=world.office, week_start=WEEK)
    assert spot.weekly == [0, 0, 0, 1, 3]


def test_refresh_refuses_other_days_places_and_people(world, dispatcher, deputy_leader, now):
    with pytest.raises(InvalidInput):
        hotspots_refresh(office=world.office, week_start=WEEK + dt.timedelta(days=1))
    with pytest.raises(InvalidInput):
        hotspots_refresh(office=world.community_a, week_start=WEEK)
    with pytest.raises(ActionForbidden):
        hotspots_refresh(office=world.office, week_start=WEEK, actor=dispatcher)
    assert hotspots_refresh(office=world.office, week_start=WEEK, actor=deputy_leader) == []
    assert HotSpotWeek.objects.filter(office=world.office, week_start=WEEK, cases=0).exists()


def test_rising_hotspots_gives_plain_data_for_the_weekly_report(world, dispatcher, deputy_leader, now):
    lamps = lamps_rising(dispatcher)
    hotspots_refresh(office=world.office, week_start=WEEK)

    [row] = rising_hotspots(office=world.office, week_start=WEEK)

    assert row["office"] == world.office.name and row["week_start"] == "2026-11-23"
    assert row["this_week"] == 4 and row["weekly"] == [0, 1, 0, 0, 4] and row["trend"] == "rising"
    assert row["case_ids"] == sorted(c.pk for c in lamps)
    assert row["communities"][0]["name"] == world.community_a.name
    assert rising_hotspots(user=deputy_leader, week_start=WEEK) == [row]
    assert rising_hotspots(office=world.office, week_start=WEEK - dt.timedelta(weeks=1)) == []
    with pytest.raises(ValueError):
        rising_hotspots(week_start=WEEK)


def test_outsiders_see_nothing_of_the_office(world, dispatcher, outsider, other_office_dispatcher, grid_worker, now):
    lamps_rising(dispatcher)
    [spot] = hotspots_refresh(office=world.office, week_start=WEEK)
    # The other office's dispatcher and a community's staff read no hot spot of office 甲
    assert rising_hotspots(user=other_office_dispatcher, week_start=WEEK) == []
    assert rising_hotspots(user=outsider, week_start=WEEK) == []
    assert rising_hotspots(user=grid_worker, week_start=WEEK) == []
    # and the cases behind a hot spot are only those the viewer may see: B's staff sees B's case only
    assert [c.scope_code for c in hotspot_cases(user=outsider, hotspot=spot)] == [world.grid_b1.code]
    assert list(hotspot_cases(user=other_office_dispatcher, hotspot=spot)) == []
