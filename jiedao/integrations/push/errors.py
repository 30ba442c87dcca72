"""Errors as the push API shows them: `{"errors": [{"loc": [...], "msg": "…", "type": "…"}]}`, in Chinese."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from jiedao.core.validation import pydantic_message

# Messages by field, for the checks whose generic wording would not say what is wanted.
_PATTERN_BY_FIELD: dict[str, Callable[[], str]] = {
    "upstream_number": lambda: _("Use only letters, digits, dot, dash and underscore."),
    "reporter_phone": lambda: _("The phone number may hold only digits, spaces and dashes (7–20)."),
    "place_code": lambda: _("Give a community code (12 digits) or a grid code (15 digits)."),
}


def from_pydantic(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's (or ninja's) error list with Chinese messages; the location and type kept as they are."""
    out = []
    for error in errors:
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        kind = str(error.get("type", "value_error"))
        if kind == "string_pattern_mismatch" and loc and str(loc[-1]) in _PATTERN_BY_FIELD:
            msg = _PATTERN_BY_FIELD[str(loc[-1])]()
        elif kind == "extra_forbidden":
            msg = _("This field is not part of an order.")
        else:
            msg = pydantic_message(error)
        out.append({"loc": loc, "msg": msg, "type": kind})
    return out


def one(loc: Sequence[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"errors": [{"loc": list(loc), "msg": msg, "type": kind}]}
