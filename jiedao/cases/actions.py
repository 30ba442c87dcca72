"""Every action of the case loop as one call, shared by the screens and the HTTP API.

`perform` takes the action's fields under the service's own keyword names (ids, not objects): the API's typed bodies
carry exactly those names; the screens' forms are translated by `form_fields`. So a screen and the API cannot drift
apart: both reach the same service with the same arguments, and the service locks, re-reads, checks the workflow
and permission tables and writes the event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from jiedao.cases import services
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Case
from jiedao.cases.workflow import Action


def _merge(*, case_id: int, actor: Any, into_number: str, note: str = "", expected_version: int | None = None) -> Case:
    """并单 by the main case's number, found among the cases the user may see."""
    main = Case.objects.visible_to(actor, narrow=True).filter(number=into_number.strip()).exclude(pk=case_id).first()
    if main is None:
        raise InvalidInput(_("No case you may see has this number."), field="into")
    return services.case_merge(
        case_id=case_id, into_id=main.pk, actor=actor, note=note, expected_version=expected_version
    )


def _note(*, case_id: int, actor: Any, note: str, expected_version: int | None = None) -> Case:
    """A note changes nothing on the case, so it is never stale: the version is not checked."""
    return services.case_note(case_id=case_id, actor=actor, note=note)


SERVICES: dict[str, Callable[..., Case]] = {
    Action.ACCEPT: services.case_accept,
    Action.REJECT: services.case_reject,
    Action.ANSWER: services.case_answer,
    Action.DISPATCH: services.case_dispatch,
    Action.SIGN: services.case_sign,
    Action.RETURN: services.case_return,
    Action.REDISPATCH: partial(services.case_review_return, approve=True),
    Action.REFUSE_RETURN: partial(services.case_review_return, approve=False),
    Action.CONTACT: services.case_contact,
    Action.REPLY: services.case_reply,
    Action.VERIFY: services.case_verify,
    Action.CALLBACK: services.case_callback,
    Action.REWORK: services.case_rework,
    Action.ARCHIVE: services.case_archive,
    Action.SUSPEND: services.case_suspend,
    Action.RESUME: services.case_resume,
    Action.PARK: services.case_park,
    Action.UNPARK: services.case_unpark,
    Action.REQUEST_EXTENSION: services.case_extension_request,
    Action.DECIDE_EXTENSION: services.case_extension_decide,
    Action.SUPERVISE: services.case_supervise,
    Action.ANSWER_SUPERVISION: services.case_supervision_answer,
    Action.ESCALATE: services.case_escalate,
    Action.MERGE: _merge,
    Action.VOID: services.case_void,
    Action.REQUEST_EXCLUSION: services.case_exclusion_request,
    Action.DECIDE_EXCLUSION: services.case_exclusion_decide,
    Action.NOTE: _note,
}

# Screen form fields whose service argument (and the API's body field) has another name; the rest keep theirs.
FORM_NAMES = {"unit": "unit_id", "supervision": "supervision_id", "into": "into_number", "place": "place_id"}


def perform(action: str, case_id: int, actor: Any, fields: Mapping[str, Any], version: int | None) -> Case:
    """Run `action` on the case with `fields` (the service's keyword arguments) if the case is at `version`."""
    return SERVICES[action](case_id=case_id, actor=actor, expected_version=version, **fields)


def form_fields(cleaned_data: Mapping[str, Any]) -> dict[str, Any]:
    """A screen form's cleaned data as the service's arguments: chosen rows become their ids."""
    return {
        FORM_NAMES.get(name, name): value.pk if isinstance(value, Model) else value
        for name, value in cleaned_data.items()
    }
