"""Possible duplicates (重复件) of a demand: cases from the same resident, or from the same place with a similar
text, received within a window around it. Read while the dispatcher types and from the "查重" button of any case,
so it is bounded: at most four indexed queries, each capped, and the comparison runs in memory on what they read.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import F, FloatField, QuerySet, Subquery, Value
from django.utils.translation import gettext as _

from jiedao.cases import permissions
from jiedao.cases.choices import Resolution
from jiedao.cases.models import Case
from jiedao.cases.workflow import ENDED_STATES, Action, allowed_actions
from jiedao.core import crypto
from jiedao.places.models import Place
from jiedao.triage.text import MAX_CHARS, compact

# Cosine similarity of character-bigram counts from which two texts count as "similar". Unrelated demands of
# one grid share words such as 小区 or 居民反映 and score below ~0.1; the same problem told twice scores 0.4+.
# bench/duplicates.py measures precision and recall at this value on real repeated messages.
SIMILARITY_THRESHOLD = 0.3
# Fewer bigrams than this (a title of two or three characters) says too little to compare.
MIN_BIGRAMS = 3
# Rows read per query at most. A grid receives 10–30 cases a month (DOMAIN.md: 10k–20k a year over 50–180 grids),
# so the cap binds only under loads far above that (bench/duplicates.py: 100,000 cases in 30 days over 100 grids);
# there the most recent cases of the grid and the nearest of the point are compared, and the hint keeps its time.
MAX_SCANNED = 150
# How far back (and, for an existing case, forward) a demand counts as a possible repeat.
WINDOW_DAYS = 30
# Two points closer than this are the same place.
RADIUS_METRES = 200
# Registration accepts 7–20 characters of digits, spaces and dashes; shorter input is still being typed.
MIN_PHONE_DIGITS = 7
# An address key shorter than this ("3号楼", "小区") names no place.
MIN_ADDRESS_CHARS = 4
# The mean Earth radius (IUGG), in metres: the haversine's sphere.
EARTH_RADIUS_METRES = 6_371_008.8
METRES_PER_DEGREE = EARTH_RADIUS_METRES * math.pi / 180
# What the finder reads of each case, in the model's field order (as Model.from_db takes them).
_READ = {"id", "number", "title", "content", "state", "received_at", "grid_id", "address_key", "lng", "lat"}
FIELDS = tuple(f.attname for f in Case._meta.concrete_fields if f.attname in {*_READ, "reporter_phone_hash"})
_ID, _TITLE, _CONTENT, _ADDRESS, _LNG, _LAT, _GRID, _PHONE, _RECEIVED = (
    FIELDS.index(name)
    for name in ("id", "title", "content", "address_key", "lng", "lat", "grid_id", "reporter_phone_hash", "received_at")
)
# How a candidate's score weighs its text, its place and its age (same resident ranks first regardless). The text
# weighs most: the place only says where to look, the words say whether it is the same matter.
TEXT_WEIGHT, PLACE_WEIGHT, RECENCY_WEIGHT = 0.6, 0.25, 0.15
# The place part of the score: a point within the radius scales from 1 (same spot) to 0 (at the radius); the same
# address and the same grid alone are coarser.
SAME_ADDRESS_PROXIMITY, SAME_GRID_PROXIMITY = 0.8, 0.4


@dataclass(frozen=True)
class Probe:
    """What a demand is compared by: its text, caller, place and time (a form being typed, or a stored case)."""

    text: str
    phone_hash: str = ""
    grid_id: int | None = None
    address_key: str = ""
    lng: float | None = None
    lat: float | None = None
    at: dt.datetime | None = None  # when it was received; None: now (a demand being registered)
    exclude_id: int | None = None  # the stored case itself


@dataclass(frozen=True)
class Candidate:
    case: Case
    similarity: float  # 0..1, of the probe's text against the case's
    same_phone: bool
    same_grid: bool
    same_address: bool
    distance: float | None  # metres between the two points, when both have one and it is within the radius
    score: float  # 0..1, the rank among candidates of the same caller or not

    @property
    def percent(self) -> int:
        """The similarity in whole percent, rounded half up."""
        return math.floor(self.similarity * 100 + 0.5)

    @property
    def metres(self) -> int | None:
        """The distance in whole metres, rounded half up."""
        return None if self.distance is None else math.floor(self.distance + 0.5)

    @property
    def same_place(self) -> bool:
        return self.same_grid or self.same_address or self.distance is not None

    @property
    def similar_text(self) -> bool:
        """Same place and a similar text: a repeat of the matter, whoever reported it."""
        return self.same_place and self.similarity >= SIMILARITY_THRESHOLD

    @property
    def reasons(self) -> list[str]:
        """Why it is offered, in the order shown: caller, place (grid, address, distance), text."""
        reasons = []
        if self.same_phone:
            reasons.append(_("Same caller"))
        if self.same_grid:
            reasons.append(_("Same grid"))
        if self.same_address:
            reasons.append(_("Same address"))
        if self.metres is not None:
            reasons.append(_("%(metres)d m apart") % {"metres": self.metres})
        if self.similarity >= SIMILARITY_THRESHOLD:
            reasons.append(_("Text %(percent)d%% similar") % {"percent": self.percent})
        return reasons


def _letters(text: str) -> str:
    """The letters, digits and CJK characters of `compact(text)`, computed without its regular expressions when the
    normalised text is short enough not to be cut (the finder reads hundreds of texts per keystroke)."""
    normal = unicodedata.normalize("NFKC", text).lower()
    if len(normal) > MAX_CHARS:
        normal = compact(text)
    return "".join(filter(str.isalnum, normal))


def bigrams(text: str) -> Counter[str]:
    """Counts of the adjacent pairs of letters, digits and CJK characters of the cleaned text (NFKC, lower case,
    the first thousand characters; punctuation and spaces dropped), pairs of two digits left out."""
    chars = _letters(text)
    grams = Counter(map(operator.add, chars, chars[1:]))
    # A run of digits (a masked phone number 0000-00000000, an amount, an account) repeats one pair so often that
    # it alone made two unrelated messages "similar" on the real data; "3号", "12栋" keep their digit-letter pairs.
    for gram in [g for g in grams if g.isdigit()]:
        del grams[gram]
    return grams


def similarity(left: Counter[str], right: Counter[str]) -> float:
    """The cosine of two bigram count vectors: 0 when either is empty."""
    if not left or not right:
        return 0.0
    if len(left) > len(right):
        left, right = right, left
    dot = sum(count * right[gram] for gram, count in left.items() if gram in right)
    norms = math.sqrt(sum(c * c for c in left.values()) * sum(c * c for c in right.values()))
    return dot / norms


def _cosine(probe: Counter[str], probe_norm: float, other: Counter[str]) -> float:
    """similarity(probe, other) with the probe's norm computed once for all the rows it is compared with."""
    if not probe_norm or not other:
        return 0.0
    small, large = (probe, other) if len(probe) <= len(other) else (other, probe)
    dot = sum(count * large[gram] for gram, count in small.items() if gram in large)
    return dot / (probe_norm * math.sqrt(sum(c * c for c in other.values())))


def text_similarity(left: str, right: str) -> float:
    """How alike two demand texts are (0..1), as the finder judges them; compare with SIMILARITY_THRESHOLD."""
    return similarity(bigrams(left), bigrams(right))


def case_text(title: str, content: str) -> str:
    """The text of a demand the finder compares: its title, then its content."""
    return f"{title}\n{content}"


def phone_hash(phone: str) -> str:
    """The blind index registration stores for the phone (keyed hash of its digits), or '' while incomplete."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return crypto.keyed_hash(digits) if len(digits) >= MIN_PHONE_DIGITS else ""


def address_key(address: str) -> str:
    """The address as the finder compares it: NFKC, lower case, letters, digits and CJK only ('' if too short)."""
    normal = unicodedata.normalize("NFKC", address or "").lower()
    key = "".join(ch for ch in normal if ch.isalnum())[:300]
    return key if len(key) >= MIN_ADDRESS_CHARS else ""


def distance_metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """The great-circle distance between two WGS-84 points (haversine on the mean sphere), in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lng: float, lat: float, metres: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(west, east, south, north) in the columns' six decimals, rounded outwards: every point within `metres`
    lies inside (the haversine then decides)."""
    dlat = metres / METRES_PER_DEGREE
    dlng = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    step = Decimal("0.000001")

    def down(value: float) -> Decimal:
        return Decimal(repr(value)).quantize(step, rounding=ROUND_FLOOR)

    def up(value: float) -> Decimal:
        return Decimal(repr(value)).quantize(step, rounding=ROUND_CEILING)

    return down(lng - dlng), up(lng + dlng), down(lat - dlat), up(lat + dlat)


def probe_of_case(case: Case) -> Probe:
    """The probe of a stored case: its own text, caller, grid, address, point and receipt time."""
    return Probe(
        text=case_text(case.title, case.content),
        phone_hash=case.reporter_phone_hash,
        grid_id=case.grid_id,
        address_key=case.address_key,
        lng=None if case.lng is None else float(case.lng),
        lat=None if case.lat is None else float(case.lat),
        at=case.received_at,
        exclude_id=case.pk,
    )


def duplicate_candidates(
    *,
    user: Any,
    grid_id: int | None,
    text: str,
    phone: str,
    now: dt.datetime,
    address: str = "",
    lng: float | None = None,
    lat: float | None = None,
    days: int = WINDOW_DAYS,
    limit: int = 5,
) -> list[Candidate]:
    """Return up to `limit` cases the user may see, received in the `days` before `now`, that may be the demand
    being registered: from the caller `phone`, or in its place (grid `grid_id`, the same `address`, within
    RADIUS_METRES of (`lng`, `lat`)) with a text similar to `text`.

    Missing or incomplete input gives no candidates and no queries; never raises on input.
    """
    probe = Probe(
        text=text, phone_hash=phone_hash(phone), grid_id=grid_id, address_key=address_key(address), lng=lng, lat=lat
    )
    return find_candidates(user=user, probe=probe, now=now, days=days, limit=limit)


def case_duplicate_candidates(
    *, user: Any, case: Case, now: dt.datetime, days: int = WINDOW_DAYS, limit: int = 10
) -> list[Candidate]:
    """Return up to `limit` cases the user may see that may repeat `case` (or that it repeats): received within
    `days` before or after it (not after `now`), by the same rules as registration."""
    return find_candidates(user=user, probe=probe_of_case(case), now=now, days=days, limit=limit)


def find_candidates(*, user: Any, probe: Probe, now: dt.datetime, days: int, limit: int) -> list[Candidate]:
    """Return up to `limit` visible, unmerged, unvoided cases that may repeat `probe`, best first.

    Ranked: the same caller first, then by score (text similarity, nearness of the place, recency), then the most
    recent. One capped, indexed query per criterion the probe has (caller, grid, address, point).
    """
    typed = bigrams(probe.text)
    comparable = len(typed) >= MIN_BIGRAMS
    point = probe.lng is not None and probe.lat is not None
    places = comparable and (probe.grid_id is not None or bool(probe.address_key) or point)
    if not (places or probe.phone_hash):
        return []
    at = probe.at or now
    start, end = at - dt.timedelta(days=days), min(at + dt.timedelta(days=days), now)
    window: QuerySet[Case] = (
        Case.objects.visible_to(user)
        .filter(received_at__gte=start, received_at__lte=end, merged_into__isnull=True)
        .exclude(resolution=Resolution.VOIDED)
        .order_by("-received_at", "-id")
    )
    if probe.exclude_id is not None:
        window = window.exclude(pk=probe.exclude_id)
    found: dict[int, tuple[Any, ...]] = {}

    def read(cases: QuerySet[Case]) -> None:
        found.update((row[_ID], row) for row in cases.values_list(*FIELDS)[:MAX_SCANNED])

    if probe.phone_hash:
        read(window.filter(reporter_phone_hash=probe.phone_hash))
    if comparable and probe.grid_id is not None:
        # A grid's cases carry its code as their scope code: equality on it walks the (scope code, received)
        # index newest first and stops at the cap, where grid_id would make the planner walk every recent case.
        code = Subquery(Place.objects.filter(pk=probe.grid_id).values("code")[:1])
        read(window.filter(scope_code=code))
    if comparable and probe.address_key:
        read(window.filter(address_key=probe.address_key))
    if comparable and probe.lng is not None and probe.lat is not None:
        read(_nearest_first(window, probe.lng, probe.lat))
    typed_norm = math.sqrt(sum(c * c for c in typed.values()))
    judged = (_judge(probe, row, typed, typed_norm, at, days) for row in found.values())
    best = sorted((j for j in judged if j is not None), key=lambda j: j[0], reverse=True)[:limit]
    return [Candidate(Case.from_db(window.db, FIELDS, row), *facts) for (_rank, row, facts) in best]


def _nearest_first(window: QuerySet[Case], lng: float, lat: float) -> QuerySet[Case]:
    """The window's cases in the bounding box of RADIUS_METRES around the point, nearest first (by the squared
    distance on the local plane: a sort of the few rows in the box, not of the window)."""
    west, east, south, north = bounding_box(lng, lat, RADIUS_METRES)
    squeeze = math.cos(math.radians(lat))
    dy = F("lat") - Value(lat, output_field=FloatField())
    dx = (F("lng") - Value(lng, output_field=FloatField())) * Value(squeeze, output_field=FloatField())
    nearness = dy * dy + dx * dx
    boxed = window.filter(lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
    return boxed.order_by(nearness.asc(), "-received_at", "-id")


Facts = tuple[float, bool, bool, bool, "float | None", float]


def _judge(
    probe: Probe, row: tuple[Any, ...], typed: Counter[str], typed_norm: float, at: dt.datetime, days: int
) -> tuple[tuple[bool, float, dt.datetime, int], tuple[Any, ...], Facts] | None:
    """(rank, row, candidate facts) of a case's row for `probe`, or None when it is neither the same caller nor a
    similar text in the same place."""
    same_phone = bool(probe.phone_hash) and row[_PHONE] == probe.phone_hash
    same_grid = probe.grid_id is not None and row[_GRID] == probe.grid_id
    same_address = bool(probe.address_key) and row[_ADDRESS] == probe.address_key
    distance = None
    if probe.lng is not None and probe.lat is not None and row[_LNG] is not None and row[_LAT] is not None:
        metres = distance_metres(probe.lng, probe.lat, float(row[_LNG]), float(row[_LAT]))
        distance = metres if metres <= RADIUS_METRES else None
    same_place = same_grid or same_address or distance is not None
    if not (same_phone or same_place):
        return None  # a corner of the bounding box beyond the radius
    score_text = _cosine(typed, typed_norm, bigrams(case_text(row[_TITLE], row[_CONTENT])))
    if not (same_phone or score_text >= SIMILARITY_THRESHOLD):
        return None
    proximity = max(
        1 - distance / RADIUS_METRES if distance is not None else 0.0,
        SAME_ADDRESS_PROXIMITY if same_address else 0.0,
        SAME_GRID_PROXIMITY if same_grid else 0.0,
    )
    received: dt.datetime = row[_RECEIVED]
    age = abs((at - received).total_seconds()) / 86400
    recency = max(0.0, 1 - age / days) if days > 0 else 0.0
    score = TEXT_WEIGHT * score_text + PLACE_WEIGHT * proximity + RECENCY_WEIGHT * recency
    facts: Facts = (score_text, same_phone, same_grid, same_address, distance, score)
    return (same_phone, score, received, row[_ID]), row, facts


def mergeable_into(*, user: Any, case: Case, candidates: list[Candidate]) -> set[int]:
    """The ids of the candidates the user may merge `case` into now: the workflow table lets `case` be merged in
    its state, the policy lets the user merge it (the gates of the merge action), and the candidate is open and not
    merged itself (what case_merge requires of the main case). Two queries when the first two hold, else none."""
    if Action.MERGE not in allowed_actions(case.state) or not permissions.can(user, case, Action.MERGE):
        return set()
    return {c.case.pk for c in candidates if c.case.state not in ENDED_STATES}
