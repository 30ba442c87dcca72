"""Pydantic's (and django-ninja's) validation errors in Chinese: one wording for every JSON API of the product."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _


def pydantic_message(error: Mapping[str, Any]) -> str:
    """The Chinese message for one pydantic error (its `type` and `ctx`); a generic one for a type not listed."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    moment = lambda: _("Must be a date and time in ISO 8601, e.g. 2026-05-01T09:30:00+08:00.")  # noqa: E731
    number = lambda: _("Must be a number.")  # noqa: E731
    boolean = lambda: _("Must be true or false.")  # noqa: E731
    whole = lambda: _("Must be a whole number.")  # noqa: E731
    obj = lambda: _("Must be a JSON object.")  # noqa: E731
    messages: dict[str, Callable[[], str]] = {
        "missing": lambda: _("This value is required."),
        "extra_forbidden": lambda: _("This field is not expected here."),
        "string_too_short": lambda: _("This field must not be empty."),
        "string_too_long": lambda: _("At most %(n)s characters.") % {"n": ctx.get("max_length")},
        "string_type": lambda: _("Must be a string."),
        "string_pattern_mismatch": lambda: _("The value does not have the expected form."),
        "enum": lambda: _("Must be one of: %(values)s.") % {"values": ctx.get("expected", "")},
        "literal_error": lambda: _("Must be one of: %(values)s.") % {"values": ctx.get("expected", "")},
        "less_than_equal": lambda: _("Must be at most %(n)s.") % {"n": ctx.get("le")},
        "less_than": lambda: _("Must be less than %(n)s.") % {"n": ctx.get("lt")},
        "greater_than_equal": lambda: _("Must be at least %(n)s.") % {"n": ctx.get("ge")},
        "greater_than": lambda: _("Must be more than %(n)s.") % {"n": ctx.get("gt")},
        "int_parsing": whole,
        "int_type": whole,
        "int_from_float": whole,
        "float_parsing": number,
        "float_type": number,
        "decimal_parsing": number,
        "decimal_type": number,
        "bool_type": boolean,
        "bool_parsing": boolean,
        "timezone_aware": lambda: _("The time must carry a time zone, e.g. 2026-05-01T09:30:00+08:00."),
        "datetime_parsing": moment,
        "datetime_from_date_parsing": moment,
        "datetime_type": moment,
        "date_parsing": lambda: _("Must be a date, e.g. 2026-05-01."),
        "date_from_datetime_parsing": lambda: _("Must be a date, e.g. 2026-05-01."),
        "date_type": lambda: _("Must be a date, e.g. 2026-05-01."),
        "json_invalid": lambda: _("The body is not valid JSON."),
        "model_attributes_type": obj,
        "dict_type": obj,
        "list_type": lambda: _("Must be a list."),
    }
    make = messages.get(kind)
    return make() if make is not None else _("The value is not valid.")
