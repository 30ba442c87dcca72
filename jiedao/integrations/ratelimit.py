"""Requests per source per minute, counted in Django's cache (Redis in production: shared by every worker).

A fixed window: the counter of the current minute (UTC, epoch-aligned) is created with `add` and raised with
`incr`, both atomic in Redis and in the local-memory cache. A burst at the turn of a minute may reach twice the
limit over 60 seconds; in exchange one request costs two cache calls and no lock.
"""

from __future__ import annotations

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
    retry_after: int  # seconds until the window turns (when refused)

    def __bool__(self) -> bool:
        return self.allowed


def allow_request(source: Source) -> Allowance:
    """Count one request of `source` now and say whether it is within its `rate_limit_per_minute`.

    Refused requests count too (a client hammering past its limit stays refused until the minute turns).
    """
    now = clock.now().timestamp()
    window = int(now // WINDOW_SECONDS)
    # The key prefix is in the name so counts never carry over to another source that reuses the id.
    key = f"integrations:rate:{source.pk}:{source.key_prefix}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: this request starts the window again
        cache.add(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    limit = source.rate_limit_per_minute
    retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
    return Allowance(allowed=count <= limit, limit=limit, remaining=max(0, limit - count), retry_after=retry_after)
