"""Rankings by group, filters, and the cases behind every number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiedao.analytics.kpis import DEFINITIONS, Kpi, Part
from jiedao.analytics.selectors import GroupBy, KpiFilter, cases_behind, kpi_ranking, kpi_summary
from jiedao.analytics.tests.conftest import ALL, W1, W2, W3


def names_of(history, queryset):
    by_pk = {case.pk: name for name, case in history.items()}
    return sorted(by_pk[pk] for pk in queryset.values_list("pk", flat=True))


def test_units_are_ranked_by_composite_score(history, world, dispatcher):
    rows = kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.UNIT)
    assert [row.key for row in rows] == [world.unit_property_a.pk, world.unit_urban.pk, None]
    assert [row.rank for row in rows] == [1, 2, None]  # cases with no unit are listed, not ranked
    assert [row.label for row in rows[:2]] == ["A物业", "甲城管科"]
    first, second = (Decimal(row.kpis[Kpi.COMPOSITE].value or 0) for row in rows[:2])
    assert first > second > 0


def test_equal_scores_share_a_rank_and_groups_without_a_score_come_last(history, dispatcher, english):
    # W1 by channel: 12345 and phone score 1; grid and resident 0 (late responses); WeChat has no scored data
    rows = kpi_ranking(user=dispatcher, period=W1, by=GroupBy.CHANNEL)
    ranked = [(row.key, row.rank, row.kpis[Kpi.COMPOSITE].value) for row in rows]
    assert ranked == [
        ("12345", 1, Decimal("1.0000")),
        ("phone", 1, Decimal("1.0000")),
        ("grid", 3, Decimal("0.0000")),
        ("resident", 3, Decimal("0.0000")),
        ("wechat", None, None),
    ]
    assert rows[0].label == "12345 hotline transfer"


def test_communities_and_grids_and_level_one_categories(history, world, categories, dispatcher):
    communities = kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.COMMUNITY)
    assert {row.key: row.label for row in communities} == {world.community_a.pk: "A社区", world.community_b.pk: "B社区"}
    grids = kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.GRID)
    assert {row.key for row in grids} == {world.grid_a1.pk, world.grid_a2.pk, world.grid_b1.pk}
    by_category = kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.CATEGORY)
    # the level-3 路灯 cases count under their level-1 城乡建设
    assert {row.key: row.label for row in by_category if row.key} == {
        "01": "城乡建设",
        "02": "社区事务",
        "03": "政策咨询",
    }
    city = next(row for row in by_category if row.key == "01")
    assert city.kpis[Kpi.RESPONSE].denominator == 4  # good, rework, never_signed, third_week (excluded left out)
    assert next(row for row in by_category if row.key is None).rank is None


def test_rows_by_request_type_and_unknown_grouping(history, dispatcher):
    rows = kpi_ranking(user=dispatcher, period=W1, by=GroupBy.REQUEST_TYPE)
    assert {row.key for row in rows} == {"help", "complaint", "consultation", "report"}
    with pytest.raises(ValueError):
        kpi_ranking(user=dispatcher, period=W1, by="weather")


def test_filters_narrow_the_cases(history, world, categories, dispatcher):
    def dispatched(**fields):
        return names_of(
            history,
            cases_behind(
                user=dispatcher, kpi=Kpi.RETURN, part=Part.DENOMINATOR, period=ALL, filters=KpiFilter(**fields)
            ),
        )

    assert dispatched(category_code=categories.city.code) == [
        "excluded",
        "good",
        "never_signed",
        "rework",
        "third_week",
    ]
    assert dispatched(category_code=categories.property.code) == ["late", "return_refused", "returned"]
    assert dispatched(channel="grid") == ["late", "third_week"]
    assert dispatched(unit_id=world.unit_urban.pk) == [
        "extended",
        "future",
        "late",
        "never_signed",
        "return_refused",
        "rework",
        "suspended",
    ]
    assert dispatched(place_prefix=world.grid_a2.prefix) == ["late", "never_signed"]
    assert dispatched(place_prefix=world.community_b.prefix, request_type="complaint") == ["rework"]


@pytest.mark.parametrize("period", [W1, W2, W3, ALL])
def test_the_cases_behind_every_number_are_as_many_as_the_number(history, world, dispatcher, period):
    filters = KpiFilter(place_prefix=world.office.prefix)
    kpis = kpi_summary(user=dispatcher, period=period, filters=filters)
    checked = 0
    for kpi, definition in DEFINITIONS.items():
        figure = kpis[kpi]
        for part in definition.parts:
            listed = cases_behind(user=dispatcher, kpi=kpi, part=part, period=period, filters=filters).count()
            if part in figure.parts:
                assert listed == figure.parts[part], (kpi, part)
            elif kpi == Kpi.SUPERVISION:
                assert listed == figure.parts["cases"]
            elif kpi in (Kpi.SATISFACTION, Kpi.PROCESS_SATISFACTION) and part == Part.NUMERATOR:
                assert listed == figure.parts[Part.SATISFIED] + figure.parts[Part.BASICALLY]
            elif kpi in (Kpi.HANDLING_TIME, Kpi.COMPOSITE):
                continue
            else:
                expected = figure.numerator if part == Part.NUMERATOR else figure.denominator
                assert listed == expected, (kpi, part)
            checked += 1
    assert checked >= 25


def test_the_cases_behind_a_ranking_row(history, world, dispatcher):
    rows = kpi_ranking(user=dispatcher, period=ALL, by=GroupBy.UNIT)
    for row in rows:
        for kpi, part in ((Kpi.RESPONSE, Part.DENOMINATOR), (Kpi.ON_TIME, Part.NUMERATOR), (Kpi.REWORK, "numerator")):
            listed = cases_behind(user=dispatcher, kpi=kpi, part=part, period=ALL, by=row.by, key=row.key)
            figure = row.kpis[kpi]
            assert listed.count() == (figure.numerator if part == Part.NUMERATOR else figure.denominator)
    nobody = cases_behind(user=dispatcher, kpi=Kpi.DIRECT_ANSWER, part=Part.NUMERATOR, period=ALL, by="unit", key=None)
    assert names_of(history, nobody) == ["answered", "answered_no_phone"]
    lamps = cases_behind(user=dispatcher, kpi=Kpi.RESPONSE, part=Part.NUMERATOR, period=ALL, by="category", key="01")
    assert names_of(history, lamps) == ["good", "rework", "third_week"]


def test_composite_lists_the_union_of_its_components(history, dispatcher):
    behind = cases_behind(user=dispatcher, kpi=Kpi.COMPOSITE, part=Part.DENOMINATOR, period=W1)
    # dispatched in W1 (excluded left out) or called back last in W1
    assert names_of(history, behind) == ["answered", "extended", "good", "late", "returned", "rework"]


def test_a_part_a_kpi_does_not_have_is_refused(history, dispatcher):
    with pytest.raises(ValueError):
        cases_behind(user=dispatcher, kpi=Kpi.NOT_ACCEPTED, part=Part.DENOMINATOR, period=W1)
    with pytest.raises(ValueError):
        cases_behind(user=dispatcher, kpi="happiness", part=Part.NUMERATOR, period=W1)
