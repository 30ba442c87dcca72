"""Twelve months of demo cases, every one through the real case services, the clock moved event by event.

Planning first (pure, from the seed): receipt times by weekday, season and hour; a request type per case from an
exact mix per channel; a template, a place, a reporter; and which cases take which branch (exact shares of the
cases a branch can happen to, at least one each). Then every case is a generator of steps: the driver keeps
them in a heap by the moment of their next step, sets jiedao.core.clock.now to that moment and lets the step
call one service (each atomic: an interruption leaves every case consistent). Time only moves forward, so the
database at each moment is what it would have been, and every deadline, notification and KPI is real. Steps
due after the end ("today") are not taken: those cases stay open as they are.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import random
import re
from collections.abc import Callable, Generator, Iterator, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from time import perf_counter
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.accounts.services import role_grant
from jiedao.cases import services
from jiedao.cases.choices import Channel, DispatchRole, Resolution, Satisfaction, State, Urgency
from jiedao.cases.models import Callback, Case, CaseEvent
from jiedao.categories.models import Category
from jiedao.core import clock
from jiedao.core.errors import DomainError
from jiedao.demo import case_texts as texts
from jiedao.demo import names
from jiedao.demo.builder import DEMO_PASSWORD
from jiedao.demo.case_texts import Template
from jiedao.notifications.models import Notification
from jiedao.places.choices import Level
from jiedao.places.models import Building, Place
from jiedao.units.models import Unit
from jiedao.workdays.calendar import Limit, WorkCalendar, work_calendar
from jiedao.workdays.choices import LimitUnit

Flow = Generator[dt.datetime, None, None]
Progress = Callable[[int, int, dt.datetime], None]
PROGRESS_EVERY = 500

# Exact request-type mix per channel (per cent): overall 咨询 45, 求助 30, 建议 15, 投诉/举报 10 with 1 : 2.
MIX: dict[str, dict[str, float]] = {
    Channel.HOTLINE_12345: {"consultation": 40, "help": 28, "suggestion": 12, "complaint": 14, "report": 6},
    Channel.GRID: {"consultation": 47.5, "help": 31, "suggestion": 16.5, "complaint": 4, "report": 1},
}
# Branches, with the share of the cases they can happen to (the population is named beside each).
MERGE, REJECT, VOID, ANSWER = "merge", "reject", "void", "answer"  # all / all / all / consultations
STALL_UNSIGNED, STALL_UNREPLIED = "stall_unsigned", "stall_unreplied"  # open and overdue today
RETURN, REFUSED_RETURN, EXTENSION, SUSPEND = "return", "refused_return", "extension", "suspend"  # dispatched
SUPERVISE, VERIFY_FAIL, CO_UNIT, ESCALATE, PARK = "supervise", "verify_fail", "co_unit", "escalate", "park"
REWORK, EXCLUDE = "rework", "exclude"  # dispatched and called back
UNPARK = "unpark"  # half of the parked cases
OVERSIGHT = frozenset({SUSPEND, ESCALATE, SUPERVISE, EXTENSION})
SHARES = {
    MERGE: 0.02, REJECT: 0.01, VOID: 0.003, ANSWER: 0.45, RETURN: 0.06, REFUSED_RETURN: 0.01, EXTENSION: 0.05,
    SUSPEND: 0.02, SUPERVISE: 0.04, VERIFY_FAIL: 0.01, CO_UNIT: 0.02, ESCALATE: 0.005, PARK: 0.003,
    REWORK: 0.03, EXCLUDE: 0.003,
}  # fmt: skip
# The callback's rating of the result, in exact proportions over the cases with a resident to call back (those
# reworked after a 不满意 or excluded from scoring have their own): about 93 % satisfied or basically satisfied.
RATINGS: dict[str, float] = {Satisfaction.SATISFIED: 81, Satisfaction.BASICALLY: 12.5, Satisfaction.DISSATISFIED: 6.5}
ENDINGS = frozenset({MERGE, REJECT, VOID, STALL_UNSIGNED, STALL_UNREPLIED, REWORK, EXCLUDE})
OVERDUE_SHARE = 0.003  # of all cases: left open and overdue today ("a few dozen" of 12,000)
MATURE_DAYS = 40  # long branches go to cases received at least this long ago, so that they finish
LATE_SIGN, LATE_FINISH = 0.05, 0.06  # signed after the sign-off deadline; closed after the finishing one
WEEKDAY_12345 = (1.15, 1.05, 1.0, 1.0, 0.95, 0.55, 0.5)
OFFICE_DAY_HOURS = 7.5  # 08:30–12:00 and 13:30–17:30
_MERGEABLE = [s for s in State.values if s not in (State.CLOSED, State.ARCHIVED)]


class MovedClock:
    """The simulation's "now"; the services read it through jiedao.core.clock.now()."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@contextmanager
def clock_moved(start: dt.datetime) -> Iterator[MovedClock]:
    """Replace jiedao.core.clock.now by a clock the caller moves; the real one is back afterwards, always."""
    original = clock.now
    moved = MovedClock(start)
    clock.now = moved
    try:
        yield moved
    finally:
        clock.now = original


@dataclass
class CaseDemoResult:
    cases: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    branches: dict[str, int] = field(default_factory=dict)  # cases per branch taken
    open: int = 0
    overdue_open: int = 0
    called_back: int = 0
    satisfied: int = 0
    basically: int = 0
    dissatisfied: int = 0
    events: int = 0
    notifications: int = 0
    handlers_created: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def satisfaction(self) -> float:
        """(Satisfied + basically satisfied) / called back, at the latest callback (merged cases left out)."""
        return (self.satisfied + self.basically) / self.called_back if self.called_back else 0.0


# The demo world as the simulation needs it


@dataclass
class Office:
    place: Place
    dispatcher: User
    deputy: User | None
    principal: User | None
    units: list[Unit]  # by name
    property_units: list[tuple[Unit, frozenset[int]]]  # and the communities each serves

    def unit(self, sector: str, community_id: int) -> Unit:
        """The unit of `sector` for a case in the community (a property company only where it serves)."""
        if sector == "property":
            for unit, served in self.property_units:
                if community_id in served:
                    return unit
            sector = "construction"
        for wanted in (sector, "governance"):
            for unit in self.units:
                if unit.sector == wanted:
                    return unit
        return self.units[0]


@dataclass
class Grid:
    place: Place
    community: Place
    office: Office
    workers: list[User]
    community_staff: User | None
    buildings: list[Building]
    homes: list[Building]  # residential buildings (a school's or hospital's have none)


@dataclass
class World:
    offices: list[Office]
    grids: list[Grid]
    grid_weights: list[int]  # cumulative households
    handlers: dict[int, User]  # unit id → its handler
    categories: dict[tuple[str, ...], Category]


def demo_handlers_ensure(*, seed: int) -> tuple[dict[int, User], int]:
    """Give every demo unit without a handler one ("cb" + unit id, the demo password); return them and how many
    were created. Existing handlers (e.g. chengban of 城管科) are kept."""
    rng = random.Random(f"{seed}/handlers")
    password = ""
    handlers: dict[int, User] = {}
    created = 0
    for unit in Unit.objects.select_related("office").order_by("office__code", "name"):
        existing = (
            User.objects.filter(role_assignments__role=Role.UNIT_HANDLER, role_assignments__unit=unit, is_active=True)
            .order_by("username")
            .first()
        )
        name = rng.choice(names.SURNAMES) + "".join(rng.choice(names.GIVEN) for _ in range(rng.choice([1, 2, 2])))
        phone = f"100{rng.randint(1000, 9999)}{rng.randint(0, 9999):04d}"
        if existing is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                username=f"cb{unit.pk:03d}",
                full_name=name,
                phone=phone,
                title=f"{unit.short_name or unit.name}经办人",
                office=unit.office,
                password=password,
            )
            role_grant(user=user, role=Role.UNIT_HANDLER, unit=unit)
            existing, created = user, created + 1
        handlers[unit.pk] = User.objects.get(pk=existing.pk)  # fresh: its scope is computed with the new role
    return handlers, created


def _holders(role: str, place: Place) -> list[User]:
    ids = RoleAssignment.objects.filter(role=role, place=place, user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def _category_paths() -> dict[tuple[str, ...], Category]:
    nodes = {c.pk: c for c in Category.objects.filter(is_active=True).order_by("code")}
    paths: dict[tuple[str, ...], Category] = {}
    for node in nodes.values():
        path: list[str] = []
        current: Category | None = node
        while current is not None:
            path.insert(0, current.name)
            current = nodes.get(current.parent_id) if current.parent_id else None
        paths[tuple(path)] = node
    return paths


def _world(handlers: dict[int, User]) -> World:
    offices: dict[int, Office] = {}
    for place in Place.objects.filter(level=Level.SUBDISTRICT).order_by("code"):
        dispatchers = _holders(Role.DISPATCHER, place)
        units = list(Unit.objects.filter(office=place, is_active=True).order_by("name"))
        if not dispatchers or not units:
            continue
        deputies, principals = _holders(Role.DEPUTY_LEADER, place), _holders(Role.PRINCIPAL_LEADER, place)
        property_units = [
            (u, frozenset(u.serves.values_list("pk", flat=True))) for u in units if u.sector == "property"
        ]
        offices[place.pk] = Office(
            place, dispatchers[0], deputies[0] if deputies else None, principals[0] if principals else None,
            [u for u in units if u.sector != "property"], property_units,
        )  # fmt: skip
    buildings: dict[int, list[Building]] = {}
    for building in Building.objects.order_by("grid__code", "number", "id"):
        buildings.setdefault(building.grid_id, []).append(building)
    grids: list[Grid] = []
    weights: list[int] = []
    for place in Place.objects.filter(level=Level.GRID).select_related("parent__parent").order_by("code"):
        community = place.parent
        office = offices.get(community.parent_id or 0) if community is not None else None
        workers = _holders(Role.GRID_WORKER, place)
        if community is None or office is None or not workers or not buildings.get(place.pk):
            continue
        staff = _holders(Role.COMMUNITY_STAFF, community)
        in_grid = buildings[place.pk]
        grids.append(
            Grid(place, community, office, workers, staff[0] if staff else None, in_grid,
                 [b for b in in_grid if b.name.endswith("幢")])
        )  # fmt: skip
        weights.append((weights[-1] if weights else 0) + max(place.households or 1, 1))
    return World(list(offices.values()), grids, weights, handlers, _category_paths())


# Planning


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
    branches: set[str] = field(default_factory=set)
    merge_into: int | None = None  # the plan index of the main case
    repeats: bool = False  # other cases are merged into this one
    hold_until: dt.datetime | None = None  # a main case waits for its repeats to be merged before replying

    @property
    def office(self) -> Office:
        return self.grid.office


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


def _exact(rng: random.Random, weights: dict[str, float], count: int) -> list[str]:
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


class _Planner:
    def __init__(self, world: World, seed: int, end: dt.datetime, calendar: WorkCalendar) -> None:
        self.world, self.seed, self.end, self.calendar = world, seed, end, calendar

    def plans(self, count_12345: int, count_grid: int) -> list[Plan]:
        rng = random.Random(f"{self.seed}/plan")
        today = timezone.localtime(self.end).date()
        days = [today - dt.timedelta(days=n) for n in range(365, 0, -1)]
        receipts = _receipts(rng, Channel.HOTLINE_12345, count_12345, days, self.calendar)
        receipts += _receipts(rng, Channel.GRID, count_grid, days, self.calendar)
        receipts.sort()
        plans = [Plan(i, channel, moment) for i, (moment, channel) in enumerate(receipts)]
        for channel, mix in MIX.items():
            mine = [p for p in plans if p.channel == channel]
            for plan, request_type in zip(mine, _exact(rng, mix, len(mine)), strict=True):
                plan.request_type = request_type
        daily: dict[dt.date, int] = {}
        for plan in plans:
            self.place(plan, random.Random(f"{self.seed}/{plan.index}"))
            if plan.channel == Channel.HOTLINE_12345:
                day = timezone.localtime(plan.received_at).date()
                daily[day] = daily.get(day, 0) + 1
                plan.upstream_number = f"GD{day:%Y%m%d}{daily[day]:04d}"
        self.branch(rng, plans)
        return plans

    def place(self, plan: Plan, rng: random.Random) -> None:
        world = self.world
        plan.grid = rng.choices(world.grids, cum_weights=world.grid_weights)[0]
        plan.template = _template(rng, plan, bool(plan.grid.homes))
        plan.building = rng.choice(plan.grid.homes if plan.template.where == "building" else plan.grid.buildings)
        draw = rng.random()
        if draw < plan.template.urgent:
            plan.urgency = Urgency.URGENT
        elif draw < plan.template.urgent + plan.template.complex:
            plan.urgency = Urgency.COMPLEX
        if plan.channel == Channel.GRID:
            plan.registered_at = plan.received_at
        elif plan.urgency == Urgency.URGENT:  # the duty dispatcher takes an urgent order at once, day or night
            plan.registered_at = plan.received_at + dt.timedelta(minutes=rng.randint(8, 25))
        else:
            start = plan.received_at + dt.timedelta(minutes=10)
            plan.registered_at = _office_later(self.calendar, start, rng.uniform(0.1, 1.2))

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
        free = [p for p in plans if not p.branches and p.index not in mains]
        rejected = {p.index for p in pick(REJECT, free, len(plans))}
        pick(VOID, [p for p in free if p.index not in rejected], len(plans))
        questions = [p for p in plans if not p.branches and p.request_type == "consultation"]
        pick(ANSWER, [p for p in questions if p.urgency != Urgency.URGENT], len(questions))
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
        called = [p for p in pool if self.has_phone(p)]
        reworked = {p.index for p in pick(REWORK, called, sum(1 for p in dispatched if self.has_phone(p)))}
        leaders = [p for p in called if p.index not in reworked and p.office.principal is not None]
        pick(EXCLUDE, leaders, len(called))
        rated = [p for p in plans if self.has_phone(p) and not p.branches & ENDINGS and p.branches != {PARK}]
        for plan, rating in zip(rated, _exact(rng, RATINGS, len(rated)), strict=True):
            plan.rating = rating

    def merges(self, rng: random.Random, plans: list[Plan]) -> set[int]:
        """Make 2 % of the cases repeats of an earlier open case (same type, office, place); return the main ones."""
        wanted = max(1, round(SHARES[MERGE] * len(plans)))
        candidates = [p for p in plans if p.request_type != "consultation" and p.urgency != Urgency.URGENT]
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

    @staticmethod
    def has_phone(plan: Plan) -> bool:
        return plan.channel == Channel.HOTLINE_12345 or not plan.template.patrol


def _office_later(calendar: WorkCalendar, start: dt.datetime, hours: float) -> dt.datetime:
    """`hours` of office time after `start` (counted from the next office moment)."""
    amount = Decimal(str(round(max(hours, 0.02), 2)))
    moment = calendar.deadline(start, Limit(amount, LimitUnit.WORKING_HOURS))
    assert moment is not None  # no pauses given: the calendar always answers
    return moment


def _texts(plan: Plan, rng: random.Random) -> dict[str, Any]:
    """The registration fields of a plan in the words of its template (title, content, place, reporter), and the
    unit's result."""
    building, grid = plan.building, plan.grid
    found = re.match(r"^(\D+?)(\d+)号", building.address)
    road, number = (found.group(1), found.group(2)) if found else (rng.choice(names.ROADS), str(rng.randint(1, 300)))
    slots = {
        "office": plan.office.place.name,
        "community": grid.community.name,
        "building": building.name,
        "estate": re.sub(r"\d+(幢|号楼)$", "", building.name),
        "unit_no": f"{rng.randint(1, 2)}单元",
        "room": f"{rng.randint(1, max(building.floors, 1))}0{rng.randint(1, 2)}室",
        "road": road,
        "near": f"{grid.place.dedicated_to}门口" if grid.place.dedicated_to else f"{road}{number}号附近",
        "who": rng.choice(texts.WHO),
        "when": rng.choice(texts.WHEN),
        "night": rng.choice(texts.NIGHT),
        "days": rng.choice(texts.DAYS),
    }
    template = plan.template
    case: dict[str, Any] = {
        "title": rng.choice(template.titles).format_map(slots),
        "content": rng.choice(template.contents).format_map(slots),
    }
    if template.where == texts.HOME:  # a question of a resident: where he lives, no point on the map
        case["place"] = grid.place if plan.channel == Channel.GRID else grid.community
        case["address"] = f"{building.address}{slots['unit_no']}" if plan.channel == Channel.GRID else ""
    else:
        case["lng"], case["lat"] = building.lng, building.lat
        case["address"] = f"{building.address}{slots['unit_no']}" if template.where == texts.BUILDING else slots["near"]
    patrol = plan.channel == Channel.GRID and template.patrol  # found on patrol: nobody to call back
    given = "".join(rng.choice(names.GIVEN) for _ in range(rng.choice([1, 2, 2])))
    case["reporter_name"] = "" if patrol else rng.choice(names.SURNAMES) + given
    # 100 is not a mobile prefix in China: no demo number can reach a real person.
    case["reporter_phone"] = "" if patrol else f"100{rng.randint(10_000_000, 99_999_999)}"
    case["confidential"] = plan.request_type == "report" and rng.random() < 0.3
    return {"case": case, "result": rng.choice(template.results).format_map(slots)}


def _rating(rng: random.Random, result: str | None = None) -> tuple[str, str, bool]:
    """(process, result, resolved) of a callback with `result`, or with a result drawn 70 / 25 / 5 (after rework,
    or for the resident of a merged repeat)."""
    if result is None:
        draw = rng.random()
        result = (
            Satisfaction.DISSATISFIED
            if draw >= 0.95
            else Satisfaction.BASICALLY
            if draw >= 0.7
            else Satisfaction.SATISFIED
        )
    process = result if rng.random() < 0.8 or result == Satisfaction.SATISFIED else Satisfaction.BASICALLY
    resolved = result == Satisfaction.SATISFIED or (result == Satisfaction.BASICALLY and rng.random() < 0.85)
    return process, result, resolved


class _Simulation:
    def __init__(self, world: World, seed: int, end: dt.datetime, calendar: WorkCalendar, moved: MovedClock) -> None:
        self.world, self.seed, self.end, self.calendar, self.clock = world, seed, end, calendar, moved
        self.case_ids: dict[int, int] = {}  # plan index → case id
        self.registered = 0
        self.errors: list[str] = []

    # Time

    @property
    def now(self) -> dt.datetime:
        return self.clock.moment

    def office(self, rng: random.Random, low: float, high: float, start: dt.datetime | None = None) -> dt.datetime:
        """Between `low` and `high` hours of office time after `start` (default now)."""
        return _office_later(self.calendar, start or self.now, rng.uniform(low, high))

    def soon(self, rng: random.Random, plan: Plan, low: float, high: float) -> dt.datetime:
        """Office hours later; for an urgent case a sixth of it in plain time (someone is on duty)."""
        if plan.urgency == Urgency.URGENT:
            return self.now + dt.timedelta(hours=rng.uniform(low, high) / 6)
        return self.office(rng, low, high)

    def within(self, rng: random.Random, case: Case, low: float, high: float, late: bool = False) -> dt.datetime:
        """A share between `low` and `high` of the time left on the finishing clock; a few office hours when the
        step is late or no time is left."""
        deadline = case.finish_deadline
        if deadline is None or late:
            return self.office(rng, 0.3, 8)
        if case.finish_unit == LimitUnit.HOURS:
            hours = (deadline - self.now).total_seconds() / 3600
            if hours > 0.05:
                return self.now + dt.timedelta(hours=hours * rng.uniform(low, high))
            return self.office(rng, 0.3, 4)
        hours = self.calendar.working_seconds_between(self.now, deadline) / 3600
        return self.office(rng, hours * low, hours * high) if hours > 0.2 else self.office(rng, 0.3, 4)

    # The driver

    def run(self, plans: list[Plan], progress: Progress | None) -> None:
        order = itertools.count()
        heap = [(plan.registered_at, next(order), self.flow(plan)) for plan in plans]
        heapq.heapify(heap)
        mark = PROGRESS_EVERY
        while heap and heap[0][0] <= self.end:
            moment, _order, flow = heapq.heappop(heap)
            self.clock.moment = max(moment, self.clock.moment)
            try:
                following = next(flow)
            except StopIteration:
                continue
            except DomainError as exc:  # the step's transaction rolled back; the case stays as it was
                self.errors.append(f"{timezone.localtime(self.now):%Y-%m-%d %H:%M} {exc.code}: {exc}")
                continue
            heapq.heappush(heap, (max(following, self.now), next(order), flow))
            if progress is not None and self.registered >= mark:
                progress(self.registered, len(plans), self.now)
                mark += PROGRESS_EVERY
        for _when, _order, flow in heap:
            flow.close()  # due after the end: the case stays where it is today
        if progress is not None:
            progress(self.registered, len(plans), self.now)

    # One case

    def flow(self, plan: Plan) -> Flow:
        rng = random.Random(f"{self.seed}/{plan.index}/flow")
        office, values = plan.office, _texts(plan, random.Random(f"{self.seed}/{plan.index}/texts"))
        hotline = plan.channel == Channel.HOTLINE_12345
        upstream_deadline = None
        if hotline:
            days = 2 if plan.request_type in ("consultation", "suggestion") else 4
            urgent = plan.urgency == Urgency.URGENT
            limit = Limit(Decimal(24 if urgent else days), LimitUnit.HOURS if urgent else LimitUnit.WORKING_DAYS)
            upstream_deadline = self.calendar.deadline(plan.received_at, limit)
        case = services.case_register(
            actor=office.dispatcher if hotline else rng.choice(plan.grid.workers),
            channel=plan.channel,
            request_type=plan.request_type,
            urgency=plan.urgency,
            category=self.world.categories.get(plan.template.category),
            upstream_number=plan.upstream_number,
            upstream_deadline=upstream_deadline,
            received_at=plan.received_at if hotline else None,
            **values["case"],
        )
        cid = self.case_ids[plan.index] = case.pk
        self.registered += 1
        dispatcher = office.dispatcher
        if MERGE in plan.branches and plan.merge_into is not None:
            yield self.office(rng, 0.1, 1.0)
            main = self.case_ids.get(plan.merge_into)
            if main is not None and Case.objects.filter(pk=main, state__in=_MERGEABLE, merged_into=None).exists():
                services.case_merge(case_id=cid, into_id=main, actor=dispatcher, note=texts.MERGE_NOTES[0])
                return
        if REJECT in plan.branches:
            yield self.office(rng, 0.1, 1.5)
            reason = rng.choice(list(texts.REJECT_NOTES))
            services.case_reject(case_id=cid, actor=dispatcher, reason=reason, note=texts.REJECT_NOTES[reason])
            return
        if VOID in plan.branches:
            yield self.office(rng, 0.05, 0.5)
            services.case_void(case_id=cid, actor=dispatcher, note=rng.choice(texts.VOID_NOTES))
            return
        if ANSWER in plan.branches:
            yield self.office(rng, 0.1, 1.5)
            case = services.case_answer(case_id=cid, actor=dispatcher, result_text=values["result"])
            yield from self.callbacks(plan, rng, case)
            return
        yield self.soon(rng, plan, 0.05, 0.8)
        services.case_accept(case_id=cid, actor=dispatcher)
        yield from self.handle(plan, rng, cid, values["result"], plan.branches)

    def handle(self, plan: Plan, rng: random.Random, cid: int, result: str, branches: Set[str]) -> Flow:
        office, dispatcher, community = plan.office, plan.office.dispatcher, plan.grid.community.pk
        right = first = office.unit(plan.template.sector, community)
        if RETURN in branches:
            first = office.unit(plan.template.wrong or "governance", community)
            if first == right:
                first = rng.choice([u for u in office.units if u != right])
        yield self.soon(rng, plan, 0.05, 1.0)
        case = services.case_dispatch(case_id=cid, actor=dispatcher, unit_id=first.pk)
        co = office.unit(plan.template.co or "governance", community)
        if CO_UNIT in branches and co != right:
            yield self.now + dt.timedelta(minutes=rng.randint(2, 15))
            services.case_dispatch(case_id=cid, actor=dispatcher, unit_id=co.pk, role=DispatchRole.CO)
            yield self.office(rng, 0.2, 3)
            services.case_sign(case_id=cid, actor=self.world.handlers[co.pk])
        if RETURN in branches or REFUSED_RETURN in branches:
            yield self.office(rng, 0.3, 5)
            reason = "wrong_duty" if RETURN in branches and rng.random() < 0.7 else rng.choice(list(texts.RETURN_NOTES))
            note = rng.choice(texts.RETURN_NOTES[reason])
            services.case_return(case_id=cid, actor=self.world.handlers[first.pk], reason=reason, note=note)
            yield self.office(rng, 0.2, 3)
            approve = RETURN in branches
            note = "" if approve else rng.choice(texts.REFUSE_NOTES)
            case = services.case_review_return(
                case_id=cid, actor=dispatcher, approve=approve, unit_id=right.pk if approve else None, note=note
            )
        if STALL_UNSIGNED in branches:
            return
        handler = self.world.handlers[right.pk]
        if rng.random() < LATE_SIGN and case.sign_deadline is not None and plan.urgency != Urgency.URGENT:
            yield self.office(rng, 0.5, 10, start=case.sign_deadline)
        else:
            yield self.soon(rng, plan, 0.1, 2.5 if rng.random() < 0.75 else 6.5)
        case = services.case_sign(case_id=cid, actor=handler)
        if rng.random() < (0.3 if plan.request_type == "consultation" else 0.85):
            late = rng.random() < 0.05 and case.contact_deadline is not None
            yield self.office(rng, 0.5, 6, start=case.contact_deadline) if late else self.soon(rng, plan, 0.1, 2)
            case = services.case_contact(case_id=cid, actor=handler, note=rng.choice(texts.CONTACT_NOTES))
        if PARK in branches:
            yield self.office(rng, 7, 20)
            services.case_park(case_id=cid, actor=dispatcher, reason=texts.PARK_REASONS[0])
            if UNPARK not in branches:
                return  # it stays in the problem register
            yield self.office(rng, 150, 400)
            services.case_unpark(case_id=cid, actor=office.deputy or dispatcher, note=texts.UNPARK_NOTES[0])
            yield from self.handle(plan, rng, cid, result, frozenset())
            return
        if branches & OVERSIGHT:
            yield from self.oversee(plan, rng, case, handler, branches)
            case = Case.objects.get(pk=cid)  # an extension or a suspension moved the deadline
        if STALL_UNREPLIED in branches:
            return
        late = rng.random() < LATE_FINISH
        if late and case.finish_deadline is not None:
            yield max(self.office(rng, 1, 20, start=case.finish_deadline), plan.hold_until or self.now)
        else:
            yield max(self.within(rng, case, 0.1, 0.5), plan.hold_until or self.now)
        case = services.case_reply(case_id=cid, actor=handler, result_text=result)
        verifier = dispatcher
        if plan.grid.community_staff is not None and rng.random() < 0.5:
            verifier = plan.grid.community_staff
        yield self.within(rng, case, 0.05, 0.3, late)
        if VERIFY_FAIL in branches:
            note = rng.choice(texts.VERIFY_FAIL_NOTES)
            case = services.case_verify(case_id=cid, actor=verifier, passed=False, note=note)
            yield self.within(rng, case, 0.15, 0.5)
            case = services.case_reply(case_id=cid, actor=handler, result_text=rng.choice(texts.REWORK_RESULTS))
            yield self.within(rng, case, 0.05, 0.3)
        case = services.case_verify(case_id=cid, actor=verifier, passed=True)
        yield from self.callbacks(plan, rng, case, branches, handler, late)

    def oversee(self, plan: Plan, rng: random.Random, case: Case, handler: User, branches: Set[str]) -> Flow:
        """The side branches while the unit handles: suspension, escalation, supervision, extension."""
        office, dispatcher, cid = plan.office, plan.office.dispatcher, case.pk
        if SUSPEND in branches:
            yield self.within(rng, case, 0.1, 0.3)
            services.case_suspend(case_id=cid, actor=dispatcher, reason=rng.choice(texts.SUSPEND_REASONS))
            yield self.office(rng, OFFICE_DAY_HOURS, 5 * OFFICE_DAY_HOURS)
            case = services.case_resume(case_id=cid, actor=dispatcher, note=rng.choice(texts.RESUME_NOTES))
        if ESCALATE in branches:
            for _rung in range(3):  # 网格 → 社区 → 街道科室 → 分管领导
                yield self.within(rng, case, 0.05, 0.15)
                case = services.case_escalate(case_id=cid, actor=dispatcher, note=texts.ESCALATE_NOTES[0])
        if SUPERVISE in branches:
            yield self.within(rng, case, 0.2, 0.4)
            leader, content = office.deputy or dispatcher, rng.choice(texts.SUPERVISION_CONTENTS)
            case = services.case_supervise(case_id=cid, actor=leader, content=content)
            notice = case.supervisions.filter(replied_at=None).order_by("-id").values_list("pk", flat=True).first()
            yield self.office(rng, 0.3, 6)
            reply = rng.choice(texts.SUPERVISION_REPLIES)
            if notice is not None:
                services.case_supervision_answer(case_id=cid, supervision_id=notice, actor=handler, reply=reply)
        if EXTENSION in branches:
            yield self.within(rng, case, 0.4, 0.7)
            reason, amount = rng.choice(texts.EXTENSION_REASONS), rng.choice([2, 3, 5])
            services.case_extension_request(case_id=cid, actor=handler, amount=amount, reason=reason)
            yield self.office(rng, 0.3, 4)
            approve = rng.random() < 0.9
            services.case_extension_decide(case_id=cid, actor=office.deputy or dispatcher, approve=approve)

    def callbacks(
        self,
        plan: Plan,
        rng: random.Random,
        case: Case,
        branches: Set[str] = frozenset(),
        handler: User | None = None,
        late: bool = False,
    ) -> Flow:
        """Call the resident back (rework first when the branch says so), then the residents of merged repeats."""
        cid, dispatcher = case.pk, plan.office.dispatcher
        if case.state == State.CALLBACK:
            yield self.within(rng, case, 0.1, 0.6, late or rng.random() < 0.03)
            if REWORK in branches and handler is not None:
                case = services.case_callback(
                    case_id=cid, actor=dispatcher, process_satisfaction=Satisfaction.BASICALLY,
                    result_satisfaction=Satisfaction.DISSATISFIED, resolved=False, rework=True,
                    note=texts.CALLBACK_NOTES[Satisfaction.DISSATISFIED][0],
                )  # fmt: skip
                yield self.within(rng, case, 0.15, 0.5)
                case = services.case_reply(case_id=cid, actor=handler, result_text=rng.choice(texts.REWORK_RESULTS))
                yield self.within(rng, case, 0.05, 0.3)
                case = services.case_verify(case_id=cid, actor=dispatcher, passed=True)
                yield self.within(rng, case, 0.1, 0.6)
            process, result, resolved = _rating(rng, None if REWORK in branches else plan.rating)
            if EXCLUDE in branches:
                process, result, resolved = Satisfaction.BASICALLY, Satisfaction.DISSATISFIED, True
            case = services.case_callback(
                case_id=cid, actor=dispatcher, process_satisfaction=process, result_satisfaction=result,
                resolved=resolved, note=rng.choice(texts.CALLBACK_NOTES[result]),
            )  # fmt: skip
            if EXCLUDE in branches and plan.office.principal is not None:
                yield self.office(rng, 2, 10)
                services.case_exclusion_request(case_id=cid, actor=dispatcher, reason=texts.EXCLUSION_REASONS[0])
                yield self.office(rng, 2, 15)
                services.case_exclusion_decide(case_id=cid, actor=plan.office.principal, approve=True)
        if case.state != State.CLOSED or not plan.repeats:
            return
        repeats = Case.objects.filter(merged_into=cid).exclude(reporter_phone_last4="").order_by("pk")
        for repeat in list(repeats.values_list("pk", flat=True)):
            yield self.now + dt.timedelta(minutes=rng.randint(5, 60))
            process, result, resolved = _rating(rng)
            services.case_callback(
                case_id=repeat, actor=dispatcher, process_satisfaction=process, result_satisfaction=result,
                resolved=resolved, note=rng.choice(texts.CALLBACK_NOTES[result]),
            )  # fmt: skip


def demo_cases_create(
    *,
    seed: int,
    count_12345: int = 4000,
    count_grid: int = 8000,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> CaseDemoResult:
    """Create a year of demo cases up to `today` (default: now; given a date, its 16:00) through the services.

    Needs the demo world (jiedao demo: its fictional district 330199) and a database without cases: raises
    RuntimeError otherwise, so a real office's database is never filled with invented cases. Creates a handler for
    every unit that has none. Deterministic from the seed and `today`. Each service call is its own
    transaction; outbound notification channels (SMS, 企业微信) are off while the history is written: it is not
    news (the in-app notifications are written as always).
    """
    if not Place.objects.filter(level=Level.DISTRICT, code=names.DISTRICT[0]).exists():
        raise RuntimeError("the demo district is missing; run `jiedao demo` first")
    if Case.objects.exists():
        raise RuntimeError("the database already holds cases")
    started = perf_counter()
    end = timezone.now() if today is None else timezone.make_aware(dt.datetime.combine(today, dt.time(16)))
    handlers, created = demo_handlers_ensure(seed=seed)
    world = _world(handlers)
    calendar = work_calendar()
    plans = _Planner(world, seed, end, calendar).plans(count_12345, count_grid)
    with override_settings(NOTIFICATION_CHANNELS={}), clock_moved(plans[0].registered_at if plans else end) as moved:
        simulation = _Simulation(world, seed, end, calendar, moved)
        simulation.run(plans, progress)
    result = case_demo_summary(now=end)
    result.handlers_created, result.errors = created, simulation.errors
    result.seconds = perf_counter() - started
    return result


def case_demo_summary(*, now: dt.datetime) -> CaseDemoResult:
    """Count what the history holds: cases by channel and type, branches taken, open and overdue, ratings."""
    result = CaseDemoResult(cases=Case.objects.count())
    result.by_channel = dict(Case.objects.values_list("channel").annotate(n=Count("id")).order_by("channel"))
    result.by_type = dict(Case.objects.values_list("request_type").annotate(n=Count("id")).order_by("request_type"))
    result.branches = dict(
        CaseEvent.objects.values_list("action").annotate(n=Count("case", distinct=True)).order_by("action")
    )
    result.branches["rework"] = Case.objects.filter(rework_count__gt=0).count()
    result.branches["excluded"] = Case.objects.filter(excluded_from_scoring=True).count()
    result.branches["merged"] = Case.objects.filter(resolution=Resolution.MERGED).count()
    result.open = Case.objects.open().count()
    result.overdue_open = Case.objects.overdue(now).count()
    latest = Callback.objects.filter(is_latest=True).exclude(case__resolution=Resolution.MERGED)
    ratings = dict(latest.values_list("result_satisfaction").annotate(n=Count("id")).order_by())
    result.satisfied = ratings.get(Satisfaction.SATISFIED, 0)
    result.basically = ratings.get(Satisfaction.BASICALLY, 0)
    result.dissatisfied = ratings.get(Satisfaction.DISSATISFIED, 0)
    result.called_back = result.satisfied + result.basically + result.dissatisfied
    result.events = CaseEvent.objects.count()
    result.notifications = Notification.objects.count()
    return result
