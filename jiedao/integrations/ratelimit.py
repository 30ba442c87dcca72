"""Requests per source per minute, counted in Django's cache (Redis in production: shared by every worker).

A sliding window, estimated from two fixed ones: the counters of this minute and the one before (UTC, epoch-aligned),
the earlier one weighted by the share of it still inside the last sixty seconds. A fixed window alone let a burst at
the turn of a minute reach twice the limit within sixty seconds; the estimate keeps it near the limit at the price of
one more cache read. The counter of this minute is created with `add` and raised with `incr`, both atomic in Redis and
in the local-memory cache: no lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.cache import cache

from jiedao.core import clock
from jiedao.integrations.models import Source

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until a request would be allowed again (when refused)

    def __bool__(self) -> bool:
        return self.allowed


def _key(source: Source, window: int) -> str:
    # The key prefix is in the name so counts never carry over to another source that reuses the id.
    return f"integrations:rate:{source.pk}:{source.key_prefix}:{window}"


def allow_request(source: Source) -> Allowance:
    """Count one request of `source` now and say whether the requests of the last minute are within its
    `rate_limit_per_minute`.

    Refused requests count too: a client hammering past its limit stays refused until it slows down.
    """
    now = clock.now().timestamp()
    window = int(now // WINDOW_SECONDS)
    elapsed = (now - window * WINDOW_SECONDS) / WINDOW_SECONDS  # share of this minute gone, 0 ≤ elapsed < 1
    key = _key(source, window)
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        current = int(cache.incr(key))
    except ValueError:  # evicted between add and incr: this request starts the window again
        cache.add(key, 1, timeout=WINDOW_SECONDS * 2)
        current = 1
    previous = int(cache.get(_key(source, window - 1), 0))
    limit = source.rate_limit_per_minute
    estimate = previous * (1 - elapsed) + current
    allowed = estimate <= limit
    return Allowance(
        allowed=allowed,
        limit=limit,
        remaining=max(0, math.floor(limit - estimate)),
        retry_after=0 if allowed else _seconds_until_allowed(previous, current, limit, elapsed),
    )


def _seconds_until_allowed(previous: int, current: int, limit: int, elapsed: float) -> int:
    """Seconds until one more request fits the estimate, if no other comes meanwhile (at least 1)."""
    if current + 1 <= limit and previous > 0:
        # Still in this minute, once enough of the minute before has slid out.
        fraction = 1 - (limit - current - 1) / previous
        wait = (fraction - elapsed) * WINDOW_SECONDS
    else:
        # In the next minute, once enough of this one has slid out.
        fraction = max(0.0, 1 - (limit - 1) / current)
        wait = (1 - elapsed + fraction) * WINDOW_SECONDS
    return max(1, math.ceil(wait - 1e-9))
