"""API keys of the sources: made once, stored as a keyed hash, found by their prefix, compared in constant time.

A key reads `jd_<prefix>_<secret>`: the 10-hex-digit prefix finds the source's row, the keyed hash of the whole
key (jiedao.core.crypto.keyed_hash, HMAC-SHA256 with a key derived from FIELD_ENCRYPTION_KEY) must match.
Hex only, so the hash's upper-casing normalisation loses nothing.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets

from django.db.models import Q

from jiedao.core import clock, crypto
from jiedao.integrations.models import Source

KEY = re.compile(r"^jd_([0-9a-f]{10})_([0-9a-f]{48})$")
# Writing "last used" at most once a minute per source keeps a busy source from writing on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)
_DUMMY_HASH = "0" * 64


def new_key() -> tuple[str, str, str]:
    """A fresh key: (raw key to show once, its prefix, its keyed hash to store)."""
    prefix = secrets.token_hex(5)
    raw = f"jd_{prefix}_{secrets.token_hex(24)}"
    return raw, prefix, crypto.keyed_hash(raw)


def source_for_key(raw_key: str) -> Source | None:
    """The active source this key belongs to, else None (missing, malformed, wrong, revoked or inactive).

    The hash is compared in constant time, and computed even when no row has the prefix, so timing does not tell
    which prefixes exist. Records the use (`last_used_at`, at most once a minute).
    """
    raw_key = (raw_key or "").strip()
    match = KEY.match(raw_key)
    source = (
        Source.objects.select_related("office", "service_user").filter(key_prefix=match[1]).first() if match else None
    )
    given = crypto.keyed_hash(raw_key) if match else _DUMMY_HASH
    stored = source.key_hash if source is not None else _DUMMY_HASH
    if not hmac.compare_digest(given, stored) or source is None or not source.active:
        return None
    now = clock.now()
    if source.last_used_at is None or now - source.last_used_at >= TOUCH_EVERY:
        Source.objects.filter(pk=source.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
        ).update(last_used_at=now)
        source.last_used_at = now
    return source
