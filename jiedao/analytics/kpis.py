"""The office's KPIs (DOMAIN.md §2): what each one counts, its weights, and how its value is rounded and shown.

Every rate is numerator / denominator, both kept beside the value. Rates are Decimal fractions rounded
ROUND_HALF_UP to 4 places (shown as a percentage with 1 decimal); the value is None when the denominator is 0.
The queries that count the cases behind each definition live in jiedao.analytics.terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


class Kpi(models.TextChoices):
    RESPONSE = "response", _("Response rate")
    RESOLUTION = "resolution", _("Resolution rate")
    SATISFACTION = "satisfaction", _("Satisfaction with the result")
    PROCESS_SATISFACTION = "process_satisfaction", _("Satisfaction with the process")
    ON_TIME = "on_time", _("On-time closure rate")
    RETURN = "return", _("Return rate")
    REWORK = "rework", _("Rework rate")
    EXTENSION = "extension", _("Extension rate")
    SUPERVISION = "supervision", _("Supervision notices")
    DIRECT_ANSWER = "direct_answer", _("Direct answer rate")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    HANDLING_TIME = "handling_time", _("Average handling time (hours)")
    COMPOSITE = "composite", _("Composite score")


class Kind(models.TextChoices):
    RATE = "rate", _("Rate")
    COUNT = "count", _("Count")
    AVERAGE = "average", _("Average")
    SCORE = "score", _("Score")


class Part(models.TextChoices):
    """Which cases behind a figure to list (the drill-down)."""

    NUMERATOR = "numerator", _("Numerator")
    DENOMINATOR = "denominator", _("Denominator")
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    OVERDUE_OPEN = "overdue_open", _("Open and overdue")


ND = (Part.NUMERATOR, Part.DENOMINATOR)


@dataclass(frozen=True)
class Definition:
    kpi: Kpi
    kind: Kind
    # True when cases excluded from scoring (unreasonable demands, approved by a leader) are left out.
    scored: bool
    parts: tuple[Part, ...]
    text: StrPromise


DEFINITIONS: dict[str, Definition] = {
    d.kpi: d
    for d in (
        Definition(
            Kpi.RESPONSE,
            Kind.RATE,
            True,
            ND,
            _(
                "Cases first dispatched in the period whose main unit signed for them, or whose resident was first "
                "contacted, no later than the sign-off deadline, divided by the cases first dispatched in the "
                "period. The deadline is that of the main-unit dispatch signed for first (a return does not count "
                "as a sign-off); a case never signed for has not responded. Left out: cases excluded from scoring, "
                "merged and voided cases."
            ),
        ),
        Definition(
            Kpi.RESOLUTION,
            Kind.RATE,
            True,
            ND,
            _(
                "Cases whose latest callback falls in the period and found the problem resolved, divided by the "
                "cases whose latest callback falls in the period (a callback followed by another one no longer "
                "counts). Left out: cases excluded from scoring, merged and voided cases."
            ),
        ),
        Definition(
            Kpi.SATISFACTION,
            Kind.RATE,
            True,
            (*ND, Part.SATISFIED, Part.BASICALLY),
            _(
                "(Satisfied + basically satisfied × %(weight)s) with the result, at the latest callback of each "
                "case, divided by the cases whose latest callback falls in the period. Left out: cases excluded "
                "from scoring, merged and voided cases."
            ),
        ),
        Definition(
            Kpi.PROCESS_SATISFACTION,
            Kind.RATE,
            True,
            (*ND, Part.SATISFIED, Part.BASICALLY),
            _(
                "(Satisfied + basically satisfied × %(weight)s) with the handling process, at the latest callback "
                "of each case, divided by the cases whose latest callback falls in the period. Left out: cases "
                "excluded from scoring, merged and voided cases."
            ),
        ),
        Definition(
            Kpi.ON_TIME,
            Kind.RATE,
            True,
            (*ND, Part.OVERDUE_OPEN),
            _(
                "Cases closed no later than their finishing deadline, divided by the cases due to close: those "
                "whose finishing deadline falls in the period, closed or not, plus those still open and already "
                "overdue at the end of the period (for a period not over yet: now; a deadline not reached yet is "
                "not due). The deadline is the one recorded on the case: moved by approved extensions, restarted "
                "by rework; a suspended or parked case has none. Left out: cases excluded from scoring, merged "
                "and voided cases."
            ),
        ),
        Definition(
            Kpi.RETURN,
            Kind.RATE,
            False,
            ND,
            _(
                "Cases first dispatched in the period that a unit has returned at least once, divided by the cases "
                "first dispatched in the period. Left out: merged and voided cases; cases excluded from scoring "
                "count."
            ),
        ),
        Definition(
            Kpi.REWORK,
            Kind.RATE,
            False,
            ND,
            _(
                "Cases closed in the period that were sent back for rework at least once (failed verification, "
                "dissatisfied callback), divided by the cases closed in the period. Left out: not-accepted, merged "
                "and voided cases; cases excluded from scoring count."
            ),
        ),
        Definition(
            Kpi.EXTENSION,
            Kind.RATE,
            False,
            ND,
            _(
                "Cases first dispatched in the period that have had an extension approved, divided by the cases "
                "first dispatched in the period. Left out: merged and voided cases; cases excluded from scoring "
                "count."
            ),
        ),
        Definition(
            Kpi.SUPERVISION,
            Kind.COUNT,
            False,
            (Part.NUMERATOR,),
            _(
                "Supervision notices issued in the period (the list shows the cases that received them). Left "
                "out: merged and voided cases; cases excluded from scoring count."
            ),
        ),
        Definition(
            Kpi.DIRECT_ANSWER,
            Kind.RATE,
            False,
            ND,
            _(
                "Cases received in the period and answered at once, divided by the cases received in the period "
                "and accepted (accepted, dispatched or answered; not the ones refused or still awaiting the "
                "decision). Left out: merged and voided cases; cases excluded from scoring count."
            ),
        ),
        Definition(
            Kpi.NOT_ACCEPTED,
            Kind.COUNT,
            False,
            (Part.NUMERATOR,),
            _(
                "Cases received in the period and not accepted, with a reason. Left out: merged and voided cases; "
                "cases excluded from scoring count."
            ),
        ),
        Definition(
            Kpi.HANDLING_TIME,
            Kind.AVERAGE,
            False,
            ND,
            _(
                "Total hours from receipt to closure of the cases closed in the period, divided by their number "
                "(calendar hours, suspensions included). Left out: not-accepted, merged and voided cases; cases "
                "excluded from scoring count."
            ),
        ),
        Definition(
            Kpi.COMPOSITE,
            Kind.SCORE,
            True,
            ND,
            _(
                "Weighted mean of %(weights)s, from their values as shown (4 places). A component without cases "
                "in the period (denominator 0) is left out and the other weights are rescaled; no value when none "
                "has cases."
            ),
        ),
    )
}

RATES = frozenset(k for k, d in DEFINITIONS.items() if d.kind == Kind.RATE)
DEFAULT_BASIC_SATISFACTION_WEIGHT = Decimal("0.8")
DEFAULT_COMPOSITE_WEIGHTS: dict[str, Decimal] = {
    Kpi.RESPONSE: Decimal(30),
    Kpi.RESOLUTION: Decimal(35),
    Kpi.SATISFACTION: Decimal(35),
}

FRACTION = Decimal("0.0001")
HOURS = Decimal("0.01")
PERCENT = Decimal("0.1")


def _decimal(value: object) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


def basic_satisfaction_weight(value: object = None) -> Decimal:
    """What one "basically satisfied" counts for (settings.KPI_BASIC_SATISFACTION_WEIGHT, local practice).

    Raises ValueError outside [0, 1].
    """
    if value is None:
        value = getattr(settings, "KPI_BASIC_SATISFACTION_WEIGHT", DEFAULT_BASIC_SATISFACTION_WEIGHT)
    weight = _decimal(value)
    if not Decimal(0) <= weight <= Decimal(1):
        raise ValueError("the weight of basically satisfied must lie between 0 and 1")
    return weight


def composite_weights(value: Mapping[str, object] | None = None) -> dict[str, Decimal]:
    """The composite score's weights by rate KPI (settings.KPI_COMPOSITE_WEIGHTS, default 30/35/35).

    Raises ValueError for a key that is not a rate, a negative weight or weights that sum to 0.
    """
    raw = getattr(settings, "KPI_COMPOSITE_WEIGHTS", DEFAULT_COMPOSITE_WEIGHTS) if value is None else value
    weights = {str(key): _decimal(weight) for key, weight in raw.items()}
    unknown = sorted(set(weights) - RATES)
    if unknown:
        raise ValueError(f"composite weights may only name rates, not {', '.join(unknown)}")
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("composite weights may not be negative")
    if sum(weights.values(), Decimal(0)) <= 0:
        raise ValueError("composite weights must add up to more than 0")
    return {key: weight for key, weight in weights.items() if weight > 0}


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator / denominator as a fraction rounded half up to 4 places; None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(FRACTION, rounding=ROUND_HALF_UP)


def percent(value: Decimal | None) -> str:
    """A fraction as a percentage with 1 decimal, rounded half up: Decimal("0.87655") → "87.7%"; None → "—"."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(PERCENT, rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class Figure:
    """One KPI for one period and filter: numerator / denominator = value, with the counts behind it."""

    kpi: str
    numerator: int | Decimal
    denominator: int | Decimal | None
    value: int | Decimal | None
    # Named sub-counts (satisfied, basically satisfied, open and overdue…), each listable by cases_behind.
    parts: Mapping[str, int] = field(default_factory=dict)
    # Values substituted into the definition text (the satisfaction weight, the composite weights).
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return DEFINITIONS[self.kpi].kind

    @property
    def label(self) -> str:
        return str(Kpi(self.kpi).label)

    @property
    def definition(self) -> str:
        """The definition in the active language, with this figure's weights filled in."""
        text = str(DEFINITIONS[self.kpi].text)
        return text % dict(self.params) if self.params else text

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.kind in (Kind.RATE, Kind.SCORE):
            return percent(Decimal(self.value))
        return str(self.value)
