"""Errors raised by services; views and the API translate them, never the other way round."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain refused the request. `code` is stable; `message` is for people."""

    code = "domain_error"

    def __init__(self, message: str | Promise, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code is not None:
            self.code = code


class NotFoundOrForbidden(DomainError):
    """The object does not exist or the user may not see it: the two look the same on purpose."""

    code = "not_found"


class ActionForbidden(DomainError):
    """The user may see the object but not do this to it."""

    code = "forbidden"
