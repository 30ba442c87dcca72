"""What every case action shares: lock and re-read, check the table and the policy, save, write the event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from jiedao.cases import permissions, workflow
from jiedao.cases.deadlines import deadline, earliest, pauses_of
from jiedao.cases.errors import Conflict, InvalidInput
from jiedao.cases.models import Callback, Case, CaseEvent
from jiedao.core import clock
from jiedao.core.errors import NotFoundOrForbidden
from jiedao.integrations.webhooks import deliveries_for_event
from jiedao.notifications.services import EVENT_KINDS, notify_case_event
from jiedao.workdays.calendar import Limit


@dataclass
class Step:
    case: Case
    actor: Any
    action: str
    from_state: str
    targets: frozenset[str]
    facts: dict[str, Any]
    now: dt.datetime


def begin(*, case_id: int, actor: Any, action: str, expected_version: int | None = None) -> Step:
    """Lock the case, re-read it and check that `action` may happen now and by `actor`.

    Raises NotFoundOrForbidden (not visible), Conflict (changed since `expected_version`), TransitionNotAllowed,
    ActionForbidden. Must run inside a transaction.
    """
    # Lock first (a plain row lock: no joins, so it works on PostgreSQL), then check visibility on the locked row.
    locked = Case.objects.select_for_update().filter(pk=case_id).first()
    if locked is None or not Case.objects.visible_to(actor, narrow=True).filter(pk=case_id).exists():
        raise NotFoundOrForbidden(_("No such case."))
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("Someone else changed this case a moment ago; look at it again before acting."))
    targets = workflow.require(locked.state, action)
    facts = permissions.dispatch_facts(locked)
    permissions.require(actor, locked, action, facts)
    return Step(locked, actor, action, locked.state, targets, facts, clock.now())


def finish(
    step: Step, *, fields: list[str], to_state: str | None = None, note: str = "", data: dict[str, Any] | None = None
) -> Case:
    """Apply the new state (if any), save the changed fields and the version, and write the event."""
    case = step.case
    if to_state is not None:
        if step.targets and to_state not in step.targets:
            raise workflow.TransitionNotAllowed(_("This action cannot lead there."))
        case.state = to_state
        fields = [*fields, "state"]
    case.version += 1
    case.save(update_fields=sorted({*fields, "version", "updated_at"}))
    # The event log alone must tell the clocks as they were then (the KPI replay reads them).
    data = dict(data or {})
    for clock_field in ("finish_deadline", "sign_deadline", "callback_deadline"):
        if clock_field in fields:
            moment = getattr(case, clock_field)
            data[clock_field] = moment.isoformat() if moment else None
    event(
        case,
        actor=step.actor,
        action=step.action,
        from_state=step.from_state,
        to_state=case.state,
        note=note,
        data=data,
        at=step.now,
    )
    return case


def event(
    case: Case,
    *,
    actor: Any,
    action: str,
    from_state: str,
    to_state: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    written = CaseEvent.objects.create(
        case=case,
        at=at or clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )
    if action in EVENT_KINDS:
        # In the action's transaction: the in-app notices commit or roll back with it; outbound waits for commit.
        notify_case_event(written.pk)
    # Webhook deliveries are written with the event (a rollback leaves none) and sent after commit.
    deliveries_for_event(written)
    return written


def callback_add(
    case: Case,
    *,
    process_satisfaction: str,
    result_satisfaction: str,
    resolved: bool,
    note: str,
    by: Any,
    at: dt.datetime,
) -> list[str]:
    """Write a callback as the case's latest one (the earlier ones stay for the history) and copy it onto the case
    for the KPIs; return the case fields changed (the caller saves them)."""
    case.callbacks.filter(is_latest=True).update(is_latest=False)
    Callback.objects.create(
        case=case,
        process_satisfaction=process_satisfaction,
        result_satisfaction=result_satisfaction,
        resolved=resolved,
        note=note,
        by=by,
        at=at,
    )
    case.callback_at, case.callback_resolved = at, resolved
    case.callback_result, case.callback_process = result_satisfaction, process_satisfaction
    return ["callback_at", "callback_resolved", "callback_result", "callback_process"]


def required_text(value: str, *, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("%(label)s is required.") % {"label": label}, field=field)
    return value


def start_finish_clock(case: Case, *, start: dt.datetime, limit: Limit, keep_upstream: bool) -> list[str]:
    """Start the finishing clock at `start` with `limit`; return the fields changed."""
    case.finish_started_at = start
    case.finish_limit = limit.amount
    case.finish_unit = limit.unit
    recompute_finish(case, keep_upstream=keep_upstream)
    return ["finish_started_at", "finish_limit", "finish_unit", "finish_deadline"]


def recompute_finish(case: Case, *, keep_upstream: bool = True) -> None:
    """Finishing deadline = start + limit (with approved extensions) on the working calendar, later by every
    suspension; a 12345 transfer keeps the upstream deadline when that is earlier. None while suspended."""
    if case.finish_started_at is None or case.finish_limit is None:
        case.finish_deadline = None
        return
    computed = deadline(case.finish_started_at, Limit(case.finish_limit, case.finish_unit), pauses_of(case))
    if computed is None:
        case.finish_deadline = None
        return
    case.finish_deadline = earliest(computed, case.upstream_deadline) if keep_upstream else computed
