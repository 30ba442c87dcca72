"""Time limits of a case: which rule applies, when each clock ends, and the traffic light of the time used."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiedao.cases.models import Case, DeadlineRule
from jiedao.workdays.calendar import Limit, Pause, work_calendar
from jiedao.workdays.choices import LimitUnit

# Used when no rule matches at all (an empty rules table): the common 5 working days.
FALLBACK = Limit(amount=Decimal(5), unit=LimitUnit.WORKING_DAYS)


class Light(models.TextChoices):
    GREEN = "green", _("On time")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")
    NONE = "none", _("No running clock")


@dataclass(frozen=True)
class Facts:
    """What a rule is matched against."""

    request_type: str
    category_ids: tuple[int, ...]  # the case's category and its ancestors, most specific first
    urgency: str
    channel: str


def facts_of(case: Case) -> Facts:
    chain: list[int] = []
    node = case.category
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    return Facts(case.request_type, tuple(chain), case.urgency, case.channel)


def _specificity(rule: DeadlineRule, facts: Facts) -> tuple[int, int, int, int] | None:
    """None when the rule does not match; otherwise a key where larger is more specific."""
    if rule.request_type and rule.request_type != facts.request_type:
        return None
    if rule.urgency and rule.urgency != facts.urgency:
        return None
    if rule.channel and rule.channel != facts.channel:
        return None
    if rule.category_id is not None:
        if rule.category_id not in facts.category_ids:
            return None
        # a rule on the case's own category beats one on its parent, which beats one on the root
        depth = len(facts.category_ids) - facts.category_ids.index(rule.category_id)
    else:
        depth = 0
    return (depth, int(bool(rule.urgency)), int(bool(rule.request_type)), int(bool(rule.channel)))


def choose_rule(rules: Iterable[DeadlineRule], facts: Facts) -> DeadlineRule | None:
    """The most specific matching rule: category depth first, then urgency, type and channel; ties by lowest id."""
    best: tuple[tuple[int, int, int, int], int, DeadlineRule] | None = None
    for rule in rules:
        key = _specificity(rule, facts)
        if key is None:
            continue
        if best is None or key > best[0] or (key == best[0] and rule.pk < best[1]):
            best = (key, rule.pk, rule)
    return best[2] if best else None


def limit_for(case: Case, stage: str) -> Limit:
    """The limit of `stage` for this case from the rules table (FALLBACK if none matches)."""
    rule = choose_rule(DeadlineRule.objects.filter(stage=stage), facts_of(case))
    if rule is None:
        return FALLBACK
    return Limit(amount=rule.amount, unit=rule.unit)


def deadline(start: dt.datetime, limit: Limit, pauses: Sequence[Pause] = ()) -> dt.datetime | None:
    return work_calendar().deadline(start, limit, pauses)


def pauses_of(case: Case) -> list[Pause]:
    return [(s.started_at, s.ended_at) for s in case.suspensions.all()]


def light(
    *,
    started_at: dt.datetime | None,
    deadline_at: dt.datetime | None,
    now: dt.datetime,
    unit: str,
    pauses: Sequence[Pause] = (),
    suspended: bool = False,
) -> str:
    """Green, yellow (share of the limit used ≥ CASE_WARNING_SHARE) or red (past the deadline).

    The one function every list, detail page, dashboard and export uses.
    """
    if started_at is None or deadline_at is None or suspended:
        return Light.NONE
    if now > deadline_at:
        return Light.RED
    used = work_calendar().used_fraction(started_at, deadline_at, now, unit, pauses)
    return Light.YELLOW if used >= settings.CASE_WARNING_SHARE else Light.GREEN


def yellow_among(clocks: Sequence[tuple[dt.datetime, dt.datetime, str]], now: dt.datetime) -> list[bool]:
    """For running clocks (start, deadline, unit) without pauses, not past their deadline: whether `light` calls
    each yellow, computed for all at once (the same figures, one pass over the calendar)."""
    used = work_calendar().used_fractions(clocks, now)
    return [fraction >= settings.CASE_WARNING_SHARE for fraction in used]


def earliest(*moments: dt.datetime | None) -> dt.datetime | None:
    """The earliest of the given deadlines (a 12345 transfer keeps the upstream one when it is earlier)."""
    present = [m for m in moments if m is not None]
    return min(present) if present else None
