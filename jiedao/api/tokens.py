"""Personal API tokens: make, revoke, and check the one a request carries."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from jiedao.api.models import ApiToken
from jiedao.audit.choices import AuditAction
from jiedao.audit.services import audit_record
from jiedao.cases.errors import InvalidInput
from jiedao.core import clock, crypto
from jiedao.core.errors import DomainError, NotFoundOrForbidden

DEFAULT_DAYS = 90
MAX_DAYS = 365
MAX_ACTIVE = 10
# Writing the last use on every request would make every read a write: once a minute is enough to tell use.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Hex only: the keyed hash upper-cases its input, and hex keeps every one of the 256 bits through that.
TOKEN = re.compile(r"^jd_([0-9a-f]{8})_([0-9a-f]{64})$")


class TokenRejected(DomainError):
    """The bearer token is malformed, unknown, revoked or expired; `code` says which."""

    code = "invalid_token"


def _text(prefix: str, secret: str) -> str:
    return f"jd_{prefix}_{secret}"


def _audit(action: AuditAction, token: ApiToken, *, actor: Any, request: HttpRequest | None) -> None:
    # Names the token by id, prefix and name: never the secret nor its hash, which alone would let a guess be checked.
    owner = token.user
    detail = {
        "token_id": token.pk,
        "prefix": f"jd_{token.prefix}",
        "name": token.name,
        "user_id": owner.pk,
        "username": owner.get_username(),
        "expires_at": token.expires_at.isoformat() if token.expires_at is not None else None,
    }
    audit_record(action=action, actor=actor, request=request, obj=token, detail=detail)


@transaction.atomic
def api_token_create(
    *,
    user: Any,
    name: str,
    days: int | None = DEFAULT_DAYS,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for `user`; return the row and the token text, which is never stored and never shown again.

    `days` of validity (1–365). `actor` is who makes it (the user on the tokens page; None: the system, e.g. the
    command line); the audit row is written in the same transaction. Locks the user's row. Raises InvalidInput
    naming the field (name, days) or when the user already has the most active tokens allowed.
    """
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the token a name that says what uses it."), field="name")
    if len(name) > 100:
        raise InvalidInput(_("The name may be at most 100 characters long."), field="name")
    if days is None or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(_("A token is valid for 1 to %(days)d days.") % {"days": MAX_DAYS}, field="days")
    now = clock.now()
    # Lock the user's row: two requests at once cannot both pass the count below.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user).usable(now).count() >= MAX_ACTIVE:
        raise InvalidInput(
            _("You already have %(count)d active tokens: revoke one you no longer use.") % {"count": MAX_ACTIVE},
            field="name",
        )
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = secrets.token_hex(32)
    text = _text(prefix, secret)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        secret_hash=crypto.keyed_hash(text),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    _audit(AuditAction.API_TOKEN_CREATED, token, actor=actor, request=request)
    return token, text


@transaction.atomic
def api_token_revoke(
    *, token_id: int, actor: Any, owner_only: bool = True, request: HttpRequest | None = None
) -> ApiToken:
    """Revoke a token (its owner's, or, with owner_only=False, any the caller found through its own scope) and
    write the audit row in the same transaction; `actor` None is the system (the command line).

    Locks the token's row. Revoking twice changes nothing (and writes no second audit row). Raises
    NotFoundOrForbidden when the token is not the actor's."""
    tokens = ApiToken.objects.select_for_update()
    if owner_only:
        owner: Any = getattr(actor, "pk", None)
        tokens = tokens.filter(user_id=owner) if owner is not None else tokens.none()
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFoundOrForbidden(_("No such token."))
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = clock.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    _audit(AuditAction.API_TOKEN_REVOKED, token, actor=actor, request=request)
    return token


def api_token_authenticate(text: str) -> Any:
    """Return the active user the token text belongs to, and note the token's use.

    Raises TokenRejected: invalid_token (malformed, unknown, wrong secret, inactive user), token_revoked,
    token_expired. Revoked and expired are told only to a caller who holds the right secret.
    """
    match = TOKEN.match(text.strip())
    if match is None:
        raise TokenRejected(_("The API token is not valid."))
    token = ApiToken.objects.select_related("user").filter(prefix=match.group(1)).first()
    if token is None or not hmac.compare_digest(crypto.keyed_hash(text.strip()), token.secret_hash):
        raise TokenRejected(_("The API token is not valid."))
    now = clock.now()
    if token.revoked_at is not None:
        raise TokenRejected(_("This API token has been revoked."), code="token_revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRejected(_("This API token has expired."), code="token_expired")
    if not token.user.is_active:
        raise TokenRejected(_("The API token is not valid."))
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    setattr(token.user, "api_token", token)  # noqa: B010  (GET /me names the token in use)
    return token.user
