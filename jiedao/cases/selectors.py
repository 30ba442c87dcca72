"""Reads of cases shaped for screens: the queues of each role, the detail page, the available actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jiedao.accounts.choices import Role
from jiedao.cases import permissions, workflow
from jiedao.cases.choices import DispatchRole, Resolution, State
from jiedao.cases.deadlines import Light, light
from jiedao.cases.models import Case, Dispatch, Extension, Supervision
from jiedao.cases.querysets import CLOCK_RUNNING, NOT_ENDED
from jiedao.core.masking import mask_name, mask_phone
from jiedao.core.scope import scope_of
from jiedao.notifications.selectors import resident_messages_by_id


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    roles: frozenset[str]
    where: Callable[[Any, dt.datetime], Q]
    # The queue's condition picks a few cases (a state's open ones, a few ids): visibility is then checked case by
    # case (CaseQuerySet.visible_to's `narrow`). Only the "all" queue lists a unit's whole history.
    narrow: bool = True


def _mine(user: Any) -> Q:
    """Cases actively dispatched to one of the user's units."""
    units = sorted(scope_of(user).unit_ids)
    return Q(Exists(Dispatch.objects.filter(case=OuterRef("pk"), active=True, unit_id__in=units)))


def _unsigned_mine(user: Any) -> Q:
    """Cases waiting for one of the user's units to sign: the ids of the few unsigned dispatches (a partial index
    holds just those), not a probe of every case."""
    units = sorted(scope_of(user).unit_ids)
    return _case_ids(Dispatch.objects.filter(active=True, signed_at__isnull=True, unit_id__in=units))


# The office-wide queues defined by a rare related row (a pending extension, an open supervision notice) select the
# cases whose id is among those rows' case ids: the database reads the few rows and fetches their cases, instead of
# probing the related table once for every case of the office (a correlated EXISTS: 15 ms a queue at 100,000 cases
# on SQLite, growing with the office's history). So do a handler's cases to sign (his unit's unsigned dispatches).
# His cases being handled are found by their state and then checked for his unit (EXISTS).
def _case_ids(rows: QuerySet[Any]) -> Q:
    return Q(pk__in=rows.values("case_id"))


OFFICE = frozenset({Role.DISPATCHER, Role.ADMIN})
LEADERS = frozenset({Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER})
HANDLERS = frozenset({Role.UNIT_HANDLER})
PLACE_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF})

QUEUES: tuple[Queue, ...] = (
    Queue("to_dispatch", _("To dispatch"), OFFICE, lambda u, now: Q(state__in=[State.REGISTERED, State.ACCEPTED])),
    Queue("to_sign", _("To sign for"), HANDLERS, lambda u, now: _unsigned_mine(u) & ~Q(state=State.RETURNED)),
    Queue(
        "handling",
        _("Being handled"),
        HANDLERS | OFFICE,
        lambda u, now: Q(state=State.HANDLING) & (_mine(u) if not scope_of(u).roles & OFFICE else Q()),
    ),
    Queue("returned", _("Returns to review"), OFFICE, lambda u, now: Q(state=State.RETURNED)),
    Queue(
        "extensions",
        _("Extensions to decide"),
        OFFICE | LEADERS,
        lambda u, now: _case_ids(Extension.objects.filter(approved__isnull=True)),
    ),
    Queue("to_verify", _("To verify"), OFFICE | PLACE_ROLES, lambda u, now: Q(state=State.REPLIED)),
    Queue("to_call_back", _("To call back"), OFFICE, lambda u, now: Q(state=State.CALLBACK)),
    Queue(
        "supervised",
        _("Under supervision"),
        OFFICE | LEADERS | HANDLERS,
        lambda u, now: _case_ids(Supervision.objects.filter(replied_at__isnull=True)),
    ),
    Queue(
        "overdue",
        _("Overdue"),
        OFFICE | LEADERS | HANDLERS | PLACE_ROLES,
        lambda u, now: Q(finish_deadline__lt=now, state__in=CLOCK_RUNNING),
    ),
    Queue("mine", _("Cases of my area"), PLACE_ROLES | LEADERS, lambda u, now: Q(state__in=NOT_ENDED)),
    Queue("all", _("All cases"), OFFICE | LEADERS | HANDLERS | PLACE_ROLES, lambda u, now: Q(), narrow=False),
)
QUEUE_BY_KEY = {q.key: q for q in QUEUES}


def queues_for(user: Any) -> list[Queue]:
    scope = scope_of(user)
    return [q for q in QUEUES if scope.everything or scope.roles & q.roles]


# Queues the home page counts: the work waiting for the user (not the broad lists of an area or of everything).
NOT_COUNTED_ON_HOME = frozenset({"mine", "all"})
HOME_COUNT_CAP = 999


@dataclass(frozen=True)
class QueueCount:
    queue: Queue
    count: int
    capped: bool  # more than HOME_COUNT_CAP


def queue_counts(user: Any, now: dt.datetime) -> list[QueueCount]:
    """How many cases wait in each of the user's work queues, counted as the queue's list counts them (at most
    HOME_COUNT_CAP + 1 rows read each, without ordering): one small query per queue."""
    counts = []
    for queue in queues_for(user):
        if queue.key in NOT_COUNTED_ON_HOME:
            continue
        rows = Case.objects.visible_to(user, narrow=queue.narrow).filter(queue.where(user, now)).order_by().values("pk")
        counted = rows[: HOME_COUNT_CAP + 1].count()
        counts.append(QueueCount(queue, min(counted, HOME_COUNT_CAP), counted > HOME_COUNT_CAP))
    return counts


# How many cases the home page lists under 先办这些 (the nearest deadlines among the user's waiting work).
FIRST_THINGS = 8


@dataclass
class Waiting:
    """A case waiting for the user, and the work queues it waits in (labels, in queue order)."""

    case: Case
    queues: list[str | Promise]


def first_things(user: Any, counts: list[QueueCount], now: dt.datetime, limit: int = FIRST_THINGS) -> list[Waiting]:
    """The cases of the user's waiting work with the nearest finishing deadline (overdue ones first, the most
    overdue first; no deadline last, the oldest first), each with the queues it waits in: the first FIRST_THINGS
    of every queue that has any (the counts the home page already made), merged. One query per such queue."""
    found: dict[int, Waiting] = {}
    for count in counts:
        if not count.count:
            continue
        for case in queue_cases(user, count.queue.key, now, "deadline")[:limit]:
            found.setdefault(case.pk, Waiting(case, [])).queues.append(count.queue.label)
    ordered = sorted(
        found.values(),
        key=lambda w: (w.case.finish_deadline or NO_DEADLINE, w.case.received_at, w.case.pk),
    )[:limit]
    decorate([w.case for w in ordered], now)
    return ordered


SORTS: dict[str, tuple[Any, ...]] = {
    "deadline": (F("finish_deadline").asc(nulls_last=True), "-received_at", "-id"),
    "-received": ("-received_at", "-id"),
    "received": ("received_at", "id"),
}
# The deadline order for the queues that select by state (the open cases, a few thousand at most): sorted by an
# expression, which no index can supply, so the database picks its index for the filter (state, deadline) and sorts
# the few rows found. Ordered by the column itself, both databases walked the lone deadline index (kept for the
# dashboard's rollups) through every closed case in deadline order: the overdue queue took 166 ms instead of 21 at
# 100,000 cases on SQLite, 79 instead of 28 on PostgreSQL.
NO_DEADLINE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
BY_DEADLINE_OF_OPEN_CASES = (
    Coalesce("finish_deadline", Value(NO_DEADLINE, output_field=DateTimeField())).asc(),
    "-received_at",
    "-id",
)


def default_sort(key: str) -> str:
    """The "all" queue lists the newest first; the working queues the nearest deadline first."""
    return "-received" if key == "all" else "deadline"


def queue_cases(user: Any, key: str, now: dt.datetime, sort: str = "") -> QuerySet[Case]:
    """The cases of one queue for the user in the order asked (one of SORTS; the queue's default otherwise):
    visible ones only, with what a list row shows, one query. The screen and the API list through this."""
    queue = QUEUE_BY_KEY[key]
    sort = sort if sort in SORTS else default_sort(key)
    order = BY_DEADLINE_OF_OPEN_CASES if sort == "deadline" and key != "all" else SORTS[sort]
    return (
        Case.objects.visible_to(user, narrow=queue.narrow)
        .filter(queue.where(user, now))
        .select_related("category", "main_unit", "community", "grid")
        .order_by(*order)
    )


def decorate(cases: list[Case], now: dt.datetime) -> list[Case]:
    """Add the traffic light and the masked reporter to each case of a page (no queries)."""
    for case in cases:
        ended = case.state in (State.CLOSED, State.ARCHIVED, State.PARKED)
        colour = (
            Light.NONE
            if ended
            else light(
                started_at=case.finish_started_at,
                deadline_at=case.finish_deadline,
                now=now,
                unit=case.finish_unit,
                suspended=case.state == State.SUSPENDED,
            )
        )
        setattr(case, "light", colour)  # noqa: B010  (a display attribute, not a field)
        setattr(case, "reporter_masked", mask_name(case.reporter_name))  # noqa: B010
        setattr(case, "phone_masked", mask_phone(case.reporter_phone))  # noqa: B010
    return cases


def available_actions(user: Any, case: Case) -> list[str]:
    """The actions this user may take on the case now (allowed by the table and by the policy), in menu order."""
    facts = permissions.dispatch_facts(case)
    allowed = sorted(workflow.allowed_actions(case.state), key=ACTION_ORDER.index)
    extension_pending = case.extensions.filter(approved__isnull=True).exists()
    exclusion_pending = case.exclusions.filter(approved__isnull=True).exists()
    # Overlays that need something to act on are offered only when it is there; a request only while none waits
    # (the service would refuse a second one).
    pointless: dict[str, bool] = {
        workflow.Action.SUPERVISE: not facts["active_units"],
        workflow.Action.ANSWER_SUPERVISION: not facts["supervised_units"],
        workflow.Action.DECIDE_EXTENSION: not extension_pending,
        workflow.Action.REQUEST_EXTENSION: extension_pending,
        workflow.Action.DECIDE_EXCLUSION: not exclusion_pending,
        workflow.Action.REQUEST_EXCLUSION: exclusion_pending or case.excluded_from_scoring,
        # A closed case is called back only when it was merged: its resident hears with the main case's callback.
        workflow.Action.CALLBACK: case.state == State.CLOSED and case.resolution != Resolution.MERGED,
        # Its screen is the field report (photos taken on the spot), not the detail page.
        workflow.Action.SELF_HANDLE: True,
    }
    return [
        action for action in allowed if not pointless.get(action, False) and permissions.can(user, case, action, facts)
    ]


ACTION_ORDER = list(workflow.Action.values)


# Events written by services that are not workflow actions.
EXTRA_EVENT_LABELS = {"attach": _("Attached files"), "upstream_update": _("Updated by the 12345 platform")}


def labelled(events: list[Any]) -> list[Any]:
    actions, states = {**dict(workflow.Action.choices), **EXTRA_EVENT_LABELS}, dict(State.choices)
    for item in events:
        item.action_label = actions.get(item.action, item.action)
        item.from_label = states.get(item.from_state, item.from_state)
        item.to_label = states.get(item.to_state, item.to_state)
    return events


def told_residents(case: Case, events: list[Any]) -> list[Any]:
    """Give each event that queued a message to the resident that message (`resident_message`): one query, none
    when no event did."""
    found = resident_messages_by_id(case.pk, [(e.data or {}).get("resident_message") for e in events])
    for item in events:
        item.resident_message = found.get((item.data or {}).get("resident_message") or 0)
    return events


def case_detail(case: Case) -> dict[str, Any]:
    """Everything the detail page shows besides the case row: hops, extensions, suspensions and the timeline."""
    events = labelled(list(case.events.select_related("actor")))
    return {
        "dispatches": list(case.dispatches.select_related("unit", "dispatched_by", "signed_by")),
        "extensions": list(case.extensions.select_related("requested_by", "decided_by")),
        "suspensions": list(case.suspensions.select_related("started_by", "ended_by")),
        "supervisions": list(case.supervisions.select_related("unit", "issued_by")),
        "callbacks": list(case.callbacks.select_related("by")),
        "events": told_residents(case, events),
        # Unordered in SQL, sorted here: with an ORDER BY, SQLite walks the received_at index of the whole table.
        "merged": sorted(case.merged.order_by().only("id", "number", "title"), key=lambda m: m.number),
        "main_dispatch": next((d for d in case.dispatches.all() if d.active and d.role == DispatchRole.MAIN), None),
    }
