"""Possible duplicates of a demand being registered: recent cases of its grid with a similar text, and recent
cases from the same caller. Read while the dispatcher types, so it is bounded: two indexed queries at most."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from jiedao.cases.models import Case
from jiedao.core import crypto

# Cosine similarity of character-bigram counts from which two texts count as "similar". Unrelated demands of
# one grid share words such as 小区 or 居民反映 and score below ~0.1; the same problem told twice scores 0.4+.
SIMILARITY_THRESHOLD = 0.3
# Fewer bigrams than this (a title of two or three characters) says too little to compare.
MIN_BIGRAMS = 3
# A grid receives a few dozen cases a month; never compare with more than this many.
MAX_SCANNED = 300
# How far back a received demand counts as a possible repeat of the one being registered.
WINDOW_DAYS = 30
# Registration accepts 7–20 characters of digits, spaces and dashes; shorter input is still being typed.
MIN_PHONE_DIGITS = 7
FIELDS = ("id", "number", "title", "content", "state", "received_at", "grid")


@dataclass(frozen=True)
class Candidate:
    case: Case
    similarity: float  # 0..1, of the typed title and content against the case's
    similar_text: bool  # same grid and similarity at or above SIMILARITY_THRESHOLD
    same_phone: bool

    @property
    def percent(self) -> int:
        """The similarity in whole percent, rounded half up."""
        return math.floor(self.similarity * 100 + 0.5)


def bigrams(text: str) -> Counter[str]:
    """Counts of the adjacent pairs of letters, digits and CJK characters (punctuation and spaces dropped)."""
    chars = [ch for ch in text.lower() if ch.isalnum()]
    return Counter(a + b for a, b in itertools.pairwise(chars))


def similarity(left: Counter[str], right: Counter[str]) -> float:
    """The cosine of two bigram count vectors: 0 when either is empty."""
    if not left or not right:
        return 0.0
    dot = sum(count * right[gram] for gram, count in left.items())
    norms = math.sqrt(sum(c * c for c in left.values()) * sum(c * c for c in right.values()))
    return dot / norms


def phone_hash(phone: str) -> str:
    """The blind index registration stores for the phone (keyed hash of its digits), or '' while incomplete."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return crypto.keyed_hash(digits) if len(digits) >= MIN_PHONE_DIGITS else ""


def duplicate_candidates(
    *,
    user: Any,
    grid_id: int | None,
    text: str,
    phone: str,
    now: dt.datetime,
    days: int = WINDOW_DAYS,
    limit: int = 5,
) -> list[Candidate]:
    """Return up to `limit` cases the user may see, received in the `days` before `now`, that may be the same
    demand: in grid `grid_id` with a text similar to `text`, or from the caller `phone`.

    The same caller ranks first (a repeat call is the likeliest duplicate), then the most similar text, then
    the most recent. Missing or incomplete input gives no candidates and no queries; never raises on input.
    """
    typed = bigrams(text)
    comparable = grid_id is not None and len(typed) >= MIN_BIGRAMS
    hashed = phone_hash(phone)
    if not (comparable or hashed):
        return []
    recent = Case.objects.visible_to(user).filter(
        received_at__gte=now - dt.timedelta(days=days), received_at__lte=now, merged_into__isnull=True
    )
    found: dict[int, Case] = {}
    if comparable:
        in_grid = recent.filter(grid_id=grid_id).only(*FIELDS).order_by("-received_at", "-id")[:MAX_SCANNED]
        found.update((case.pk, case) for case in in_grid)
    same_caller: set[int] = set()
    if hashed:
        by_phone = recent.filter(reporter_phone_hash=hashed).only(*FIELDS).order_by("-received_at", "-id")[:limit]
        for case in by_phone:
            found.setdefault(case.pk, case)
            same_caller.add(case.pk)
    candidates = []
    for case in found.values():
        score = similarity(typed, bigrams(f"{case.title}\n{case.content}"))
        similar = comparable and case.grid_id == grid_id and score >= SIMILARITY_THRESHOLD
        if similar or case.pk in same_caller:
            candidates.append(Candidate(case, score, similar, case.pk in same_caller))
    candidates.sort(key=lambda c: (c.same_phone, c.similarity, c.case.received_at, c.case.pk), reverse=True)
    return candidates[:limit]
