"""Writes on sources: create one with its service user and key, give it a new key."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from jiedao.accounts.choices import Role
from jiedao.accounts.services import role_grant
from jiedao.integrations.keys import new_key
from jiedao.integrations.models import Source
from jiedao.places.models import Place

# The service user of a source: it registers the source's orders (named in the case events), never logs in.
SERVICE_USERNAME = "source-%s"


@transaction.atomic
def source_create(
    *,
    name: str,
    code: str,
    kind: str,
    channel: str,
    office: Place,
    rate_limit_per_minute: int = 60,
    active: bool = True,
    actor: Any = None,
) -> tuple[Source, str]:
    """Create a source, its service user (dispatcher of `office`, no usable password) and its key.

    Returns the source and the raw key, which is not stored anywhere: show it once. Raises ValidationError
    (full_clean) for a bad code, channel, kind or office.
    """
    user_model = get_user_model()
    user = user_model(username=SERVICE_USERNAME % code, full_name=name[:50], office=office, is_active=True)
    user.set_unusable_password()
    raw, prefix, hashed = new_key()
    source = Source(
        name=name,
        code=code,
        kind=kind,
        channel=channel,
        office=office,
        rate_limit_per_minute=rate_limit_per_minute,
        active=active,
        key_prefix=prefix,
        key_hash=hashed,
    )
    source.full_clean(exclude=["service_user"])
    user.full_clean()
    user.save()
    role_grant(user=user, role=Role.DISPATCHER, place=office, actor=actor)
    source.service_user = user
    source.save()
    return source, raw


@transaction.atomic
def source_rotate_key(*, source_id: int) -> str:
    """Give the source a new key (the old one stops working at once); return the raw key to show once."""
    source = Source.objects.select_for_update().get(pk=source_id)
    raw, prefix, hashed = new_key()
    source.key_prefix, source.key_hash = prefix, hashed
    source.save(update_fields=["key_prefix", "key_hash", "updated_at"])
    return raw
