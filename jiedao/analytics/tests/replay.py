"""An independent recomputation of every KPI from the event log, by a plain loop: the test oracle.

It reads the CaseEvent rows (action, at, from_state, to_state, data) and nothing of the selectors. What the
events do not carry, it reads from the rows as they were recorded, and says so here:
- Case.finish_deadline: no event records the finishing deadline (accept, dispatch, rework, extension and resume
  events carry none), so the case's recorded deadline is used;
- Case.scope_code, category code and request_type, for the filters: the register event carries only the channel
  and the number;
- Dispatch.sign_deadline of the dispatch signed for: neither the dispatch event nor the sign event carries it,
  and Case.sign_deadline is cleared at sign-off. The dispatch row is found by (case, unit, dispatch time) taken
  from the events.
The receipt time is the register event's `at` (equal to Case.received_at unless registered with a back-dated
received_at, which no event records).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jiedao.cases.models import Case, CaseEvent, Dispatch

FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass
class Story:
    """What the event log says happened to one case (plus the recorded facts named above)."""

    case_id: int
    channel: str = ""
    received_at: dt.datetime | None = None
    state: str = ""
    merged: bool = False
    voided: bool = False
    excluded: bool = False
    main_unit: int | None = None
    main_since: dt.datetime | None = None
    dispatched_at: dt.datetime | None = None
    main_signed_at: dt.datetime | None = None
    main_sign_deadline: dt.datetime | None = None
    contacted_at: dt.datetime | None = None
    latest_callback: dict[str, Any] | None = None
    closed_at: dt.datetime | None = None
    returned: bool = False
    extended: bool = False
    reworks: int = 0
    answered: bool = False
    rejected: bool = False
    notices: list[dt.datetime] = field(default_factory=list)
    finish_deadline: dt.datetime | None = None
    scope_code: str = ""
    category_code: str = ""
    request_type: str = ""


def stories() -> dict[int, Story]:
    sign_deadlines = {
        (d["case_id"], d["unit_id"], d["dispatched_at"]): d["sign_deadline"]
        for d in Dispatch.objects.filter(role="main").values("case_id", "unit_id", "dispatched_at", "sign_deadline")
    }
    told: dict[int, Story] = {}
    for e in CaseEvent.objects.order_by("at", "id").values("case_id", "action", "at", "from_state", "to_state", "data"):
        s = told.setdefault(e["case_id"], Story(e["case_id"]))
        action, at, data = e["action"], e["at"], e["data"]
        if action == "register":
            s.channel, s.received_at = data["channel"], at
        elif action == "dispatch":
            s.dispatched_at = s.dispatched_at or at
            if data["role"] == "main":
                s.main_unit, s.main_since = data["unit"], at
        elif action in ("redispatch", "refuse_return"):
            s.main_unit, s.main_since = data["unit"], at
        elif action in ("return", "unpark"):
            s.returned = s.returned or action == "return"
            s.main_unit = None
        elif action == "sign":
            # The main unit's sign-off is the one that starts the handling.
            if s.main_signed_at is None and e["from_state"] == "dispatched" and e["to_state"] == "handling":
                s.main_signed_at = at
                assert s.main_unit is not None and s.main_since is not None
                s.main_sign_deadline = sign_deadlines[(s.case_id, s.main_unit, s.main_since)]
        elif action == "contact":
            s.contacted_at = s.contacted_at or at
        elif action == "callback":
            s.latest_callback = {"at": at, **data}
            s.reworks += bool(data.get("rework"))
        elif action == "verify":
            s.reworks += data.get("passed") is False
        elif action == "rework":
            s.reworks += 1
        elif action == "decide_extension":
            s.extended = s.extended or data["approved"]
        elif action == "decide_exclusion":
            s.excluded = data["approved"]
        elif action == "supervise":
            s.notices.append(at)
        elif action == "answer":
            s.answered = True
        elif action == "reject":
            s.rejected = True
        elif action == "void":
            s.voided = True
        elif action == "merge" and "into" in data:  # the main case's own merge event names the merged one
            s.merged = True
        if e["to_state"] == "closed" and e["from_state"] != "closed" and s.closed_at is None:
            s.closed_at = at
        s.state = e["to_state"] or s.state
    for row in Case.objects.values("pk", "finish_deadline", "scope_code", "category__code", "request_type"):
        s = told[row["pk"]]
        s.finish_deadline, s.scope_code = row["finish_deadline"], row["scope_code"]
        s.category_code, s.request_type = row["category__code"] or "", row["request_type"]
    return told


def _in(moment: dt.datetime | None, start: dt.datetime, end: dt.datetime) -> bool:
    return moment is not None and start <= moment < end


def _rate(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(numerator) / denominator).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def recompute(
    told: dict[int, Story],
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    weight: Decimal = Decimal("0.8"),
    place_prefix: str = "",
    unit_id: int | None = None,
    category_code: str = "",
    channel: str = "",
    request_type: str = "",
) -> dict[str, tuple[Any, Any, Any]]:
    """Every KPI as (numerator, denominator, value), looping over the stories one by one."""
    as_of = min(end, now)
    n: dict[str, Decimal] = {}

    def add(name: str, amount: Decimal | int = 1) -> None:
        n[name] = n.get(name, Decimal(0)) + amount

    for s in told.values():
        if s.merged or s.voided:
            continue
        if place_prefix and not s.scope_code.startswith(place_prefix):
            continue
        if unit_id is not None and s.main_unit != unit_id:
            continue
        if category_code and not s.category_code.startswith(category_code):
            continue
        if (channel and s.channel != channel) or (request_type and s.request_type != request_type):
            continue
        scored = not s.excluded
        if _in(s.dispatched_at, start, end):
            add("dispatched")
            add("returned", s.returned)
            add("extended", s.extended)
            if scored:
                add("dispatched_scored")
                if s.main_signed_at is not None and s.main_sign_deadline is not None:
                    first_response = min(s.main_signed_at, s.contacted_at or FAR_FUTURE)
                    add("responded", first_response <= s.main_sign_deadline)
        callback = s.latest_callback
        if scored and callback is not None and _in(callback["at"], start, end):
            add("called_back")
            add("resolved", callback["resolved"])
            for aspect in ("result", "process"):
                add(f"{aspect}_satisfied", callback[aspect] == "satisfied")
                add(f"{aspect}_basically", callback[aspect] == "basically")
        if scored and s.finish_deadline is not None and as_of > start:
            open_at_as_of = s.closed_at is None or s.closed_at >= as_of
            overdue_open = s.finish_deadline < as_of and open_at_as_of
            if start <= s.finish_deadline < as_of or overdue_open:
                add("due")
                add("on_time", s.closed_at is not None and s.closed_at <= s.finish_deadline)
            add("overdue_open", overdue_open)
        if _in(s.closed_at, start, end) and not s.rejected:
            add("closed")
            add("reworked", s.reworks > 0)
            assert s.closed_at is not None and s.received_at is not None
            add("hours", Decimal((s.closed_at - s.received_at).total_seconds()) / 3600)
        if _in(s.received_at, start, end):
            add("not_accepted", s.rejected)
            if s.state != "registered" and not s.rejected:
                add("accepted")
                add("answered", s.answered)
        add("notices", sum(1 for moment in s.notices if start <= moment < end))

    def get(name: str) -> Decimal:
        return n.get(name, Decimal(0))

    def rate(numerator: str, denominator: str) -> tuple[Any, Any, Any]:
        return get(numerator), get(denominator), _rate(get(numerator), int(get(denominator)))

    result = {
        "response": rate("responded", "dispatched_scored"),
        "resolution": rate("resolved", "called_back"),
        "return": rate("returned", "dispatched"),
        "rework": rate("reworked", "closed"),
        "extension": rate("extended", "dispatched"),
        "on_time": rate("on_time", "due"),
        "direct_answer": rate("answered", "accepted"),
        "supervision": (get("notices"), None, get("notices")),
        "not_accepted": (get("not_accepted"), None, get("not_accepted")),
    }
    for kpi, aspect in (("satisfaction", "result"), ("process_satisfaction", "process")):
        numerator = get(f"{aspect}_satisfied") + get(f"{aspect}_basically") * weight
        result[kpi] = (numerator, get("called_back"), _rate(numerator, int(get("called_back"))))
    hours = get("hours").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    closed = int(get("closed"))
    average = (hours / closed).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if closed else None
    result["handling_time"] = (hours, closed, average)
    weighted = [(Decimal(30), result["response"][2]), (Decimal(35), result["resolution"][2])]
    weighted.append((Decimal(35), result["satisfaction"][2]))
    present = [(w, v) for w, v in weighted if v is not None]
    total = sum((w * v for w, v in present), Decimal(0))
    weights = sum((w for w, _v in present), Decimal(0))
    result["composite"] = (total, weights, _rate(total, weights))
    return result
