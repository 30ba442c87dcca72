"""Every action of the case loop, one endpoint each with its own typed body.

Each endpoint runs the action as the screen's form does (jiedao.cases.actions.perform: the same service with the same
arguments, which locks, re-reads, checks the workflow table and the permission table, and writes the event); a body's
fields are the service's arguments by name. `expected_version` is the screens' stale-form check (409 conflict). The
answer is the case as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

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
from jiedao.cases import permissions
from jiedao.cases.actions import perform
from jiedao.cases.workflow import Action
from jiedao.core import clock

router = Router(tags=["case actions"])

# Each action: its body and the summary the OpenAPI document shows, in the order the document lists them.
ENDPOINTS: dict[str, tuple[type[Schema], str]] = {
    Action.ACCEPT: (ActionIn, "Accept (受理)"),
    Action.REJECT: (RejectIn, "Do not accept (不予受理), with a reason"),
    Action.ANSWER: (ResultIn, "Answer at once (直接答复)"),
    Action.DISPATCH: (DispatchIn, "Dispatch to a main unit, or add a co-handling unit (派单)"),
    Action.SIGN: (ActionIn, "Sign for the case for your unit (签收)"),
    Action.RETURN: (ReturnIn, "Return a wrongly dispatched case (退单)"),
    Action.REDISPATCH: (RedispatchIn, "Approve a return and re-dispatch to another unit (改派)"),
    Action.REFUSE_RETURN: (RequiredNoteIn, "Refuse a return: the case goes back to the same unit"),
    Action.CONTACT: (RequiredNoteIn, "Record the first contact with the resident (先行联系)"),
    Action.REPLY: (ResultIn, "Reply with the result (办复)"),
    Action.VERIFY: (VerifyIn, "Verify the reply (核查): passed, or failed and back to rework"),
    Action.CALLBACK: (CallbackIn, "Record the resident's rating (回访): closes the case, or sends it back for rework"),
    Action.REWORK: (RequiredNoteIn, "Send a case awaiting callback back for rework (重办)"),
    Action.ARCHIVE: (ActionIn, "Archive a closed case (归档)"),
    Action.SUSPEND: (ReasonIn, "Suspend: the clock stops (挂起)"),
    Action.RESUME: (NoteIn, "Resume a suspended case"),
    Action.PARK: (ReasonIn, "Park as not solvable now (挂账)"),
    Action.UNPARK: (NoteIn, "Take a parked problem back"),
    Action.REQUEST_EXTENSION: (ExtensionIn, "Ask for more time (延期), in the unit of the running limit"),
    Action.DECIDE_EXTENSION: (DecisionIn, "Approve or refuse the pending extension request"),
    Action.SUPERVISE: (SuperviseIn, "Issue a supervision notice (督办)"),
    Action.ANSWER_SUPERVISION: (SupervisionAnswerIn, "Answer a supervision notice addressed to your unit"),
    Action.ESCALATE: (RequiredNoteIn, "Escalate one rung up the ladder (呈报)"),
    Action.MERGE: (MergeIn, "Merge this repeated demand into a main case (并单)"),
    Action.VOID: (RequiredNoteIn, "Void a case registered by mistake (作废)"),
    Action.REQUEST_EXCLUSION: (ReasonIn, "Ask that an unreasonable demand not count in the scores"),
    Action.DECIDE_EXCLUSION: (DecisionIn, "Approve or refuse the pending exclusion request"),
    Action.NOTE: (PlainNoteIn, "Add a note to the history"),
}


def _endpoint(action: str, body_type: type[Schema]) -> Callable[..., dict[str, Any]]:
    def endpoint(request: HttpRequest, body: Schema, case_id: Id) -> dict[str, Any]:
        fields = body.model_dump(exclude={"expected_version"})
        user = actor(request)
        case = perform(action, case_id, user, fields, getattr(body, "expected_version", None))
        return case_detail(user, permissions.access_case(user, case.pk), clock.now())

    # django-ninja reads the body's type from the annotations.
    endpoint.__annotations__ = {"request": HttpRequest, "body": body_type, "case_id": Id, "return": dict[str, Any]}
    endpoint.__name__ = endpoint.__qualname__ = f"case_{action}"
    return endpoint


for _action, (_body, _summary) in ENDPOINTS.items():
    router.post(
        f"/cases/{{case_id}}/actions/{_action}",
        response={200: CaseDetail, **ERRORS},
        summary=_summary,
        operation_id=f"case_{_action}",
    )(_endpoint(_action, _body))
