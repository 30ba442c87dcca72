"""The plan of the demo year, pure and from the seed: when each demand comes, its type, template, place and reporter,
and which cases take which branch of the loop (exact shares of the cases a branch can happen to, at least one each).
Nothing here touches the database; the flows in case_flows carry a plan out through the services."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from jiedao.cases.choices import Channel, Satisfaction, Urgency
from jiedao.demo import case_texts as texts
from jiedao.demo.case_texts import Template
from jiedao.demo.case_time import office_later
from jiedao.demo.case_world import Grid, Office, World
from jiedao.places.models import Building
from jiedao.workdays.calendar import WorkCalendar

# Exact request-type mix per channel (per cent): overall 咨询 45, 求助 30, 建议 15, 投诉/举报 10 with 1 : 2.
MIX: dict[str, dict[str, float]] = {
    Channel.HOTLINE_12345: {"consultation": 40, "help": 28, "suggestion": 12, "complaint": 14, "report": 6},
    Channel.GRID: {"consultation": 47.5, "help": 31, "suggestion": 16.5, "complaint": 4, "report": 1},
}
# Branches, with the share of the cases they can happen to (the population is named beside each).
MERGE, REJECT, VOID, ANSWER = "merge", "reject", "void", "answer"  # all / all / all / consultations
SELF_HANDLE = "self_handle"  # grid reports of a problem a grid worker can fix himself (a template with `spot`)
STALL_UNSIGNED, STALL_UNREPLIED = "stall_unsigned", "stall_unreplied"  # open and overdue today
RETURN, REFUSED_RETURN, EXTENSION, SUSPEND = "return", "refused_return", "extension", "suspend"  # dispatched
SUPERVISE, VERIFY_FAIL, CO_UNIT, ESCALATE, PARK = "supervise", "verify_fail", "co_unit", "escalate", "park"
REWORK, EXCLUDE = "rework", "exclude"  # dispatched and called back
UNPARK = "unpark"  # half of the parked cases
OVERSIGHT = frozenset({SUSPEND, ESCALATE, SUPERVISE, EXTENSION})
SHARES = {
    MERGE: 0.02, REJECT: 0.01, VOID: 0.003, ANSWER: 0.45, SELF_HANDLE: 0.6, RETURN: 0.06, REFUSED_RETURN: 0.01,
    EXTENSION: 0.05, SUSPEND: 0.02, SUPERVISE: 0.04, VERIFY_FAIL: 0.01, CO_UNIT: 0.02, ESCALATE: 0.005,
    PARK: 0.003, REWORK: 0.03, EXCLUDE: 0.003,
}  # fmt: skip
# The callback's rating of the result, in exact proportions over the cases with a resident to call back (those
# reworked after a 不满意 or excluded from scoring have their own): about 93 % satisfied or basically satisfied.
RATINGS: dict[str, float] = {Satisfaction.SATISFIED: 81, Satisfaction.BASICALLY: 12.5, Satisfaction.DISSATISFIED: 6.5}
ENDINGS = frozenset({MERGE, REJECT, VOID, STALL_UNSIGNED, STALL_UNREPLIED, REWORK, EXCLUDE})
OVERDUE_SHARE = 0.003  # of all cases: left open and overdue today ("a few dozen" of 12,000)
MATURE_DAYS = 40  # long branches go to cases received at least this long ago, so that they finish
WEEKDAY_12345 = (1.15, 1.05, 1.0, 1.0, 0.95, 0.55, 0.5)
# Share of grid reports sent with photos of the problem: found on patrol / about a building or a road.
PHOTOS_PATROL, PHOTOS_PLACE = 0.9, 0.4
# A problem that rose lately, so that a fresh demo's 热点研判 and dashboard have one to show: the lifts of one estate
# break down again and again, in the last complete week (SURGE_LAST_WEEK demands) and in this week's days so far (up
# to SURGE_THIS_WEEK). The demands are ones already planned in those days, turned into it.
SURGE_TEMPLATE = "elevator"
SURGE_LAST_WEEK, SURGE_THIS_WEEK = 5, 3


@dataclass
class Plan:
    index: int
    channel: str
    received_at: dt.datetime
    registered_at: dt.datetime = field(init=False)
    request_type: str = ""
    template: Template = field(init=False)
    grid: Grid = field(init=False)
    building: Building = field(init=False)
    urgency: str = Urgency.NORMAL
    rating: str = Satisfaction.SATISFIED
    upstream_number: str = ""
    photos: int = 0  # taken by the grid worker with his report
    branches: set[str] = field(default_factory=set)
    merge_into: int | None = None  # the plan index of the main case
    repeats: bool = False  # other cases are merged into this one
    surge: bool = False  # part of the recent surge: never merged, rejected or voided (it must stay counted)
    hold_until: dt.datetime | None = None  # a main case waits for its repeats to be merged before replying

    @property
    def office(self) -> Office:
        return self.grid.office

    @property
    def has_phone(self) -> bool:
        """A resident to call back: every 12345 caller; a grid report unless the worker found it on patrol."""
        return self.channel == Channel.HOTLINE_12345 or not self.template.patrol


def _moment(day: dt.date, seconds: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds))


def _day_weight(channel: str, day: dt.date, calendar: WorkCalendar) -> float:
    season = 1 + 0.2 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 196) / 365.25)  # peak in July
    working = calendar.is_workday(day)
    if channel == Channel.GRID:
        return season * ((1.05 if day.weekday() == 0 else 1.0) if working else 0.12)
    if working:
        return season * (WEEKDAY_12345[day.weekday()] if day.weekday() < 5 else 0.95)  # a make-up Saturday
    return season * (0.5 if day.weekday() < 5 else WEEKDAY_12345[day.weekday()])  # a holiday, or a weekend


def _time_of_day(rng: random.Random, channel: str, working: bool) -> int:
    hour = 3600
    if channel == Channel.GRID:
        if working and rng.random() < 0.9:
            return rng.randrange(int(8.5 * hour), int(17.5 * hour))
        return rng.randrange(9 * hour, 20 * hour)
    share = rng.random()
    if share < 0.78:
        return rng.randrange(8 * hour, 18 * hour)
    if share < 0.93:
        return rng.randrange(18 * hour, 23 * hour)
    return (23 * hour + rng.randrange(9 * hour)) % (24 * hour)


def _receipts(
    rng: random.Random, channel: str, count: int, days: list[dt.date], calendar: WorkCalendar
) -> list[tuple[dt.datetime, str]]:
    cumulative = list(itertools.accumulate(_day_weight(channel, d, calendar) for d in days))
    picked = rng.choices(days, cum_weights=cumulative, k=count)
    return [(_moment(d, _time_of_day(rng, channel, calendar.is_workday(d))), channel) for d in picked]


def exact(rng: random.Random, weights: dict[str, float], count: int) -> list[str]:
    """`count` labels in the exact proportions of `weights` (largest remainder), shuffled."""
    total = sum(weights.values())
    quotas = {k: w * count / total for k, w in weights.items()}
    counts = {k: int(q) for k, q in quotas.items()}
    for key in sorted(quotas, key=lambda k: (counts[k] - quotas[k], k))[: count - sum(counts.values())]:
        counts[key] += 1
    labels = [k for k in weights for _ in range(counts[k])]
    rng.shuffle(labels)
    return labels


def _is_evening(moment: dt.datetime) -> bool:
    hour = timezone.localtime(moment).hour
    return hour >= 18 or hour < 7


def _template(rng: random.Random, plan: Plan, residential: bool) -> Template:
    options = [
        t for t in texts.TEMPLATES if t.request_type == plan.request_type and (residential or t.where != "building")
    ]
    evening = _is_evening(plan.received_at)
    weights = [
        (t.hotline if plan.channel == Channel.HOTLINE_12345 else t.grid) * ((3.0 if evening else 0.3) if t.night else 1)
        for t in options
    ]
    return rng.choices(options, weights=weights)[0]


class Planner:
    def __init__(self, world: World, seed: int, end: dt.datetime, calendar: WorkCalendar) -> None:
        self.world, self.seed, self.end, self.calendar = world, seed, end, calendar

    def plans(self, count_12345: int, count_grid: int) -> list[Plan]:
        """The year's demands in the order of their receipt, each with its place, words and branches."""
        rng = random.Random(f"{self.seed}/plan")
        today = timezone.localtime(self.end).date()
        days = [today - dt.timedelta(days=n) for n in range(365, 0, -1)]
        receipts = _receipts(rng, Channel.HOTLINE_12345, count_12345, days, self.calendar)
        receipts += _receipts(rng, Channel.GRID, count_grid, days, self.calendar)
        receipts.sort()
        plans = [Plan(i, channel, moment) for i, (moment, channel) in enumerate(receipts)]
        for channel, mix in MIX.items():
            mine = [p for p in plans if p.channel == channel]
            for plan, request_type in zip(mine, exact(rng, mix, len(mine)), strict=True):
                plan.request_type = request_type
        daily: dict[dt.date, int] = {}
        for plan in plans:
            self.place(plan, random.Random(f"{self.seed}/{plan.index}"))
            if plan.channel == Channel.HOTLINE_12345:
                day = timezone.localtime(plan.received_at).date()
                daily[day] = daily.get(day, 0) + 1
                plan.upstream_number = f"GD{day:%Y%m%d}{daily[day]:04d}"
        self.surge(random.Random(f"{self.seed}/surge"), plans)
        self.branch(rng, plans)
        return plans

    def place(self, plan: Plan, rng: random.Random) -> None:
        world = self.world
        plan.grid = rng.choices(world.grids, cum_weights=world.grid_weights)[0]
        plan.template = _template(rng, plan, bool(plan.grid.homes))
        self.settle(plan, rng)

    def surge(self, rng: random.Random, plans: list[Plan]) -> None:
        """Turn demands of the last complete week and of this week into the surge (SURGE_TEMPLATE, one estate).

        A demand of another type trades its type with a demand of the surge's type, of the same channel, received
        before the surge: the year's exact mix of types per channel stays as planned."""
        template = next(t for t in texts.TEMPLATES if t.key == SURGE_TEMPLATE)
        grid = rng.choice([g for g in self.world.grids if g.homes])
        today = timezone.localtime(self.end).date()
        monday = today - dt.timedelta(days=today.weekday())
        start = monday - dt.timedelta(weeks=1)
        windows = ((start, monday, SURGE_LAST_WEEK), (monday, today, SURGE_THIS_WEEK))
        chosen: list[Plan] = []
        for first, last, wanted in windows:
            inside = [p for p in plans if first <= timezone.localtime(p.received_at).date() < last]
            chosen += rng.sample(inside, min(wanted, len(inside)))
        earlier = [p for p in plans if timezone.localtime(p.received_at).date() < start]
        for plan in sorted(chosen, key=lambda p: p.index):
            if plan.request_type != template.request_type:
                other = next(
                    (
                        p
                        for p in reversed(earlier)
                        if p.channel == plan.channel and p.request_type == template.request_type
                    ),
                    None,
                )
                if other is None:  # a history too short to trade with: the demand stays what it was
                    continue
                other.request_type, plan.request_type = plan.request_type, template.request_type
                other.template = _template(rng, other, bool(other.grid.homes))
                self.settle(other, random.Random(f"{self.seed}/{other.index}/traded"))
            plan.grid, plan.template, plan.surge = grid, template, True
            self.settle(plan, random.Random(f"{self.seed}/{plan.index}/surge"))

    def settle(self, plan: Plan, rng: random.Random) -> None:
        """What follows from the demand's grid and template: its building, urgency, registration time and photos."""
        plan.building = rng.choice(plan.grid.homes if plan.template.where == "building" else plan.grid.buildings)
        draw = rng.random()
        if draw < plan.template.urgent:
            plan.urgency = Urgency.URGENT
        elif draw < plan.template.urgent + plan.template.complex:
            plan.urgency = Urgency.COMPLEX
        if plan.channel == Channel.GRID:
            plan.registered_at = plan.received_at
            share = PHOTOS_PATROL if plan.template.patrol else PHOTOS_PLACE if plan.template.where != texts.HOME else 0
            plan.photos = rng.choice((1, 1, 2, 3)) if rng.random() < share else 0
        elif plan.urgency == Urgency.URGENT:  # the duty dispatcher takes an urgent order at once, day or night
            plan.registered_at = plan.received_at + dt.timedelta(minutes=rng.randint(8, 25))
        else:
            start = plan.received_at + dt.timedelta(minutes=10)
            plan.registered_at = office_later(self.calendar, start, rng.uniform(0.1, 1.2))

    def branch(self, rng: random.Random, plans: list[Plan]) -> None:
        """Give each branch to its share of the cases it can happen to (at least one case each). The side branches
        are counted on every dispatched case (as the KPIs count them) but given to cases received long enough ago
        to have finished, and never to the few left open and overdue today."""

        def pick(name: str, pool: Sequence[Plan], base: int, least: int = 1) -> list[Plan]:
            wanted = max(least, round(SHARES.get(name, 0) * base))
            chosen = rng.sample(list(pool), min(wanted, len(pool)))
            for plan in chosen:
                plan.branches.add(name)
            return chosen

        mains = self.merges(rng, plans)
        free = [p for p in plans if not p.branches and p.index not in mains and not p.surge]
        rejected = {p.index for p in pick(REJECT, free, len(plans))}
        pick(VOID, [p for p in free if p.index not in rejected], len(plans))
        questions = [p for p in plans if not p.branches and p.request_type == "consultation"]
        pick(ANSWER, [p for p in questions if p.urgency != Urgency.URGENT], len(questions))
        fixable = [p for p in free if not p.branches and self.fixable(p)]
        for plan in pick(SELF_HANDLE, fixable, len(fixable)):
            plan.photos = max(plan.photos, 1)  # the "before" photo goes with the "after" one
        dispatched = [p for p in plans if not p.branches]
        start, stop = self.end - dt.timedelta(days=50), self.end - dt.timedelta(days=8)
        due = [p for p in dispatched if start <= p.received_at <= stop and p.urgency == Urgency.NORMAL]
        stalled = pick(STALL_UNREPLIED, due, 0, least=max(3, round(OVERDUE_SHARE * len(plans))))
        for plan in stalled[: len(stalled) // 4]:
            plan.branches = {STALL_UNSIGNED}
        mature = self.end - dt.timedelta(days=MATURE_DAYS)
        pool = [p for p in dispatched if not p.branches and p.received_at < mature and p.urgency != Urgency.URGENT]
        parked = sorted(pick(PARK, pool, len(dispatched), least=2), key=lambda p: p.index)
        for plan in parked[: (len(parked) + 1) // 2]:
            plan.branches.add(UNPARK)
        pool = [p for p in pool if PARK not in p.branches]
        returned = {p.index for p in pick(RETURN, pool, len(dispatched))}
        pick(REFUSED_RETURN, [p for p in pool if p.index not in returned], len(dispatched))
        for name in (EXTENSION, SUSPEND, SUPERVISE, VERIFY_FAIL, ESCALATE):
            pick(name, pool, len(dispatched))
        pick(CO_UNIT, [p for p in pool if not p.branches & {RETURN, REFUSED_RETURN}], len(dispatched))
        called = [p for p in pool if p.has_phone]
        reworked = {p.index for p in pick(REWORK, called, sum(1 for p in dispatched if p.has_phone))}
        leaders = [p for p in called if p.index not in reworked and p.office.principal is not None]
        pick(EXCLUDE, leaders, len(called))
        rated = [p for p in plans if p.has_phone and not p.branches & ENDINGS and p.branches != {PARK}]
        for plan, rating in zip(rated, exact(rng, RATINGS, len(rated)), strict=True):
            plan.rating = rating

    @staticmethod
    def fixable(plan: Plan) -> bool:
        """A grid report its worker can fix on the spot, in a community with staff to check it afterwards."""
        return (
            plan.channel == Channel.GRID
            and bool(plan.template.spot)
            and plan.urgency == Urgency.NORMAL
            and plan.grid.community_staff is not None
        )

    def merges(self, rng: random.Random, plans: list[Plan]) -> set[int]:
        """Make 2 % of the cases repeats of an earlier open case (same type, office, place); return the main ones."""
        wanted = max(1, round(SHARES[MERGE] * len(plans)))
        candidates = [
            p for p in plans if p.request_type != "consultation" and p.urgency != Urgency.URGENT and not p.surge
        ]
        rng.shuffle(candidates)
        mains: set[int] = set()
        for plan in candidates:
            if len(mains) >= wanted:
                break
            target = None if plan.index in mains else self.merge_target(plan, plans)
            if target is None:
                continue
            mains.add(target.index)
            target.repeats = True
            plan.branches.add(MERGE)
            plan.merge_into, plan.grid, plan.template = target.index, target.grid, target.template
            plan.building, plan.urgency = target.building, target.urgency
            # The main case is still open when the repeat comes: its unit replies after the merge.
            hold = plan.registered_at + dt.timedelta(hours=2)
            target.hold_until = max(target.hold_until or hold, hold)
        return mains

    def merge_target(self, plan: Plan, plans: list[Plan]) -> Plan | None:
        """The nearest earlier case of the same type in the same office (the same community if there is one)."""
        best: Plan | None = None
        for other in (plans[i] for i in range(plan.index - 1, -1, -1)):
            if plan.received_at - other.received_at > dt.timedelta(days=7):
                break
            if (
                other.request_type == plan.request_type
                and other.office is plan.office
                and other.urgency == Urgency.NORMAL
                and MERGE not in other.branches
                and other.registered_at < plan.registered_at - dt.timedelta(minutes=5)
            ):
                if other.grid.community.pk == plan.grid.community.pk:
                    return other
                best = best or other
        return best
