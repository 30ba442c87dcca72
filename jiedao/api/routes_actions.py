"""Every action of the case loop, one endpoint each with its own typed body.

Each endpoint calls the same service the screen's action form calls (through jiedao.cases.services, which locks,
re-reads, checks the workflow table and the permission table, and writes the event); `expected_version` is the
screens' stale-form check (409 conflict). The answer is the case as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Router

from jiedao.api.presenters import case_detail
from jiedao.api.routes_cases import ERRORS, actor
from jiedao.api.schemas import (
    ActionIn,
    CallbackIn,
    CaseDetail,
    DecisionIn,
    DispatchIn,
    ExtensionIn,
    Id,
    MergeIn,
    NoteIn,
    PlainNoteIn,
    ReasonIn,
    RedispatchIn,
    RejectIn,
    RequiredNoteIn,
    ResultIn,
    ReturnIn,
    SuperviseIn,
    SupervisionAnswerIn,
    VerifyIn,
)
from jiedao.cases import permissions, services
from jiedao.cases.actions import ADAPTERS
from jiedao.cases.models import Case
from jiedao.cases.workflow import Action
from jiedao.core import clock

router = Router(tags=["case actions"])


def _done(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = actor(request)
    return case_detail(user, permissions.access_case(user, case.pk), clock.now())


def _post(action: str, summary: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.post(
        f"/cases/{{case_id}}/actions/{action}",
        response={200: CaseDetail, **ERRORS},
        summary=summary,
        operation_id=f"case_{action}",
    )


@_post(Action.ACCEPT, "Accept (受理)")
def accept(request: HttpRequest, body: ActionIn, case_id: Id) -> dict[str, Any]:
    return _done(
        request, services.case_accept(case_id=case_id, actor=actor(request), expected_version=body.expected_version)
    )


@_post(Action.REJECT, "Do not accept (不予受理), with a reason")
def reject(request: HttpRequest, body: RejectIn, case_id: Id) -> dict[str, Any]:
    case = services.case_reject(
        case_id=case_id,
        actor=actor(request),
        reason=body.reason,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.ANSWER, "Answer at once (直接答复)")
def answer(request: HttpRequest, body: ResultIn, case_id: Id) -> dict[str, Any]:
    case = services.case_answer(
        case_id=case_id, actor=actor(request), result_text=body.result_text, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.DISPATCH, "Dispatch to a main unit, or add a co-handling unit (派单)")
def dispatch(request: HttpRequest, body: DispatchIn, case_id: Id) -> dict[str, Any]:
    case = services.case_dispatch(
        case_id=case_id,
        actor=actor(request),
        unit_id=body.unit_id,
        role=body.role,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.SIGN, "Sign for the case for your unit (签收)")
def sign(request: HttpRequest, body: ActionIn, case_id: Id) -> dict[str, Any]:
    return _done(
        request, services.case_sign(case_id=case_id, actor=actor(request), expected_version=body.expected_version)
    )


@_post(Action.RETURN, "Return a wrongly dispatched case (退单)")
def return_case(request: HttpRequest, body: ReturnIn, case_id: Id) -> dict[str, Any]:
    case = services.case_return(
        case_id=case_id,
        actor=actor(request),
        reason=body.reason,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.REDISPATCH, "Approve a return and re-dispatch to another unit (改派)")
def redispatch(request: HttpRequest, body: RedispatchIn, case_id: Id) -> dict[str, Any]:
    case = services.case_review_return(
        case_id=case_id,
        actor=actor(request),
        approve=True,
        unit_id=body.unit_id,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.REFUSE_RETURN, "Refuse a return: the case goes back to the same unit")
def refuse_return(request: HttpRequest, body: RequiredNoteIn, case_id: Id) -> dict[str, Any]:
    case = services.case_review_return(
        case_id=case_id, actor=actor(request), approve=False, note=body.note, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.CONTACT, "Record the first contact with the resident (先行联系)")
def contact(request: HttpRequest, body: RequiredNoteIn, case_id: Id) -> dict[str, Any]:
    case = services.case_contact(
        case_id=case_id, actor=actor(request), note=body.note, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.REPLY, "Reply with the result (办复)")
def reply(request: HttpRequest, body: ResultIn, case_id: Id) -> dict[str, Any]:
    case = services.case_reply(
        case_id=case_id, actor=actor(request), result_text=body.result_text, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.VERIFY, "Verify the reply (核查): passed, or failed and back to rework")
def verify(request: HttpRequest, body: VerifyIn, case_id: Id) -> dict[str, Any]:
    case = services.case_verify(
        case_id=case_id,
        actor=actor(request),
        passed=body.passed,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.CALLBACK, "Record the resident's rating (回访): closes the case, or sends it back for rework")
def callback(request: HttpRequest, body: CallbackIn, case_id: Id) -> dict[str, Any]:
    case = services.case_callback(
        case_id=case_id,
        actor=actor(request),
        process_satisfaction=body.process_satisfaction,
        result_satisfaction=body.result_satisfaction,
        resolved=body.resolved,
        note=body.note,
        rework=body.rework,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.REWORK, "Send a case awaiting callback back for rework (重办)")
def rework(request: HttpRequest, body: RequiredNoteIn, case_id: Id) -> dict[str, Any]:
    case = services.case_rework(
        case_id=case_id, actor=actor(request), note=body.note, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.ARCHIVE, "Archive a closed case (归档)")
def archive(request: HttpRequest, body: ActionIn, case_id: Id) -> dict[str, Any]:
    return _done(
        request, services.case_archive(case_id=case_id, actor=actor(request), expected_version=body.expected_version)
    )


@_post(Action.SUSPEND, "Suspend: the clock stops (挂起)")
def suspend(request: HttpRequest, body: ReasonIn, case_id: Id) -> dict[str, Any]:
    case = services.case_suspend(
        case_id=case_id, actor=actor(request), reason=body.reason, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.RESUME, "Resume a suspended case")
def resume(request: HttpRequest, body: NoteIn, case_id: Id) -> dict[str, Any]:
    case = services.case_resume(
        case_id=case_id, actor=actor(request), note=body.note, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.PARK, "Park as not solvable now (挂账)")
def park(request: HttpRequest, body: ReasonIn, case_id: Id) -> dict[str, Any]:
    case = services.case_park(
        case_id=case_id, actor=actor(request), reason=body.reason, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.UNPARK, "Take a parked problem back")
def unpark(request: HttpRequest, body: NoteIn, case_id: Id) -> dict[str, Any]:
    case = services.case_unpark(
        case_id=case_id, actor=actor(request), note=body.note, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.REQUEST_EXTENSION, "Ask for more time (延期), in the unit of the running limit")
def request_extension(request: HttpRequest, body: ExtensionIn, case_id: Id) -> dict[str, Any]:
    case = services.case_extension_request(
        case_id=case_id,
        actor=actor(request),
        amount=body.amount,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.DECIDE_EXTENSION, "Approve or refuse the pending extension request")
def decide_extension(request: HttpRequest, body: DecisionIn, case_id: Id) -> dict[str, Any]:
    case = services.case_extension_decide(
        case_id=case_id,
        actor=actor(request),
        approve=body.approve,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.SUPERVISE, "Issue a supervision notice (督办)")
def supervise(request: HttpRequest, body: SuperviseIn, case_id: Id) -> dict[str, Any]:
    case = services.case_supervise(
        case_id=case_id,
        actor=actor(request),
        content=body.content,
        unit_id=body.unit_id,
        reply_by=body.reply_by,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.ANSWER_SUPERVISION, "Answer a supervision notice addressed to your unit")
def answer_supervision(request: HttpRequest, body: SupervisionAnswerIn, case_id: Id) -> dict[str, Any]:
    case = services.case_supervision_answer(
        case_id=case_id,
        supervision_id=body.supervision_id,
        actor=actor(request),
        reply=body.reply,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.ESCALATE, "Escalate one rung up the ladder (呈报)")
def escalate(request: HttpRequest, body: RequiredNoteIn, case_id: Id) -> dict[str, Any]:
    case = services.case_escalate(
        case_id=case_id, actor=actor(request), note=body.note, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.MERGE, "Merge this repeated demand into a main case (并单)")
def merge(request: HttpRequest, body: MergeIn, case_id: Id) -> dict[str, Any]:
    # The screen's adapter: the main case is found by number among the cases the user may see.
    data = {"into": body.into_number, "note": body.note}
    return _done(request, ADAPTERS[Action.MERGE](case_id, actor(request), data, body.expected_version))


@_post(Action.VOID, "Void a case registered by mistake (作废)")
def void(request: HttpRequest, body: RequiredNoteIn, case_id: Id) -> dict[str, Any]:
    case = services.case_void(
        case_id=case_id, actor=actor(request), note=body.note, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.REQUEST_EXCLUSION, "Ask that an unreasonable demand not count in the scores")
def request_exclusion(request: HttpRequest, body: ReasonIn, case_id: Id) -> dict[str, Any]:
    case = services.case_exclusion_request(
        case_id=case_id, actor=actor(request), reason=body.reason, expected_version=body.expected_version
    )
    return _done(request, case)


@_post(Action.DECIDE_EXCLUSION, "Approve or refuse the pending exclusion request")
def decide_exclusion(request: HttpRequest, body: DecisionIn, case_id: Id) -> dict[str, Any]:
    case = services.case_exclusion_decide(
        case_id=case_id,
        actor=actor(request),
        approve=body.approve,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(request, case)


@_post(Action.NOTE, "Add a note to the history")
def note(request: HttpRequest, body: PlainNoteIn, case_id: Id) -> dict[str, Any]:
    return _done(request, services.case_note(case_id=case_id, actor=actor(request), note=body.note))
