"""Errors as the push API shows them: `{"errors": [{"loc": [...], "msg": "…", "type": "…"}]}`, in Chinese."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

# Messages by field, for the checks whose generic wording would not say what is wanted.
_PATTERN_BY_FIELD: dict[str, Callable[[], str]] = {
    "upstream_number": lambda: _("Use only letters, digits, dot, dash and underscore."),
    "reporter_phone": lambda: _("The phone number may hold only digits, spaces and dashes (7–20)."),
    "place_code": lambda: _("Give a community code (12 digits) or a grid code (15 digits)."),
}


def _by_type(kind: str, ctx: Mapping[str, Any]) -> str | None:
    messages: dict[str, Callable[[], str]] = {
        "missing": lambda: _("This value is required."),
        "extra_forbidden": lambda: _("This field is not part of an order."),
        "string_too_short": lambda: _("This field must not be empty."),
        "string_too_long": lambda: _("At most %(n)s characters.") % {"n": ctx.get("max_length")},
        "string_type": lambda: _("Must be a string."),
        "enum": lambda: _("Must be one of: %(values)s.") % {"values": ctx.get("expected", "")},
        "less_than_equal": lambda: _("Must be at most %(n)s.") % {"n": ctx.get("le")},
        "greater_than_equal": lambda: _("Must be at least %(n)s.") % {"n": ctx.get("ge")},
        "decimal_parsing": lambda: _("Must be a number."),
        "decimal_type": lambda: _("Must be a number."),
        "bool_type": lambda: _("Must be true or false."),
        "bool_parsing": lambda: _("Must be true or false."),
        "timezone_aware": lambda: _("The time must carry a time zone, e.g. 2026-05-01T09:30:00+08:00."),
        "datetime_parsing": lambda: _("Must be a date and time in ISO 8601, e.g. 2026-05-01T09:30:00+08:00."),
        "datetime_from_date_parsing": lambda: _("Must be a date and time in ISO 8601, e.g. 2026-05-01T09:30:00+08:00."),
        "datetime_type": lambda: _("Must be a date and time in ISO 8601, e.g. 2026-05-01T09:30:00+08:00."),
        "json_invalid": lambda: _("The body is not valid JSON."),
        "model_attributes_type": lambda: _("Must be a JSON object."),
        "dict_type": lambda: _("Must be a JSON object."),
    }
    make = messages.get(kind)
    return make() if make is not None else None


def from_pydantic(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's (or ninja's) error list with Chinese messages; the location and type kept as they are."""
    out = []
    for error in errors:
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        kind = str(error.get("type", "value_error"))
        msg = None
        if kind == "string_pattern_mismatch" and loc and str(loc[-1]) in _PATTERN_BY_FIELD:
            msg = _PATTERN_BY_FIELD[str(loc[-1])]()
        msg = msg or _by_type(kind, error.get("ctx") or {}) or _("The value is not valid.")
        out.append({"loc": loc, "msg": msg, "type": kind})
    return out


def one(loc: Sequence[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"errors": [{"loc": list(loc), "msg": msg, "type": kind}]}
