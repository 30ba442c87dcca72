"""Handling, reply, verification, callback and rework; extensions, suspensions, parking and archiving."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiedao.cases.choices import DispatchRole, Resolution, Satisfaction, Stage, State
from jiedao.cases.deadlines import limit_for
from jiedao.cases.errors import Conflict, InvalidInput
from jiedao.cases.models import Case, Extension, Suspension, Verification
from jiedao.cases.services.base import (
    begin,
    callback_add,
    finish,
    recompute_finish,
    required_text,
    start_finish_clock,
)
from jiedao.cases.services.intake import _to_callback_or_closed
from jiedao.cases.workflow import Action
from jiedao.notifications.choices import ResidentKind
from jiedao.notifications.services import resident_tell


@transaction.atomic
def case_contact(*, case_id: int, actor: Any, note: str, expected_version: int | None = None) -> Case:
    """Record the first contact with the resident (先行联系)."""
    step = begin(case_id=case_id, actor=actor, action=Action.CONTACT, expected_version=expected_version)
    note = required_text(note, field="note", label=_("What was said"))
    case = step.case
    fields: list[str] = []
    if case.contacted_at is None:
        case.contacted_at, case.contact_deadline = step.now, None
        fields = ["contacted_at", "contact_deadline"]
    return finish(step, fields=fields, note=note)


@transaction.atomic
def case_reply(*, case_id: int, actor: Any, result_text: str, expected_version: int | None = None) -> Case:
    """The main unit replies with the result (办复); the office then verifies it."""
    step = begin(case_id=case_id, actor=actor, action=Action.REPLY, expected_version=expected_version)
    case = step.case
    case.result_text = required_text(result_text, field="result_text", label=_("Result"))
    case.replied_at = step.now
    case.dispatches.filter(active=True, role=DispatchRole.MAIN).update(replied_at=step.now)
    return finish(step, fields=["result_text", "replied_at"], to_state=State.REPLIED)


def _start_rework(case: Case, now: Any) -> list[str]:
    case.rework_count += 1
    case.replied_at = None
    case.callback_deadline = None
    fields = start_finish_clock(case, start=now, limit=limit_for(case, Stage.REWORK), keep_upstream=False)
    return [*fields, "rework_count", "replied_at", "callback_deadline"]


@transaction.atomic
def case_verify(*, case_id: int, actor: Any, passed: bool, note: str = "", expected_version: int | None = None) -> Case:
    """Check the reply (核查): passed → callback (or closed when there is nobody to call); failed → rework."""
    step = begin(case_id=case_id, actor=actor, action=Action.VERIFY, expected_version=expected_version)
    case = step.case
    Verification.objects.create(case=case, passed=passed, note=note, by=step.actor, at=step.now)
    if not passed:
        required_text(note, field="note", label=_("What is wrong"))
        return finish(
            step, fields=_start_rework(case, step.now), to_state=State.HANDLING, note=note, data={"passed": False}
        )
    if not case.resolution:
        case.resolution = Resolution.HANDLED
    state, fields = _to_callback_or_closed(case, step.now)
    return finish(step, fields=[*fields, "resolution"], to_state=state, note=note, data={"passed": True})


@transaction.atomic
def case_callback(
    *,
    case_id: int,
    actor: Any,
    process_satisfaction: str,
    result_satisfaction: str,
    resolved: bool,
    note: str = "",
    rework: bool = False,
    expected_version: int | None = None,
) -> Case:
    """Record the resident's rating (回访); close, or send back for rework when asked (a dissatisfied callback)."""
    step = begin(case_id=case_id, actor=actor, action=Action.CALLBACK, expected_version=expected_version)
    for field, value in (("process_satisfaction", process_satisfaction), ("result_satisfaction", result_satisfaction)):
        if value not in Satisfaction.values:
            raise InvalidInput(_("Choose satisfied, basically satisfied or dissatisfied."), field=field)
    case = step.case
    if case.state == State.CLOSED and case.resolution != Resolution.MERGED:
        raise Conflict(_("This case is closed; its callback was recorded already."))
    if rework and result_satisfaction != Satisfaction.DISSATISFIED and resolved:
        raise InvalidInput(_("Rework follows a dissatisfied or unresolved callback."), field="rework")
    rated = callback_add(
        case,
        process_satisfaction=process_satisfaction,
        result_satisfaction=result_satisfaction,
        resolved=resolved,
        note=note,
        by=step.actor,
        at=step.now,
    )
    data = {"process": process_satisfaction, "result": result_satisfaction, "resolved": resolved}
    if case.state == State.CLOSED:  # a merged case's resident, called back with the main case
        return finish(step, fields=rated, note=note, data=data)
    if rework:
        return finish(
            step,
            fields=[*rated, *_start_rework(case, step.now)],
            to_state=State.HANDLING,
            note=note,
            data={**data, "rework": True},
        )
    case.closed_at = step.now
    case.callback_deadline = None
    return finish(step, fields=[*rated, "closed_at", "callback_deadline"], to_state=State.CLOSED, note=note, data=data)


@transaction.atomic
def case_rework(*, case_id: int, actor: Any, note: str, expected_version: int | None = None) -> Case:
    """Send a case awaiting callback back to its unit (重办) with a new rework limit."""
    step = begin(case_id=case_id, actor=actor, action=Action.REWORK, expected_version=expected_version)
    note = required_text(note, field="note", label=_("Why"))
    return finish(step, fields=_start_rework(step.case, step.now), to_state=State.HANDLING, note=note)


@transaction.atomic
def case_archive(*, case_id: int, actor: Any, expected_version: int | None = None) -> Case:
    step = begin(case_id=case_id, actor=actor, action=Action.ARCHIVE, expected_version=expected_version)
    return finish(step, fields=[], to_state=State.ARCHIVED)


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("The extension must be a number."), field="amount") from None
    if amount <= 0 or amount > 60:
        raise InvalidInput(_("The extension must be more than 0 and at most 60."), field="amount")
    return amount


@transaction.atomic
def case_extension_request(
    *, case_id: int, actor: Any, amount: Any, reason: str, expected_version: int | None = None
) -> Case:
    """Ask for more time (延期), in the unit of the running limit; the office or a leader decides."""
    step = begin(case_id=case_id, actor=actor, action=Action.REQUEST_EXTENSION, expected_version=expected_version)
    case = step.case
    if case.extensions.filter(approved__isnull=True).exists():
        raise Conflict(_("An extension request is already waiting for a decision."))
    reason = required_text(reason, field="reason", label=_("Reason"))
    extension = Extension.objects.create(
        case=case,
        requested_by=step.actor,
        requested_at=step.now,
        amount=_amount(amount),
        unit=case.finish_unit,
        reason=reason,
    )
    return finish(step, fields=[], note=reason, data={"amount": str(extension.amount), "unit": extension.unit})


@transaction.atomic
def case_extension_decide(
    *, case_id: int, actor: Any, approve: bool, note: str = "", expected_version: int | None = None
) -> Case:
    """Approve (the deadline moves) or refuse the pending extension request.

    An approval tells the resident (DOMAIN.md §2) when the case has a phone: a short message queued here and sent
    after commit; the event's data names it, so the timeline shows whether it went.
    """
    step = begin(case_id=case_id, actor=actor, action=Action.DECIDE_EXTENSION, expected_version=expected_version)
    case = step.case
    extension = case.extensions.filter(approved__isnull=True).first()
    if extension is None:
        raise Conflict(_("There is no extension request waiting."))
    extension.approved, extension.decided_by, extension.decided_at = approve, step.actor, step.now
    extension.decision_note = note
    extension.deadline_before = case.finish_deadline
    fields: list[str] = []
    if approve:
        case.finish_limit = (case.finish_limit or Decimal(0)) + extension.amount
        case.extension_count += 1
        # An approved extension moves the deadline, the upstream one included (the upstream platform approved it).
        recompute_finish(case, keep_upstream=False)
        fields = ["finish_limit", "extension_count", "finish_deadline"]
    extension.deadline_after = case.finish_deadline
    extension.save()
    data: dict[str, Any] = {"approved": approve}
    if approve:
        told = resident_tell(case=case, kind=ResidentKind.EXTENSION_APPROVED)
        if told is not None:
            data["resident_message"] = told.pk
    return finish(step, fields=fields, note=note, data=data)


@transaction.atomic
def case_suspend(*, case_id: int, actor: Any, reason: str, expected_version: int | None = None) -> Case:
    """Suspend (挂起): the clock stops until the case is resumed."""
    step = begin(case_id=case_id, actor=actor, action=Action.SUSPEND, expected_version=expected_version)
    reason = required_text(reason, field="reason", label=_("Reason"))
    case = step.case
    Suspension.objects.create(case=case, started_at=step.now, reason=reason, started_by=step.actor)
    case.state_before_suspension = case.state
    case.finish_deadline = None
    return finish(step, fields=["state_before_suspension", "finish_deadline"], to_state=State.SUSPENDED, note=reason)


@transaction.atomic
def case_resume(*, case_id: int, actor: Any, note: str = "", expected_version: int | None = None) -> Case:
    """Resume a suspended case: back to where it was, the deadline later by the time suspended."""
    step = begin(case_id=case_id, actor=actor, action=Action.RESUME, expected_version=expected_version)
    case = step.case
    case.suspensions.filter(ended_at__isnull=True).update(ended_at=step.now, ended_by=step.actor)
    recompute_finish(case)
    previous = case.state_before_suspension or State.ACCEPTED
    case.state_before_suspension = ""
    return finish(step, fields=["finish_deadline", "state_before_suspension"], to_state=previous, note=note)


@transaction.atomic
def case_park(*, case_id: int, actor: Any, reason: str, expected_version: int | None = None) -> Case:
    """Park a problem that cannot be solved now (挂账, the problem register)."""
    step = begin(case_id=case_id, actor=actor, action=Action.PARK, expected_version=expected_version)
    reason = required_text(reason, field="reason", label=_("Reason"))
    step.case.finish_deadline = None
    return finish(step, fields=["finish_deadline"], to_state=State.PARKED, note=reason)


@transaction.atomic
def case_unpark(*, case_id: int, actor: Any, note: str = "", expected_version: int | None = None) -> Case:
    """Take a parked problem back: it waits for dispatch again with a fresh finishing clock."""
    step = begin(case_id=case_id, actor=actor, action=Action.UNPARK, expected_version=expected_version)
    case = step.case
    case.main_unit = None
    case.dispatches.filter(active=True).update(active=False)
    fields = start_finish_clock(case, start=step.now, limit=limit_for(case, Stage.FINISH), keep_upstream=False)
    return finish(step, fields=[*fields, "main_unit"], to_state=State.ACCEPTED, note=note)
