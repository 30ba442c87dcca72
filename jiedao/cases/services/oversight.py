"""Supervision notices (督办), escalation, exclusion from scoring and notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiedao.cases.choices import Escalation, Stage
from jiedao.cases.deadlines import deadline, limit_for
from jiedao.cases.errors import Conflict, InvalidInput
from jiedao.cases.models import Case, ScoringExclusion, Supervision
from jiedao.cases.services.base import begin, finish, required_text
from jiedao.cases.workflow import Action
from jiedao.core.errors import NotFoundOrForbidden


@transaction.atomic
def case_supervise(
    *,
    case_id: int,
    actor: Any,
    content: str,
    unit_id: int | None = None,
    reply_by: dt.datetime | None = None,
    automatic: bool = False,
    expected_version: int | None = None,
) -> Case:
    """Issue a supervision notice to a unit (the main unit by default) with its own reply deadline."""
    step = begin(case_id=case_id, actor=actor, action=Action.SUPERVISE, expected_version=expected_version)
    case = step.case
    content = required_text(content, field="content", label=_("Content"))
    target = unit_id or case.main_unit_id
    if target is None:
        raise InvalidInput(_("The case has no unit to supervise yet."), field="unit")
    if target not in step.facts["active_units"]:
        raise InvalidInput(_("Supervise a unit the case is with."), field="unit")
    if reply_by is not None and reply_by <= step.now:
        raise InvalidInput(_("The reply deadline must be in the future."), field="reply_by")
    due = reply_by or deadline(step.now, limit_for(case, Stage.SUPERVISION))
    assert due is not None  # no pause was given, so the calendar always answers
    notice = Supervision.objects.create(
        case=case,
        issued_by=step.actor,
        issued_at=step.now,
        unit_id=target,
        content=content,
        automatic=automatic,
        deadline=due,
    )
    return finish(
        step, fields=[], note=content, data={"supervision": notice.pk, "unit": target, "automatic": automatic}
    )


@transaction.atomic
def case_supervision_answer(
    *, case_id: int, supervision_id: int, actor: Any, reply: str, expected_version: int | None = None
) -> Case:
    """The supervised unit answers the notice."""
    step = begin(case_id=case_id, actor=actor, action=Action.ANSWER_SUPERVISION, expected_version=expected_version)
    notice = step.case.supervisions.filter(pk=supervision_id).first()
    if notice is None:
        raise NotFoundOrForbidden(_("No such supervision notice."))
    if notice.replied_at is not None:
        raise Conflict(_("This notice has been answered already."))
    notice.reply = required_text(reply, field="reply", label=_("Reply"))
    notice.replied_by, notice.replied_at = step.actor, step.now
    notice.save(update_fields=["reply", "replied_by", "replied_at"])
    return finish(step, fields=[], note=notice.reply, data={"supervision": notice.pk})


@transaction.atomic
def case_escalate(*, case_id: int, actor: Any, note: str, expected_version: int | None = None) -> Case:
    """Move the case one rung up the ladder 网格 → 社区 → 街道科室 → 分管领导 → 主要领导 (呈报)."""
    step = begin(case_id=case_id, actor=actor, action=Action.ESCALATE, expected_version=expected_version)
    case = step.case
    if case.escalation >= Escalation.PRINCIPAL_LEADER:
        raise Conflict(_("The case is already with the principal leader."))
    note = required_text(note, field="note", label=_("Why"))
    before = case.escalation
    case.escalation += 1
    return finish(step, fields=["escalation"], note=note, data={"from": before, "to": case.escalation})


@transaction.atomic
def case_exclusion_request(*, case_id: int, actor: Any, reason: str, expected_version: int | None = None) -> Case:
    """Ask that an unreasonable demand not count in the scores; a leader decides."""
    step = begin(case_id=case_id, actor=actor, action=Action.REQUEST_EXCLUSION, expected_version=expected_version)
    case = step.case
    if case.excluded_from_scoring or case.exclusions.filter(approved__isnull=True).exists():
        raise Conflict(_("The case is already excluded or waiting for that decision."))
    reason = required_text(reason, field="reason", label=_("Reason"))
    ScoringExclusion.objects.create(case=case, requested_by=step.actor, requested_at=step.now, reason=reason)
    return finish(step, fields=[], note=reason)


@transaction.atomic
def case_exclusion_decide(
    *, case_id: int, actor: Any, approve: bool, note: str = "", expected_version: int | None = None
) -> Case:
    step = begin(case_id=case_id, actor=actor, action=Action.DECIDE_EXCLUSION, expected_version=expected_version)
    case = step.case
    request = case.exclusions.filter(approved__isnull=True).first()
    if request is None:
        raise Conflict(_("There is no exclusion request waiting."))
    request.approved, request.decided_by, request.decided_at = approve, step.actor, step.now
    request.save(update_fields=["approved", "decided_by", "decided_at"])
    case.excluded_from_scoring = approve
    return finish(step, fields=["excluded_from_scoring"], note=note, data={"approved": approve})


@transaction.atomic
def case_note(*, case_id: int, actor: Any, note: str) -> Case:
    step = begin(case_id=case_id, actor=actor, action=Action.NOTE)
    return finish(step, fields=[], note=required_text(note, field="note", label=_("Note")))
