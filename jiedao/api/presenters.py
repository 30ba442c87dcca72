"""Cases as the API shows them: the same selectors, masking and visibility as the screens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiedao.cases import permissions, selectors
from jiedao.cases.choices import State
from jiedao.cases.models import Case
from jiedao.cases.workflow import Action
from jiedao.core.masking import mask_address, mask_name, mask_phone
from jiedao.places.models import Place


def place_ref(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {"id": place.pk, "code": place.code, "name": place.name, "level": place.level}


def user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user)}


def unit_ref(unit: Any) -> dict[str, Any] | None:
    return None if unit is None else {"id": unit.pk, "name": unit.name}


def case_summary(case: Case) -> dict[str, Any]:
    """One list row; the case went through selectors.decorate (its light)."""
    category = case.category
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "resolution": case.resolution,
        "channel": case.channel,
        "request_type": case.request_type,
        "urgency": case.urgency,
        "category": None
        if category is None
        else {"id": category.pk, "code": category.code, "name": category.name, "path": category.path},
        "office": place_ref(case.office),
        "community": place_ref(case.community),
        "grid": place_ref(case.grid),
        "main_unit": unit_ref(case.main_unit),
        "received_at": case.received_at,
        "finish_deadline": case.finish_deadline,
        "light": str(getattr(case, "light", "none")),
        "escalation": case.escalation,
        "version": case.version,
    }


def _visible_refs(user: Any, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Only the linked cases the user may see: a repeat merged from another community is not named."""
    if not ids:
        return {}
    rows = Case.objects.visible_to(user, narrow=True).filter(pk__in=ids).order_by().values("id", "number", "title")
    return {row["id"]: dict(row) for row in rows}


def case_detail(user: Any, case: Case, now: dt.datetime) -> dict[str, Any]:
    """What the detail page shows, with the page's rules for personal data: masked values, nothing of a
    confidential reporter for those who may not see personal data, the full address only for those who may."""
    selectors.decorate([case], now)
    facts = permissions.dispatch_facts(case)
    may_unmask = permissions.can(user, case, Action.VIEW_PERSONAL_DATA, facts)
    hide_reporter = case.confidential and not may_unmask
    detail = selectors.case_detail(case)
    linked = _visible_refs(
        user, [*([case.merged_into_id] if case.merged_into_id else []), *[m.pk for m in detail["merged"]]]
    )
    return {
        **case_summary(case),
        "content": case.content,
        "address": case.address if may_unmask else mask_address(case.address),
        "upstream_number": case.upstream_number,
        "upstream_deadline": case.upstream_deadline,
        "sign_deadline": case.sign_deadline,
        "contact_deadline": case.contact_deadline,
        "callback_deadline": case.callback_deadline,
        "result_text": case.result_text,
        "excluded_from_scoring": case.excluded_from_scoring,
        "reporter": {
            "name": "" if hide_reporter else mask_name(case.reporter_name),
            "phone": "" if hide_reporter else mask_phone(case.reporter_phone),
            "confidential": case.confidential,
            "may_reveal": may_unmask and bool(case.reporter_phone or case.reporter_name),
        },
        "merged_into": linked.get(case.merged_into_id) if case.merged_into_id else None,
        "merged": [linked[m.pk] for m in detail["merged"] if m.pk in linked],
        "dispatches": [
            {
                "id": d.pk,
                "unit": unit_ref(d.unit),
                "role": d.role,
                "dispatched_at": d.dispatched_at,
                "dispatched_by": user_ref(d.dispatched_by),
                "sign_deadline": d.sign_deadline,
                "signed_at": d.signed_at,
                "returned_at": d.returned_at,
                "return_reason": d.return_reason,
                "return_note": d.return_note,
                "review_result": d.review_result,
                "replied_at": d.replied_at,
                "active": d.active,
            }
            for d in detail["dispatches"]
        ],
        "extensions": [
            {
                "id": x.pk,
                "requested_at": x.requested_at,
                "requested_by": user_ref(x.requested_by),
                "amount": x.amount,
                "unit": x.unit,
                "reason": x.reason,
                "approved": x.approved,
                "decided_at": x.decided_at,
                "decision_note": x.decision_note,
                "deadline_before": x.deadline_before,
                "deadline_after": x.deadline_after,
            }
            for x in detail["extensions"]
        ],
        "suspensions": [
            {"id": p.pk, "started_at": p.started_at, "ended_at": p.ended_at, "reason": p.reason}
            for p in detail["suspensions"]
        ],
        "supervisions": [
            {
                "id": s.pk,
                "issued_at": s.issued_at,
                "unit": unit_ref(s.unit),
                "content": s.content,
                "deadline": s.deadline,
                "automatic": s.automatic,
                "reply": s.reply,
                "replied_at": s.replied_at,
            }
            for s in detail["supervisions"]
        ],
        "callbacks": [
            {
                "id": c.pk,
                "at": c.at,
                "process_satisfaction": c.process_satisfaction,
                "result_satisfaction": c.result_satisfaction,
                "resolved": c.resolved,
                "note": c.note,
            }
            for c in detail["callbacks"]
        ],
        "events": [
            {
                "id": e.pk,
                "at": e.at,
                "actor": user_ref(e.actor),
                "action": e.action,
                "action_label": str(e.action_label),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
            }
            for e in detail["events"]
        ],
        "actions": [
            {"action": action, "label": str(Action(action).label)} for action in selectors.available_actions(user, case)
        ],
    }
