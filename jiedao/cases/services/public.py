"""What a resident does without an account: submit a demand, follow it, rate the result.

There is no actor: these services check what the resident proves (the case number and the last four digits of
the phone given at submission) instead of a role, and write events with no actor.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiedao.cases import workflow
from jiedao.cases.choices import Channel, RequestType, Satisfaction, State
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Case
from jiedao.cases.services.base import callback_add, event, required_text
from jiedao.cases.services.intake import PHONE, _digits, _register_as
from jiedao.core import clock
from jiedao.core.errors import NotFoundOrForbidden
from jiedao.places.models import Place

RESIDENT_TYPES = (
    RequestType.CONSULTATION,
    RequestType.HELP,
    RequestType.COMPLAINT,
    RequestType.REPORT,
    RequestType.SUGGESTION,
    RequestType.PRAISE,
)


@transaction.atomic
def case_submit_by_resident(
    *,
    title: str,
    content: str,
    request_type: str,
    community: Place | None,
    address: str = "",
    lng: Any = None,
    lat: Any = None,
    reporter_name: str = "",
    reporter_phone: str,
    confidential: bool = False,
) -> Case:
    """Register a resident's own submission (channel 居民自助). The phone is required: it is how the office calls
    back and how the resident follows the case. Raises InvalidInput naming the field."""
    phone = required_text(reporter_phone, field="reporter_phone", label=_("Phone"))
    if not PHONE.match(phone) or len(_digits(phone)) < 7:
        raise InvalidInput(
            _("The phone number may hold only digits, spaces and dashes (7–20)."), field="reporter_phone"
        )
    if request_type not in RESIDENT_TYPES:
        raise InvalidInput(_("Choose the kind of demand."), field="request_type")
    return _register_as(
        actor=None,
        check_place=False,
        channel=Channel.RESIDENT,
        request_type=request_type,
        title=title,
        content=content,
        address=address,
        lng=lng,
        lat=lat,
        place=community,
        reporter_name=reporter_name,
        reporter_phone=phone,
        confidential=confidential,
    )


def case_find_for_resident(*, number: str, phone_last4: str) -> Case:
    """The case with this number whose reporter's phone ends with these four digits; NotFoundOrForbidden otherwise
    (the same answer for a wrong number and a wrong phone, so numbers cannot be probed)."""
    number, last4 = (number or "").strip().upper(), (phone_last4 or "").strip()
    if len(last4) != 4 or not last4.isdigit():
        raise InvalidInput(_("Give the last four digits of your phone."), field="phone_last4")
    case = Case.objects.filter(number=number, reporter_phone_last4=last4).select_related("office").first()
    if case is None:
        raise NotFoundOrForbidden(_("No case matches this number and phone."))
    return case


@transaction.atomic
def case_rate_by_resident(
    *,
    number: str,
    phone_last4: str,
    process_satisfaction: str,
    result_satisfaction: str,
    resolved: bool,
    note: str = "",
) -> Case:
    """The resident rates a replied case online. Satisfied: the case closes. Dissatisfied or unresolved: the rating
    is kept and the case waits for the callback team, who decide on rework."""
    found = case_find_for_resident(number=number, phone_last4=phone_last4)
    case = Case.objects.select_for_update().get(pk=found.pk)
    if case.state != State.CALLBACK:
        raise workflow.TransitionNotAllowed(_("This case cannot be rated now: it is not waiting for your rating."))
    for field, value in (("process_satisfaction", process_satisfaction), ("result_satisfaction", result_satisfaction)):
        if value not in Satisfaction.values:
            raise InvalidInput(_("Choose satisfied, basically satisfied or dissatisfied."), field=field)
    now = clock.now()
    rated = callback_add(
        case,
        process_satisfaction=process_satisfaction,
        result_satisfaction=result_satisfaction,
        resolved=resolved,
        note=(note or "")[:1000],
        by=None,
        at=now,
    )
    before = case.state
    happy = resolved and result_satisfaction != Satisfaction.DISSATISFIED
    if happy:
        case.state, case.closed_at, case.callback_deadline = State.CLOSED, now, None
    case.version += 1
    case.save(update_fields=[*rated, "state", "closed_at", "callback_deadline", "version", "updated_at"])
    event(
        case,
        actor=None,
        action=workflow.Action.CALLBACK,
        from_state=before,
        to_state=case.state,
        at=now,
        note=note,
        data={
            "process": process_satisfaction,
            "result": result_satisfaction,
            "resolved": resolved,
            "by_resident": True,
        },
    )
    return case
