"""The KPIs of the history, worked out by hand from the timeline in conftest.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from jiedao.analytics.kpis import Kpi, Part
from jiedao.analytics.selectors import THREE_RATES, KpiFilter, Period, cases_behind, kpi_summary
from jiedao.analytics.tests.conftest import ALL, W1, W2, W3, at

D = Decimal

# (numerator, denominator, value) per KPI, derived by hand from the timeline.
EXPECTED = {
    "W1": {
        # dispatched: good, late, rework, returned, extended (excluded: left out); in time: good, rework, extended
        Kpi.RESPONSE: (3, 5, D("0.6000")),
        # latest callbacks in W1: good, answered (rework's first callback is no longer the latest; excluded left out)
        Kpi.RESOLUTION: (2, 2, D("1.0000")),
        Kpi.SATISFACTION: (2, 2, D("1.0000")),
        Kpi.PROCESS_SATISFACTION: (2, 2, D("1.0000")),
        # due in W1: the two consultations (1 working day), both closed on time
        Kpi.ON_TIME: (2, 2, D("1.0000")),
        # dispatched, excluded included: 6; returned once: returned; extended: extended
        Kpi.RETURN: (1, 6, D("0.1667")),
        Kpi.EXTENSION: (1, 6, D("0.1667")),
        # closed in W1: good, answered, answered_no_phone, excluded (refused is not accepted)
        Kpi.REWORK: (0, 4, D("0.0000")),
        Kpi.SUPERVISION: (0, None, 0),
        # received and accepted in W1: 8 (refused left out), answered at once: 2
        Kpi.DIRECT_ANSWER: (2, 8, D("0.2500")),
        Kpi.NOT_ACCEPTED: (1, None, 1),
        # 50 h + 24 h + 0 h + 49 h over 4
        Kpi.HANDLING_TIME: (D("123.00"), 4, D("30.75")),
        # 30 × 0.6 + 35 × 1 + 35 × 1 over 100
        Kpi.COMPOSITE: (D("88.0000"), 100, D("0.8800")),
    },
    "W2": {
        # dispatched: never_signed (never signed), suspended, return_refused (signed by the second deadline)
        Kpi.RESPONSE: (2, 3, D("0.6667")),
        # latest callbacks: rework (resolved), late (resolved), extended (not resolved)
        Kpi.RESOLUTION: (2, 3, D("0.6667")),
        # result: satisfied 1 + basically 2 × 0.8 = 2.6; process: the same mix
        Kpi.SATISFACTION: (D("2.6"), 3, D("0.8667")),
        Kpi.PROCESS_SATISFACTION: (D("2.6"), 3, D("0.8667")),
        # due: good ✓, late ✗, returned (open) ✗, extended ✓ (after its extension), rework ✓ (rework limit),
        # waiting (open) ✗
        Kpi.ON_TIME: (3, 6, D("0.5000")),
        Kpi.RETURN: (1, 3, D("0.3333")),
        Kpi.EXTENSION: (0, 3, D("0.0000")),
        # closed: rework (reworked), late, extended
        Kpi.REWORK: (1, 3, D("0.3333")),
        Kpi.SUPERVISION: (2, None, 2),
        # accepted: never_signed, suspended, return_refused, waiting (pending still awaits the decision)
        Kpi.DIRECT_ANSWER: (0, 4, D("0.0000")),
        Kpi.NOT_ACCEPTED: (0, None, 0),
        # 168 h + 192.5 h + 193 h over 3
        Kpi.HANDLING_TIME: (D("553.50"), 3, D("184.50")),
        # 30 × 0.6667 + 35 × 0.6667 + 35 × 0.8667
        Kpi.COMPOSITE: (D("73.6700"), 100, D("0.7367")),
    },
    "W3": {
        Kpi.RESPONSE: (1, 1, D("1.0000")),
        # return_refused: satisfied, satisfied; third_week: process satisfied, result basically
        Kpi.RESOLUTION: (2, 2, D("1.0000")),
        Kpi.SATISFACTION: (D("1.8"), 2, D("0.9000")),
        Kpi.PROCESS_SATISFACTION: (D("2.0"), 2, D("1.0000")),
        # due in W3: never_signed ✗, return_refused ✓; open and overdue from before: returned ✗, waiting ✗
        Kpi.ON_TIME: (1, 4, D("0.2500")),
        Kpi.RETURN: (0, 1, D("0.0000")),
        Kpi.EXTENSION: (0, 1, D("0.0000")),
        Kpi.REWORK: (1, 2, D("0.5000")),
        Kpi.SUPERVISION: (1, None, 1),
        Kpi.DIRECT_ANSWER: (0, 1, D("0.0000")),
        Kpi.NOT_ACCEPTED: (0, None, 0),
        # 145 h + 25 h over 2
        Kpi.HANDLING_TIME: (D("170.00"), 2, D("85.00")),
        Kpi.COMPOSITE: (D("96.5000"), 100, D("0.9650")),
    },
}
PERIODS = {"W1": W1, "W2": W2, "W3": W3}


@pytest.mark.parametrize("week", EXPECTED)
def test_kpis_of_each_week_match_the_timeline(history, dispatcher, week):
    kpis = kpi_summary(user=dispatcher, period=PERIODS[week])
    got = {f.kpi: (f.numerator, f.denominator, f.value) for f in kpis}
    assert got == EXPECTED[week]


def test_satisfaction_and_on_time_parts(history, dispatcher):
    kpis = kpi_summary(user=dispatcher, period=W2)
    assert kpis[Kpi.SATISFACTION].parts == {Part.SATISFIED: 1, Part.BASICALLY: 2}
    assert kpis[Kpi.PROCESS_SATISFACTION].parts == {Part.SATISFIED: 1, Part.BASICALLY: 2}
    assert kpis[Kpi.ON_TIME].parts == {Part.OVERDUE_OPEN: 2}  # returned and waiting
    assert kpis[Kpi.SUPERVISION].parts == {"cases": 2}


def test_open_and_overdue_cases_count_in_the_denominator_of_every_later_period(history, dispatcher):
    names = {pk: name for name, pk in ((n, c.pk) for n, c in history.items())}
    behind = cases_behind(user=dispatcher, kpi=Kpi.ON_TIME, part=Part.OVERDUE_OPEN, period=W3)
    assert sorted(names[pk] for pk in behind.values_list("pk", flat=True)) == ["never_signed", "returned", "waiting"]
    due = cases_behind(user=dispatcher, kpi=Kpi.ON_TIME, part=Part.DENOMINATOR, period=W3)
    assert {"returned", "waiting"} <= {names[pk] for pk in due.values_list("pk", flat=True)}


def test_a_deadline_not_reached_yet_is_not_due(history, dispatcher, now):
    # The whole of November and December, asked on 12-09: `future` is due on 12-14, not yet
    names = {c.pk: name for name, c in history.items()}
    due = cases_behind(user=dispatcher, kpi=Kpi.ON_TIME, part=Part.DENOMINATOR, period=ALL)
    assert "future" not in {names[pk] for pk in due.values_list("pk", flat=True)}
    assert kpi_summary(user=dispatcher, period=ALL)[Kpi.ON_TIME].denominator == 11
    # Once the deadline has passed, it is due, and late
    now.set(2026, 12, 15, 9, 0)
    on_time = kpi_summary(user=dispatcher, period=ALL)[Kpi.ON_TIME]
    assert (on_time.numerator, on_time.denominator) == (7, 12)


def test_a_period_that_has_not_begun_has_nothing_due(history, dispatcher):
    later = Period(at(2027, 1, 4), at(2027, 1, 11))
    on_time = kpi_summary(user=dispatcher, period=later)[Kpi.ON_TIME]
    assert (on_time.numerator, on_time.denominator, on_time.value) == (0, 0, None)


def test_excluded_cases_leave_the_scored_rates_but_not_the_others(history, dispatcher, principal_leader):
    # Given the excluded case, dispatched, closed and called back (dissatisfied) in W1
    excluded = history["excluded"].pk
    scored = {Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION, Kpi.PROCESS_SATISFACTION, Kpi.ON_TIME}
    for kpi in scored:
        assert not cases_behind(user=dispatcher, kpi=kpi, part=Part.DENOMINATOR, period=ALL).filter(pk=excluded)
    for kpi in (Kpi.RETURN, Kpi.EXTENSION, Kpi.REWORK, Kpi.HANDLING_TIME, Kpi.DIRECT_ANSWER):
        assert cases_behind(user=dispatcher, kpi=kpi, part=Part.DENOMINATOR, period=ALL).filter(pk=excluded)


def test_merged_and_voided_cases_are_not_cases(history, dispatcher):
    gone = {history["merged"].pk, history["voided"].pk}
    for kpi, part in ((Kpi.RETURN, Part.DENOMINATOR), (Kpi.DIRECT_ANSWER, Part.DENOMINATOR)):
        assert not cases_behind(user=dispatcher, kpi=kpi, part=part, period=ALL).filter(pk__in=gone)
    # the merged resident's callback (satisfied, resolved) is not among the callbacks of W1
    assert kpi_summary(user=dispatcher, period=W1)[Kpi.RESOLUTION].denominator == 2


def test_no_cases_no_values(world, dispatcher, now):
    # Given no case at all: every rate is None (nothing divided by 0), every count 0
    kpis = kpi_summary(user=dispatcher, period=W1)
    for figure in kpis:
        if figure.denominator is None:
            assert figure.value == 0
        else:
            assert (figure.denominator, figure.value) == (0, None), figure.kpi
    assert kpis[Kpi.COMPOSITE].display == "—"


def test_a_component_without_cases_leaves_the_composite_and_the_rest_is_rescaled(history, dispatcher):
    # W3 filtered to community B: return_refused only, which was dispatched in W2: no response denominator
    kpis = kpi_summary(user=dispatcher, period=W3, filters=KpiFilter(place_prefix=history["rework"].scope_code))
    assert kpis[Kpi.RESPONSE].value is None
    assert kpis[Kpi.RESOLUTION].value == D(1) and kpis[Kpi.SATISFACTION].value == D(1)
    assert (kpis[Kpi.COMPOSITE].numerator, kpis[Kpi.COMPOSITE].denominator) == (D(70), D(70))
    assert kpis[Kpi.COMPOSITE].value == D(1)


def test_weights_are_arguments_and_settings(history, dispatcher, english):
    equal = kpi_summary(user=dispatcher, period=W2, weights={Kpi.RESPONSE: 1, Kpi.ON_TIME: 1})
    # (0.6667 + 0.5) / 2
    assert equal[Kpi.COMPOSITE].value == D("0.5834")
    assert "On-time closure rate 1" in equal[Kpi.COMPOSITE].definition
    with override_settings(KPI_BASIC_SATISFACTION_WEIGHT="1", KPI_COMPOSITE_WEIGHTS={"satisfaction": 1}):
        kpis = kpi_summary(user=dispatcher, period=W2)
    assert kpis[Kpi.SATISFACTION].value == D(1)
    assert kpis[Kpi.COMPOSITE].value == D(1)
    assert "basically satisfied × 1) with the result" in kpis[Kpi.SATISFACTION].definition
    half = kpi_summary(user=dispatcher, period=W2, basic_weight="0.5")
    assert half[Kpi.SATISFACTION].numerator == D("2.0")  # 1 + 2 × 0.5
    with pytest.raises(ValueError, match="only name rates"):
        kpi_summary(user=dispatcher, period=W2, weights={Kpi.SUPERVISION: 1})
    with pytest.raises(ValueError, match="between 0 and 1"):
        kpi_summary(user=dispatcher, period=W2, basic_weight="1.5")


def test_period_must_be_aware_and_ordered():
    with pytest.raises(ValueError, match="aware"):
        Period(dt.datetime(2026, 11, 1), dt.datetime(2026, 12, 1))
    with pytest.raises(ValueError, match="start before"):
        Period(at(2026, 12, 1), at(2026, 12, 1))


def test_a_case_closed_late_after_the_period_counts_as_open_and_overdue_in_it(history, dispatcher):
    # Tuesday 11-24 before 09:30: `late` (due Monday 17:30) is closed at 10:00, after the period; `returned` is open
    morning = Period(at(2026, 11, 24), at(2026, 11, 24, 9, 30))
    names = {c.pk: name for name, c in history.items()}
    due = cases_behind(user=dispatcher, kpi=Kpi.ON_TIME, part=Part.DENOMINATOR, period=morning)
    assert sorted(names[pk] for pk in due.values_list("pk", flat=True)) == ["late", "returned"]
    on_time = kpi_summary(user=dispatcher, period=morning)[Kpi.ON_TIME]
    assert (on_time.numerator, on_time.denominator, on_time.parts) == (0, 2, {Part.OVERDUE_OPEN: 2})


def test_a_first_contact_by_the_sign_off_deadline_is_a_response(history, dispatcher):
    # The workflow records a contact only after the main unit's sign-off, so the services cannot build this
    # state: `late` was signed for on Wednesday 09:00, after Tuesday 17:30; say the resident was reached on
    # Tuesday noon.
    late = history["late"]
    assert kpi_summary(user=dispatcher, period=W1)[Kpi.RESPONSE].numerator == 3
    type(late).objects.filter(pk=late.pk).update(contacted_at=at(2026, 11, 17, 12, 0))
    assert kpi_summary(user=dispatcher, period=W1)[Kpi.RESPONSE].numerator == 4
    # a contact after the deadline is not one
    type(late).objects.filter(pk=late.pk).update(contacted_at=at(2026, 11, 17, 18, 0))
    assert kpi_summary(user=dispatcher, period=W1)[Kpi.RESPONSE].numerator == 3


@pytest.mark.parametrize("week", EXPECTED)
def test_a_subset_of_kpis_counts_the_same_as_the_whole_set(history, dispatcher, week, django_assert_num_queries):
    everything = kpi_summary(user=dispatcher, period=PERIODS[week])
    with django_assert_num_queries(1):  # no supervision asked for: the case table alone
        three = kpi_summary(user=dispatcher, period=PERIODS[week], kpis=THREE_RATES)
    assert [f.kpi for f in three] == list(THREE_RATES)
    assert all(three[kpi] == everything[kpi] for kpi in THREE_RATES)
    # The composite score brings its components along, and still equals the full computation's.
    composite = kpi_summary(user=dispatcher, period=PERIODS[week], kpis=[Kpi.COMPOSITE])
    assert [f.kpi for f in composite] == [Kpi.COMPOSITE]
    assert composite[Kpi.COMPOSITE] == everything[Kpi.COMPOSITE]
    assert (
        kpi_summary(user=dispatcher, period=PERIODS[week], kpis=[Kpi.SUPERVISION])[Kpi.SUPERVISION]
        == (everything[Kpi.SUPERVISION])
    )


def test_an_unknown_kpi_is_refused(history, dispatcher):
    with pytest.raises(ValueError, match="unknown KPI: speed"):
        kpi_summary(user=dispatcher, period=W1, kpis=["speed"])
