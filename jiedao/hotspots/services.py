"""Writes of the hot spots: the snapshot of one office and week, replaced as a whole."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiedao.cases.choices import Resolution
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Case
from jiedao.core import clock
from jiedao.core.errors import ActionForbidden
from jiedao.hotspots import clustering, permissions
from jiedao.hotspots.models import HotSpot, HotSpotCase, HotSpotWeek
from jiedao.hotspots.weeks import WEEKS_BEFORE, Trend, TrendFigures, trend_of, week_index, window_bounds
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.triage.text import clean, words

# A hot spot is a problem several residents raise: two alike demands are a duplicate, not yet a hot spot.
MIN_SIZE = 3
# The places listed with a hot spot, most cases first.
TOP_PLACES = 5
# A snapshot keeps the strongest groups; an office's five weeks rarely hold more.
MAX_HOTSPOTS = 200


@dataclass(frozen=True)
class CaseText:
    """What the grouping and the figures read of one case."""

    id: int
    title: str
    content: str
    received_at: dt.datetime
    category_id: int | None
    community_id: int | None
    grid_id: int | None


@dataclass(frozen=True)
class Found:
    """One group found, with its figures, before it is written."""

    keywords: tuple[str, ...]
    case_ids: tuple[int, ...]
    this_week_ids: frozenset[int]
    figures: TrendFigures
    communities: list[tuple[int, int]]  # (place id, cases), most first
    grids: list[tuple[int, int]]
    category_id: int | None
    fallback_label: str  # the first case's title, for a group no word sets apart


def _case_texts(office: Place, week_start: dt.date) -> list[CaseText]:
    """The office's cases received in the five weeks, voided and merged ones left out, oldest first."""
    start, end = window_bounds(week_start)
    rows = (
        Case.objects.filter(office=office, received_at__gte=start, received_at__lt=end, merged_into__isnull=True)
        .exclude(resolution__in=[Resolution.VOIDED, Resolution.MERGED])
        .order_by("received_at", "id")
        .values_list("id", "title", "content", "received_at", "category_id", "community_id", "grid_id")
    )
    return [CaseText(*row) for row in rows]


def _ranked(counter: Counter[int]) -> list[tuple[int, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_PLACES]


def find_hotspots(texts: Sequence[CaseText], *, week_start: dt.date) -> list[Found]:
    """Group the cases and compute each group's figures (pure: no database); strongest first."""
    documents = [clustering.tokens_of(words(t.title), words(t.content)) for t in texts]
    found = []
    for group in clustering.group_documents(documents, min_size=MIN_SIZE):
        members = [texts[i] for i in group.members]
        weekly = [0] * (WEEKS_BEFORE + 1)
        for member in members:
            weekly[week_index(member.received_at, week_start)] += 1
        categories = Counter(m.category_id for m in members if m.category_id is not None)
        found.append(
            Found(
                keywords=group.keywords,
                case_ids=tuple(sorted(m.id for m in members)),
                this_week_ids=frozenset(m.id for m in members if week_index(m.received_at, week_start) == WEEKS_BEFORE),
                figures=trend_of(tuple(weekly)),
                communities=_ranked(Counter(m.community_id for m in members if m.community_id is not None)),
                grids=_ranked(Counter(m.grid_id for m in members if m.grid_id is not None)),
                category_id=_ranked(categories)[0][0] if categories else None,
                fallback_label=clean(members[0].title)[:20],
            )
        )
    found.sort(
        key=lambda f: (
            f.figures.trend != Trend.RISING,
            -f.figures.difference,
            -f.figures.this_week,
            -len(f.case_ids),
            f.case_ids[0],
        )
    )
    return found[:MAX_HOTSPOTS]


def _places_json(found: Found, names: dict[int, tuple[str, int | None]]) -> dict[str, Any]:
    return {
        "communities": [{"id": pk, "name": names[pk][0], "count": n} for pk, n in found.communities if pk in names],
        "grids": [
            {
                "id": pk,
                "name": names[pk][0],
                "community": names.get(names[pk][1] or 0, ("", None))[0],
                "count": n,
            }
            for pk, n in found.grids
            if pk in names
        ],
    }


def _check_week(week_start: dt.date) -> None:
    if week_start.weekday() != 0:
        raise InvalidInput(_("The week must start on a Monday."), field="week")


@transaction.atomic
def hotspots_refresh(
    *, office: Place, week_start: dt.date, actor: Any = None, now: dt.datetime | None = None
) -> list[HotSpot]:
    """Recompute the hot spots of `office` for the week starting on `week_start` (a Monday) and replace that
    week's snapshot. Locks the office row, so two refreshes of one office run one after the other.

    `actor` None is the system (the nightly job); a person must be a leader or administrator of the office.
    Raises InvalidInput (not a Monday, not an office) or ActionForbidden."""
    _check_week(week_start)
    if office.level != Level.SUBDISTRICT:
        raise InvalidInput(_("Hot spots are computed for a sub-district office."), field="office")
    if actor is not None and not permissions.can_refresh_hotspots(actor, office):
        raise ActionForbidden(_("You may not refresh the hot spots of this office."))
    Place.objects.select_for_update().filter(pk=office.pk).values_list("pk").get()
    moment = now or clock.now()
    texts = _case_texts(office, week_start)
    found = find_hotspots(texts, week_start=week_start)
    place_ids = {pk for f in found for pk, _n in (*f.communities, *f.grids)}
    names: dict[int, tuple[str, int | None]] = {
        pk: (name, parent)
        for pk, name, parent in Place.objects.filter(pk__in=place_ids).values_list("pk", "name", "parent_id")
    }
    parent_ids = {parent for _name, parent in names.values() if parent is not None} - set(names)
    names.update({pk: (name, None) for pk, name in Place.objects.filter(pk__in=parent_ids).values_list("pk", "name")})
    HotSpot.objects.filter(office=office, week_start=week_start).delete()
    HotSpotWeek.objects.update_or_create(
        office=office, week_start=week_start, defaults={"computed_at": moment, "cases": len(texts)}
    )
    spots = HotSpot.objects.bulk_create(
        HotSpot(
            office=office,
            week_start=week_start,
            rank=rank,
            label=(clustering.label_of(f.keywords) or f.fallback_label)[:100],
            keywords=list(f.keywords),
            size=len(f.case_ids),
            this_week=f.figures.this_week,
            weekly=list(f.figures.weekly),
            baseline=f.figures.baseline,
            difference=f.figures.difference,
            ratio=f.figures.ratio,
            trend=f.figures.trend,
            places=_places_json(f, names),
            category_id=f.category_id,
            computed_at=moment,
        )
        for rank, f in enumerate(found, 1)
    )
    HotSpotCase.objects.bulk_create(
        HotSpotCase(hotspot=spot, case_id=case_id, this_week=case_id in f.this_week_ids)
        for spot, f in zip(spots, found, strict=True)
        for case_id in f.case_ids
    )
    return spots


def hotspots_refresh_all(*, week_start: dt.date, now: dt.datetime | None = None) -> int:
    """Refresh the week's hot spots of every office, one transaction per office; return how many were found."""
    _check_week(week_start)
    total = 0
    for office in Place.objects.filter(level=Level.SUBDISTRICT).order_by("code"):
        total += len(hotspots_refresh(office=office, week_start=week_start, now=now))
    return total
