"""How each screen action calls its service: one small adapter per action from the form's cleaned data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from jiedao.cases import services
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Case
from jiedao.cases.workflow import Action

Adapter = Callable[[int, Any, dict[str, Any], int | None], Case]


def _merge(case_id: int, actor: Any, data: dict[str, Any], version: int | None) -> Case:
    number = data["into"].strip()
    main = Case.objects.visible_to(actor).filter(number=number).exclude(pk=case_id).first()
    if main is None:
        raise InvalidInput(_("No case you may see has this number."), field="into")
    return services.case_merge(
        case_id=case_id, into_id=main.pk, actor=actor, note=data.get("note", ""), expected_version=version
    )


def _unit_id(data: dict[str, Any]) -> int | None:
    unit = data.get("unit")
    return unit.pk if unit is not None else None


ADAPTERS: dict[str, Adapter] = {
    Action.ACCEPT: lambda c, a, d, v: services.case_accept(case_id=c, actor=a, expected_version=v),
    Action.REJECT: lambda c, a, d, v: services.case_reject(
        case_id=c, actor=a, reason=d["reason"], note=d["note"], expected_version=v
    ),
    Action.ANSWER: lambda c, a, d, v: services.case_answer(
        case_id=c, actor=a, result_text=d["result_text"], expected_version=v
    ),
    Action.DISPATCH: lambda c, a, d, v: services.case_dispatch(
        case_id=c, actor=a, unit_id=d["unit"].pk, role=d["role"], note=d["note"], expected_version=v
    ),
    Action.SIGN: lambda c, a, d, v: services.case_sign(case_id=c, actor=a, expected_version=v),
    Action.RETURN: lambda c, a, d, v: services.case_return(
        case_id=c, actor=a, reason=d["reason"], note=d["note"], expected_version=v
    ),
    Action.REDISPATCH: lambda c, a, d, v: services.case_review_return(
        case_id=c, actor=a, approve=True, unit_id=_unit_id(d), note=d["note"], expected_version=v
    ),
    Action.REFUSE_RETURN: lambda c, a, d, v: services.case_review_return(
        case_id=c, actor=a, approve=False, note=d["note"], expected_version=v
    ),
    Action.CONTACT: lambda c, a, d, v: services.case_contact(case_id=c, actor=a, note=d["note"], expected_version=v),
    Action.REPLY: lambda c, a, d, v: services.case_reply(
        case_id=c, actor=a, result_text=d["result_text"], expected_version=v
    ),
    Action.VERIFY: lambda c, a, d, v: services.case_verify(
        case_id=c, actor=a, passed=d["passed"], note=d["note"], expected_version=v
    ),
    Action.CALLBACK: lambda c, a, d, v: services.case_callback(
        case_id=c,
        actor=a,
        process_satisfaction=d["process_satisfaction"],
        result_satisfaction=d["result_satisfaction"],
        resolved=d["resolved"],
        note=d["note"],
        rework=d["rework"],
        expected_version=v,
    ),
    Action.REWORK: lambda c, a, d, v: services.case_rework(case_id=c, actor=a, note=d["note"], expected_version=v),
    Action.ARCHIVE: lambda c, a, d, v: services.case_archive(case_id=c, actor=a, expected_version=v),
    Action.SUSPEND: lambda c, a, d, v: services.case_suspend(
        case_id=c, actor=a, reason=d["reason"], expected_version=v
    ),
    Action.RESUME: lambda c, a, d, v: services.case_resume(case_id=c, actor=a, note=d["note"], expected_version=v),
    Action.PARK: lambda c, a, d, v: services.case_park(case_id=c, actor=a, reason=d["reason"], expected_version=v),
    Action.UNPARK: lambda c, a, d, v: services.case_unpark(case_id=c, actor=a, note=d["note"], expected_version=v),
    Action.REQUEST_EXTENSION: lambda c, a, d, v: services.case_extension_request(
        case_id=c, actor=a, amount=d["amount"], reason=d["reason"], expected_version=v
    ),
    Action.DECIDE_EXTENSION: lambda c, a, d, v: services.case_extension_decide(
        case_id=c, actor=a, approve=d["approve"], note=d["note"], expected_version=v
    ),
    Action.SUPERVISE: lambda c, a, d, v: services.case_supervise(
        case_id=c, actor=a, content=d["content"], expected_version=v
    ),
    Action.ANSWER_SUPERVISION: lambda c, a, d, v: services.case_supervision_answer(
        case_id=c, supervision_id=d["supervision"], actor=a, reply=d["reply"], expected_version=v
    ),
    Action.ESCALATE: lambda c, a, d, v: services.case_escalate(case_id=c, actor=a, note=d["note"], expected_version=v),
    Action.MERGE: _merge,
    Action.VOID: lambda c, a, d, v: services.case_void(case_id=c, actor=a, note=d["note"], expected_version=v),
    Action.REQUEST_EXCLUSION: lambda c, a, d, v: services.case_exclusion_request(
        case_id=c, actor=a, reason=d["reason"], expected_version=v
    ),
    Action.DECIDE_EXCLUSION: lambda c, a, d, v: services.case_exclusion_decide(
        case_id=c, actor=a, approve=d["approve"], note=d["note"], expected_version=v
    ),
    Action.NOTE: lambda c, a, d, v: services.case_note(case_id=c, actor=a, note=d["note"]),
}
