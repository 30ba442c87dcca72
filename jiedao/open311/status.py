"""Open311 knows two statuses, open and closed; every state of the case loop is mapped here, explicitly.

A case is closed for Open311 only when our loop has ended (closed or archived). A case waiting for its callback has a
result but may still be sent back for rework after a 不满意 rating, so it stays open; a parked (挂账) or suspended
case is not solved yet, so it is open too.
"""

from __future__ import annotations

from typing import Final

from jiedao.cases.choices import State

OPEN: Final = "open"
CLOSED: Final = "closed"
STATUSES: Final = (OPEN, CLOSED)

STATUS_BY_STATE: Final[dict[str, str]] = {
    State.REGISTERED: OPEN,
    State.ACCEPTED: OPEN,
    State.DISPATCHED: OPEN,
    State.RETURNED: OPEN,
    State.HANDLING: OPEN,
    State.REPLIED: OPEN,
    State.CALLBACK: OPEN,
    State.SUSPENDED: OPEN,
    State.PARKED: OPEN,
    State.CLOSED: CLOSED,
    State.ARCHIVED: CLOSED,
}


def status_of(state: str) -> str:
    """The Open311 status of a case state. KeyError for a state nobody mapped (a test checks there is none)."""
    return STATUS_BY_STATE[state]


def states_with(status: str) -> list[str]:
    """The case states reported with this Open311 status, sorted (for an indexed `state IN (…)`)."""
    return sorted(state for state, mapped in STATUS_BY_STATE.items() if mapped == status)
