"""The selectors agree with a plain recomputation from the event log, for several periods and filters."""

from __future__ import annotations

import pytest

from jiedao.analytics.kpis import Kpi
from jiedao.analytics.selectors import GroupBy, KpiFilter, Period, kpi_ranking, kpi_summary
from jiedao.analytics.tests.conftest import ALL, END, W1, W2, W3, at
from jiedao.analytics.tests.replay import recompute, stories
from jiedao.places.models import Place

# Tuesday 11-24 before 09:30: a case due the day before is closed just after it (open and overdue in it).
TUESDAY_MORNING = Period(at(2026, 11, 24), at(2026, 11, 24, 9, 30))
PERIODS = {"W1": W1, "W2": W2, "W3": W3, "ALL": ALL, "Tuesday morning": TUESDAY_MORNING}


def as_triples(kpis):
    return {f.kpi: (f.numerator, f.denominator, f.value) for f in kpis}


def filters_of(world, categories):
    return {
        "everything": {},
        "community A": {"place_prefix": world.community_a.prefix},
        "community B": {"place_prefix": world.community_b.prefix},
        "grid A2": {"place_prefix": world.grid_a2.prefix},
        "urban unit": {"unit_id": world.unit_urban.pk},
        "property unit": {"unit_id": world.unit_property_a.pk},
        "category 01 subtree": {"category_code": categories.city.code},
        "category 0201": {"category_code": categories.property.code},
        "phone": {"channel": "phone"},
        "complaints": {"request_type": "complaint"},
        "urban complaints in B": {
            "unit_id": world.unit_urban.pk,
            "request_type": "complaint",
            "place_prefix": world.community_b.prefix,
        },
    }


@pytest.mark.parametrize("period", PERIODS)
def test_every_kpi_agrees_with_the_event_log_for_every_filter(history, world, categories, dispatcher, period):
    # Given the history and its events read back one by one
    told = stories()
    for name, fields in filters_of(world, categories).items():
        # When the selectors count the same period and filter in the database
        selected = as_triples(kpi_summary(user=dispatcher, period=PERIODS[period], filters=KpiFilter(**fields)))
        # Then every numerator, denominator and value is the recomputed one
        expected = recompute(told, start=PERIODS[period].start, end=PERIODS[period].end, now=END, **fields)
        assert selected.keys() == expected.keys(), name
        for kpi, triple in expected.items():
            assert selected[kpi] == triple, f"{period} / {name} / {kpi}"


def test_the_recomputation_sees_real_activity(history, world):
    # Guards the test above against agreeing on nothing: every count it compares is non-zero somewhere.
    told = stories()
    totals = recompute(told, start=ALL.start, end=ALL.end, now=END)
    assert all(numerator for numerator, _d, _v in totals.values()), totals
    assert all(denominator for _n, denominator, _v in totals.values() if denominator is not None), totals


@pytest.mark.parametrize("by", [GroupBy.UNIT, GroupBy.COMMUNITY, GroupBy.GRID, GroupBy.CATEGORY])
@pytest.mark.parametrize("period", ["W1", "W2", "ALL"])
def test_every_ranking_row_agrees_with_the_event_log(history, dispatcher, by, period):
    told = stories()
    rows = kpi_ranking(user=dispatcher, period=PERIODS[period], by=by)
    assert rows
    prefixes = dict(Place.objects.values_list("pk", "prefix"))
    for row in rows:
        if row.key is None:
            continue  # the rest: compared through the totals below
        fields = {
            GroupBy.UNIT: {"unit_id": row.key},
            GroupBy.COMMUNITY: {"place_prefix": prefixes.get(row.key)},
            GroupBy.GRID: {"place_prefix": prefixes.get(row.key)},
            GroupBy.CATEGORY: {"category_code": row.key},
        }[by]
        expected = recompute(told, start=PERIODS[period].start, end=PERIODS[period].end, now=END, **fields)
        assert as_triples(row.kpis) == expected, f"{period} / {by} / {row.label}"
    # The rows add up to the whole: every case is in exactly one group
    whole = kpi_summary(user=dispatcher, period=PERIODS[period])
    for kpi in (Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.ON_TIME, Kpi.REWORK, Kpi.SUPERVISION, Kpi.DIRECT_ANSWER):
        assert sum(row.kpis[kpi].numerator for row in rows) == whole[kpi].numerator
        assert sum(row.kpis[kpi].denominator or 0 for row in rows) == (whole[kpi].denominator or 0)
