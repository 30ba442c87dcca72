"""Which action may happen in which state, and where it may lead: the loop of DOMAIN.md §2 as data.

`TRANSITIONS[state][action]` is the set of states the action may lead to; the service picks one (e.g. a
callback closes the case or sends it back to rework). An empty set means the action leaves the state as it is
(an overlay such as supervision or an extension request). Pure: no database.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiedao.cases.choices import State
from jiedao.core.errors import DomainError


class Action(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Do not accept")
    ANSWER = "answer", _("Answer at once")
    DISPATCH = "dispatch", _("Dispatch")
    SIGN = "sign", _("Sign for")
    RETURN = "return", _("Return")
    REDISPATCH = "redispatch", _("Approve return and re-dispatch")
    REFUSE_RETURN = "refuse_return", _("Refuse the return")
    CONTACT = "contact", _("Record first contact")
    REPLY = "reply", _("Reply with the result")
    VERIFY = "verify", _("Verify")
    CALLBACK = "callback", _("Call back")
    REWORK = "rework", _("Send back for rework")
    # In its own context: a plain "Close" is also the Django admin's button that leaves a read-only page (关闭).
    CLOSE = "close", pgettext_lazy("case action", "Close")
    ARCHIVE = "archive", _("Archive")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")
    PARK = "park", _("Park as not solvable now")
    UNPARK = "unpark", _("Take back from the parked list")
    REQUEST_EXTENSION = "request_extension", _("Request an extension")
    DECIDE_EXTENSION = "decide_extension", _("Decide on an extension")
    SUPERVISE = "supervise", _("Issue a supervision notice")
    ANSWER_SUPERVISION = "answer_supervision", _("Answer a supervision notice")
    ESCALATE = "escalate", _("Escalate")
    MERGE = "merge", _("Merge into another case")
    VOID = "void", _("Void")
    REQUEST_EXCLUSION = "request_exclusion", _("Request exclusion from scoring")
    DECIDE_EXCLUSION = "decide_exclusion", _("Decide on exclusion from scoring")
    NOTE = "note", _("Add a note")
    SELF_HANDLE = "self_handle", _("Handled on the spot")
    REGISTER = "register", _("Register")
    VIEW_PERSONAL_DATA = "view_personal_data", _("View the reporter's full contact")


S = State
A = Action
STAY: frozenset[str] = frozenset()

_OVERLAYS_WHILE_OPEN: dict[str, frozenset[str]] = {
    A.SUPERVISE: STAY,
    A.ANSWER_SUPERVISION: STAY,
    A.ESCALATE: STAY,
    A.NOTE: STAY,
}
_ENDINGS: dict[str, frozenset[str]] = {A.MERGE: frozenset({S.CLOSED}), A.VOID: frozenset({S.CLOSED})}

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    S.REGISTERED: {
        A.ACCEPT: frozenset({S.ACCEPTED}),
        A.REJECT: frozenset({S.CLOSED}),
        A.ANSWER: frozenset({S.CALLBACK, S.CLOSED}),
        A.DISPATCH: frozenset({S.DISPATCHED}),
        A.SELF_HANDLE: frozenset({S.REPLIED}),  # the field reporter fixed it on the spot; the community checks
        **_OVERLAYS_WHILE_OPEN,
        **_ENDINGS,
    },
    S.ACCEPTED: {
        A.DISPATCH: frozenset({S.DISPATCHED}),
        A.ANSWER: frozenset({S.CALLBACK, S.CLOSED}),
        A.PARK: frozenset({S.PARKED}),
        A.SUSPEND: frozenset({S.SUSPENDED}),
        **_OVERLAYS_WHILE_OPEN,
        **_ENDINGS,
    },
    S.DISPATCHED: {
        A.SIGN: frozenset({S.HANDLING, S.DISPATCHED}),  # a co-unit's sign-off leaves it dispatched
        A.RETURN: frozenset({S.RETURNED}),
        A.DISPATCH: STAY,  # add a co-handling unit
        A.SUSPEND: frozenset({S.SUSPENDED}),
        **_OVERLAYS_WHILE_OPEN,
        **_ENDINGS,
    },
    S.RETURNED: {
        A.REDISPATCH: frozenset({S.DISPATCHED}),
        A.REFUSE_RETURN: frozenset({S.DISPATCHED}),
        **_OVERLAYS_WHILE_OPEN,
        **_ENDINGS,
    },
    S.HANDLING: {
        A.SIGN: STAY,  # a co-handling unit signs while the main unit handles
        A.CONTACT: STAY,
        A.REPLY: frozenset({S.REPLIED}),
        A.REQUEST_EXTENSION: STAY,
        A.DECIDE_EXTENSION: STAY,
        A.DISPATCH: STAY,
        A.SUSPEND: frozenset({S.SUSPENDED}),
        A.PARK: frozenset({S.PARKED}),
        **_OVERLAYS_WHILE_OPEN,
        **_ENDINGS,
    },
    S.REPLIED: {
        A.VERIFY: frozenset({S.CALLBACK, S.CLOSED, S.HANDLING}),
        **_OVERLAYS_WHILE_OPEN,
    },
    S.CALLBACK: {
        A.CALLBACK: frozenset({S.CLOSED, S.HANDLING}),
        A.REWORK: frozenset({S.HANDLING}),
        A.REQUEST_EXCLUSION: STAY,
        A.DECIDE_EXCLUSION: STAY,
        A.NOTE: STAY,
    },
    S.SUSPENDED: {
        A.RESUME: frozenset({S.ACCEPTED, S.DISPATCHED, S.HANDLING}),
        A.NOTE: STAY,
        **_ENDINGS,
    },
    S.PARKED: {A.UNPARK: frozenset({S.ACCEPTED}), A.NOTE: STAY, **_ENDINGS},
    S.CLOSED: {
        A.ARCHIVE: frozenset({S.ARCHIVED}),
        A.CALLBACK: STAY,  # the resident of a merged case, called back with the main case
        A.REQUEST_EXCLUSION: STAY,
        A.DECIDE_EXCLUSION: STAY,
        A.NOTE: STAY,
    },
    S.ARCHIVED: {},
}

OPEN_STATES = frozenset(
    {S.REGISTERED, S.ACCEPTED, S.DISPATCHED, S.RETURNED, S.HANDLING, S.REPLIED, S.CALLBACK, S.SUSPENDED}
)
ENDED_STATES = frozenset({S.CLOSED, S.ARCHIVED})


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"


def allowed_actions(state: str) -> frozenset[str]:
    return frozenset(TRANSITIONS.get(state, {}))


def require(state: str, action: str, target: str | None = None) -> frozenset[str]:
    """Return where `action` may lead from `state`.

    Raises TransitionNotAllowed if it may not happen there, or not towards `target`.
    """
    targets = TRANSITIONS.get(state, {}).get(action)
    if targets is None:
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the case is “%(state)s”.")
            % {"action": Action(action).label, "state": State(state).label}
        )
    if target is not None and targets and target not in targets:
        raise TransitionNotAllowed(
            _("“%(action)s” cannot lead to “%(target)s”.")
            % {"action": Action(action).label, "target": State(target).label}
        )
    return targets
