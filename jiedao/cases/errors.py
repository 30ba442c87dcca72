"""Errors of the case loop with stable codes."""

from jiedao.core.errors import DomainError


class Conflict(DomainError):
    """Someone else changed the case since the user looked at it; nothing was written."""

    code = "conflict"


class InvalidInput(DomainError):
    """A value the action needs is missing or wrong; `field` names it."""

    code = "invalid"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field
