"""Dispatch to units, sign-off, returns and their review."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiedao.cases.choices import DispatchRole, ReturnReason, Stage, State
from jiedao.cases.deadlines import deadline, limit_for
from jiedao.cases.errors import Conflict, InvalidInput
from jiedao.cases.models import Case, Dispatch
from jiedao.cases.services.base import Step, begin, finish, required_text
from jiedao.cases.services.intake import ensure_finish_clock
from jiedao.cases.workflow import Action
from jiedao.core.errors import NotFoundOrForbidden
from jiedao.units.models import Unit


def _usable_unit(actor: Any, case: Case, unit_id: int) -> Unit:
    unit = Unit.objects.visible_to(actor).filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise InvalidInput(_("Choose an active unit you may dispatch to."), field="unit")
    if not case.office.prefix.startswith(unit.office.prefix):
        raise InvalidInput(_("This unit does not work for the case's office."), field="unit")
    return unit


def _new_dispatch(step: Step, unit: Unit, role: str) -> tuple[Dispatch, list[str]]:
    case = step.case
    sign_by = deadline(step.now, limit_for(case, Stage.SIGN))
    dispatch = Dispatch.objects.create(
        case=case,
        unit=unit,
        role=role,
        dispatched_by=step.actor,
        dispatched_at=step.now,
        sign_deadline=sign_by,
        finish_deadline=case.finish_deadline,
    )
    fields: list[str] = []
    if role == DispatchRole.MAIN:
        case.main_unit = unit
        case.sign_deadline = sign_by
        case.signed_at = None
        fields += ["main_unit", "sign_deadline", "signed_at"]
        if case.contacted_at is None:
            case.contact_deadline = deadline(step.now, limit_for(case, Stage.CONTACT))
            fields.append("contact_deadline")
    if case.dispatched_at is None:
        case.dispatched_at = step.now
        fields.append("dispatched_at")
    return dispatch, fields


@transaction.atomic
def case_dispatch(
    *,
    case_id: int,
    actor: Any,
    unit_id: int,
    role: str = DispatchRole.MAIN,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Dispatch to a main unit (主办) or add a co-handling unit (协办).

    A second main dispatch of an already dispatched case is a Conflict (two dispatchers at once: one wins).
    """
    step = begin(case_id=case_id, actor=actor, action=Action.DISPATCH, expected_version=expected_version)
    case = step.case
    if role not in DispatchRole.values:
        raise InvalidInput(_("Choose main or co-handling."), field="role")
    unit = _usable_unit(actor, case, unit_id)
    active = step.facts["active_units"]
    if role == DispatchRole.MAIN and step.facts["main_unit"] is not None:
        raise Conflict(_("The case is already dispatched to a main unit; review a return or add a co-handling unit."))
    if role == DispatchRole.CO and step.facts["main_unit"] is None:
        raise InvalidInput(_("Dispatch to a main unit first."), field="role")
    if unit.pk in active:
        raise InvalidInput(_("The case is already with this unit."), field="unit")
    fields = ensure_finish_clock(case)
    _dispatch, more = _new_dispatch(step, unit, role)
    to_state = State.DISPATCHED if case.state in (State.REGISTERED, State.ACCEPTED) else None
    return finish(
        step,
        fields=[*fields, *more],
        to_state=to_state,
        note=note,
        data={"unit": unit.pk, "unit_name": unit.name, "role": role},
    )


def _my_dispatches(step: Step) -> list[Dispatch]:
    from jiedao.core.scope import scope_of

    scope = scope_of(step.actor)
    active = step.case.dispatches.filter(active=True)
    return list(active if scope.everything else active.filter(unit_id__in=sorted(scope.unit_ids)))


@transaction.atomic
def case_sign(*, case_id: int, actor: Any, expected_version: int | None = None) -> Case:
    """Sign for the case (签收) for the actor's unit; the main unit's sign-off starts the handling."""
    step = begin(case_id=case_id, actor=actor, action=Action.SIGN, expected_version=expected_version)
    mine = [d for d in _my_dispatches(step) if d.signed_at is None]
    if not mine:
        raise Conflict(_("Your unit has already signed for this case."))
    main_signed = False
    for dispatch in mine:
        dispatch.signed_at, dispatch.signed_by = step.now, step.actor
        dispatch.save(update_fields=["signed_at", "signed_by"])
        main_signed = main_signed or dispatch.role == DispatchRole.MAIN
    case = step.case
    fields: list[str] = []
    to_state = None
    if main_signed:
        if case.first_signed_at is None:  # the response rate judges the first main-unit sign-off
            main = next(d for d in mine if d.role == DispatchRole.MAIN)
            case.first_signed_at, case.first_sign_deadline = step.now, main.sign_deadline
            fields = ["first_signed_at", "first_sign_deadline"]
        case.signed_at = step.now
        case.sign_deadline = None
        fields += ["signed_at", "sign_deadline"]
        to_state = State.HANDLING
    return finish(
        step, fields=fields, to_state=to_state, data={"units": [d.unit_id for d in mine], "main": main_signed}
    )


@transaction.atomic
def case_return(*, case_id: int, actor: Any, reason: str, note: str, expected_version: int | None = None) -> Case:
    """Return a wrongly dispatched case (退单) with a reason; the dispatcher reviews it."""
    step = begin(case_id=case_id, actor=actor, action=Action.RETURN, expected_version=expected_version)
    if reason not in ReturnReason.values:
        raise InvalidInput(_("Choose why the case is returned."), field="reason")
    note = required_text(note, field="note", label=_("Explanation"))
    case = step.case
    dispatch = case.dispatches.get(active=True, role=DispatchRole.MAIN)
    dispatch.returned_at, dispatch.return_reason, dispatch.return_note = step.now, reason, note
    dispatch.active = False
    dispatch.save(update_fields=["returned_at", "return_reason", "return_note", "active"])
    case.return_count += 1
    case.main_unit = None
    case.sign_deadline = None
    return finish(
        step,
        fields=["return_count", "main_unit", "sign_deadline"],
        to_state=State.RETURNED,
        note=note,
        data={"reason": reason, "unit": dispatch.unit_id},
    )


@transaction.atomic
def case_review_return(
    *,
    case_id: int,
    actor: Any,
    approve: bool,
    unit_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Approve a return and re-dispatch to `unit_id` (改派), or refuse it and send the case back to the same unit."""
    action = Action.REDISPATCH if approve else Action.REFUSE_RETURN
    step = begin(case_id=case_id, actor=actor, action=action, expected_version=expected_version)
    case = step.case
    returned = (
        case.dispatches.filter(role=DispatchRole.MAIN, returned_at__isnull=False)
        .order_by("-returned_at", "-id")
        .first()
    )
    if returned is None:
        raise NotFoundOrForbidden(_("There is no return to review."))
    if approve:
        if unit_id is None:
            raise InvalidInput(_("Choose the unit to re-dispatch to."), field="unit")
        if unit_id == returned.unit_id:
            raise InvalidInput(_("Re-dispatch to another unit, or refuse the return."), field="unit")
        unit = _usable_unit(actor, case, unit_id)
    else:
        note = required_text(note, field="note", label=_("Why the return is refused"))
        unit = returned.unit
    returned.review_result = "approved" if approve else "refused"
    returned.reviewed_by, returned.reviewed_at = step.actor, step.now
    returned.save(update_fields=["review_result", "reviewed_by", "reviewed_at"])
    _dispatch, fields = _new_dispatch(step, unit, DispatchRole.MAIN)
    return finish(
        step,
        fields=fields,
        to_state=State.DISPATCHED,
        note=note,
        data={"unit": unit.pk, "unit_name": unit.name, "approved": approve},
    )
