"""Definitions, weights, rounding and the start-up checks of the KPI settings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from jiedao.analytics.checks import check_kpi_weights
from jiedao.analytics.kpis import (
    DEFINITIONS,
    Figure,
    Kind,
    Kpi,
    basic_satisfaction_weight,
    composite_weights,
    percent,
    ratio,
)

D = Decimal


def test_rates_are_rounded_half_up_to_four_places():
    assert ratio(2, 3) == D("0.6667")
    assert ratio(1, 8) == D("0.1250")
    assert ratio(1, 20000) == D("0.0001")  # 0.00005: half up, not half even
    assert ratio(D("2.6"), 3) == D("0.8667")
    assert ratio(0, 5) == D("0.0000")


def test_a_zero_denominator_has_no_value():
    assert ratio(0, 0) is None
    assert ratio(3, D(0)) is None
    assert percent(None) == "—"


def test_percentages_show_one_decimal_rounded_half_up():
    assert percent(D("0.8765")) == "87.7%"  # 87.65: half up, not half even
    assert percent(D("1.0000")) == "100.0%"
    assert percent(D("0.0004")) == "0.0%"


def test_figures_display_by_kind():
    assert Figure(Kpi.RESPONSE, 2, 3, ratio(2, 3)).display == "66.7%"
    assert Figure(Kpi.SUPERVISION, 4, None, 4).display == "4"
    assert Figure(Kpi.HANDLING_TIME, D("10.50"), 4, D("2.63")).display == "2.63"
    assert Figure(Kpi.RESOLUTION, 0, 0, None).display == "—"


def test_every_kpi_is_defined_and_says_what_it_leaves_out(english):
    assert set(DEFINITIONS) == set(Kpi.values)
    for kpi, definition in DEFINITIONS.items():
        text = str(definition.text)
        if kpi != Kpi.COMPOSITE:
            assert "merged and voided" in text, kpi
        if definition.kind == Kind.RATE and definition.scored:
            assert "excluded from scoring, merged" in text, kpi
        elif definition.kind != Kind.SCORE:
            assert "cases excluded from scoring count" in text, kpi
    scored = {kpi for kpi, d in DEFINITIONS.items() if d.scored}
    assert scored == {
        Kpi.RESPONSE,
        Kpi.RESOLUTION,
        Kpi.SATISFACTION,
        Kpi.PROCESS_SATISFACTION,
        Kpi.ON_TIME,
        Kpi.COMPOSITE,
    }


def test_the_satisfaction_weight_comes_from_the_settings_with_a_default():
    assert basic_satisfaction_weight() == D("0.8")
    with override_settings(KPI_BASIC_SATISFACTION_WEIGHT=1):
        assert basic_satisfaction_weight() == D(1)
    assert basic_satisfaction_weight("0.6") == D("0.6")
    for bad in ("-0.1", "1.01", "much", "NaN"):
        with pytest.raises(ValueError):
            basic_satisfaction_weight(bad)


def test_composite_weights_default_to_30_35_35_and_are_checked():
    assert composite_weights() == {Kpi.RESPONSE: 30, Kpi.RESOLUTION: 35, Kpi.SATISFACTION: 35}
    assert composite_weights({"on_time": "1", "response": 0}) == {"on_time": D(1)}  # a 0 weight drops out
    with pytest.raises(ValueError, match="only name rates"):
        composite_weights({"supervision": 1})
    with pytest.raises(ValueError, match="negative"):
        composite_weights({"response": -1, "resolution": 2})
    with pytest.raises(ValueError, match="more than 0"):
        composite_weights({"response": 0})


def test_bad_settings_are_caught_at_start_up():
    assert check_kpi_weights(None) == []
    with override_settings(KPI_BASIC_SATISFACTION_WEIGHT="2", KPI_COMPOSITE_WEIGHTS={"weather": 1}):
        assert [error.id for error in check_kpi_weights(None)] == ["analytics.E001", "analytics.E002"]
    with override_settings(KPI_COMPOSITE_WEIGHTS=[30, 35, 35]):
        assert [error.id for error in check_kpi_weights(None)] == ["analytics.E002"]
