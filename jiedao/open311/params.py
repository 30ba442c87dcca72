"""Reading Open311 query and form parameters; a bad value raises Open311Error naming the parameter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from jiedao.open311 import formats, status
from jiedao.open311.errors import Open311Error
from jiedao.places.choices import Level
from jiedao.places.models import Place

# The spec's default and widest window of GET requests, and its default number of requests.
WINDOW: Final = dt.timedelta(days=90)
MAX_PAGE_SIZE: Final = 1000
MAX_IDS: Final = 1000
MAX_PAGE: Final = 1_000_000


def require_format(fmt: str) -> str:
    """The format named by the path's extension; 404 for any other (the error itself is written in XML)."""
    if fmt not in formats.FORMATS:
        raise Open311Error(404, _("Format “%(format)s” is not supported: use xml or json.") % {"format": fmt})
    return fmt


def jurisdiction(params: QueryDict) -> Place | None:
    """The office named by `jurisdiction_id` (its 12-digit code); None when not given; 404 when unknown."""
    value = (params.get("jurisdiction_id") or "").strip()
    if not value:
        return None
    office = Place.objects.filter(level=Level.SUBDISTRICT, code=value).first()
    if office is None:
        raise Open311Error(404, _("jurisdiction_id “%(value)s” not found.") % {"value": value})
    return office


def listed(params: QueryDict, name: str, *, limit: int = MAX_IDS) -> list[str]:
    """A comma-delimited parameter (it may also be repeated), without blanks or repeats, in order."""
    values: list[str] = []
    for raw in params.getlist(name):
        for part in raw.split(","):
            part = part.strip()
            if part and part not in values:
                values.append(part)
    if len(values) > limit:
        raise Open311Error(400, _("%(name)s may list at most %(n)d values.") % {"name": name, "n": limit})
    return values


def statuses(params: QueryDict) -> list[str]:
    values = listed(params, "status")
    for value in values:
        if value not in status.STATUSES:
            raise Open311Error(400, _("status “%(value)s” is not one of: open, closed.") % {"value": value})
    return values


def moment(params: QueryDict, name: str) -> dt.datetime | None:
    """A W3C date-time (2026-11-01T00:00:00Z, +08:00, or a bare date at local midnight); None when not given.

    Without an offset the time is local (the office's TIME_ZONE). A "+" that arrived unencoded (a space) is read
    as the "+" it was."""
    value = (params.get(name) or "").strip()
    if not value:
        return None
    if "T" in value and " " in value:
        value = value.replace(" ", "+")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Open311Error(
            400,
            _("%(name)s “%(value)s” is not a W3C date-time such as 2026-11-01T00:00:00+08:00.")
            % {"name": name, "value": value},
        ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


def window(params: QueryDict, now: dt.datetime) -> Window:
    """The requested_datetime range: the last 90 days by default, 90 days from a lone start or up to a lone end;
    start and end together may not span more than 90 days."""
    start, end = moment(params, "start_date"), moment(params, "end_date")
    if start is None and end is None:
        return Window(now - WINDOW, now)
    if end is None:
        assert start is not None
        return Window(start, start + WINDOW)
    if start is None:
        return Window(end - WINDOW, end)
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return Window(start, end)


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def _positive(params: QueryDict, name: str, default: int, maximum: int) -> int:
    value = (params.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise Open311Error(
            400, _("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": maximum}
        )
    return int(value)


def page(params: QueryDict) -> Page:
    """`page` (from 1) and `page_size` (at most 1000, the spec's default count), the common extension."""
    return Page(_positive(params, "page", 1, MAX_PAGE), _positive(params, "page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE))
