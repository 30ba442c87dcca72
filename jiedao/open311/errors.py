"""The one error the Open311 views raise: an HTTP status and a description, rendered as the spec's error list."""

from __future__ import annotations


class Open311Error(Exception):
    """Refuse the request with `status` (400, 403, 404, 429…) and a description saying what is wrong and where."""

    def __init__(self, status: int, description: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}
