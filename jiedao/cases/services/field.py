"""The grid worker's report from the field (网格员上报) and a problem handled on the spot (自处理)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files import File
from django.utils.translation import gettext as _

from jiedao.cases.choices import AttachmentKind, Channel, Resolution, State
from jiedao.cases.models import Case
from jiedao.cases.services.attachments import (
    Checked,
    atomic_with_files,
    check_files,
    store,
)
from jiedao.cases.services.base import begin, finish, required_text
from jiedao.cases.services.intake import case_register, ensure_finish_clock
from jiedao.cases.workflow import Action
from jiedao.places.models import Place


def _self_handle(*, case_id: int, actor: Any, result_text: str, after: Sequence[Checked]) -> Case:
    # The tables say when (just registered) and who (its field reporter): workflow.py and permissions.py.
    step = begin(case_id=case_id, actor=actor, action=Action.SELF_HANDLE)
    case = step.case
    store(step, after, kind=AttachmentKind.AFTER)
    case.result_text = result_text
    case.replied_at = step.now
    case.resolution = Resolution.SELF_HANDLED
    # The finishing clock runs from receipt, as for any accepted case, so that the KPIs count this one too.
    fields = [*ensure_finish_clock(case), "result_text", "replied_at", "resolution"]
    return finish(
        step,
        fields=fields,
        to_state=State.REPLIED,
        note=result_text,
    )


def case_self_handle(*, case_id: int, actor: Any, result_text: str, after_files: Sequence[File[Any]]) -> Case:
    """Record that the reporter fixed the problem on the spot: the result, the "after" photos; the case then
    waits for the community to verify it (REPLIED, resolution self_handled).

    Only the case's field reporter (a grid worker of its grid, or community staff / a grid leader of its
    community) may (ActionForbidden otherwise), and only while it is REGISTERED (TransitionNotAllowed
    otherwise). Raises InvalidInput naming "result_text" or "after_files". Locks the case; stored photos are
    deleted again if anything fails.
    """
    result_text = required_text(result_text, field="result_text", label=_("What was done"))
    after = check_files(after_files, field="after_files", images_only=True)
    with atomic_with_files():
        return _self_handle(case_id=case_id, actor=actor, result_text=result_text, after=after)


def case_report_from_field(
    *,
    actor: Any,
    request_type: str,
    title: str,
    content: str,
    address: str = "",
    lng: Any = None,
    lat: Any = None,
    place: Place | None = None,
    photos: Sequence[File[Any]] = (),
    handled_on_the_spot: bool = False,
    result_text: str = "",
    after_photos: Sequence[File[Any]] = (),
) -> Case:
    """Register a report from the field (channel grid) with its photos, and when the reporter fixed it on the
    spot, the result and the "after" photos too: all of it or nothing.

    Raises InvalidInput naming the field ("photos", "after_photos", "result_text" or a field of registration),
    ActionForbidden when the actor may not register there. Every file is checked before anything is written.
    """
    before = check_files(photos, field="photos", required=False, images_only=True)
    after: list[Checked] = []
    if handled_on_the_spot:
        result_text = required_text(result_text, field="result_text", label=_("What was done"))
        after = check_files(after_photos, field="after_photos", images_only=True)
    with atomic_with_files():
        case = case_register(
            actor=actor,
            channel=Channel.GRID,
            request_type=request_type,
            title=title,
            content=content,
            address=address,
            lng=lng,
            lat=lat,
            place=place,
        )
        if before:
            store(begin(case_id=case.pk, actor=actor, action=Action.NOTE), before, kind=AttachmentKind.BEFORE)
        if handled_on_the_spot:
            return _self_handle(case_id=case.pk, actor=actor, result_text=result_text, after=after)
        case.refresh_from_db()
        return case
