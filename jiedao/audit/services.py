"""Writing audit events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from jiedao.audit.choices import AuditAction
from jiedao.audit.models import AuditEvent
from jiedao.core import clock


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address; behind a proxy, the deployment's proxy sets REMOTE_ADDR (gunicorn --forwarded-allow-ips)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: AuditAction,
    actor: Any = None,
    username: str = "",
    request: HttpRequest | None = None,
    obj: Any = None,
    field: str = "",
    scope_code: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. `actor` may be None (failed login of an unknown name, the system)."""
    actor_obj = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor_obj,
        username=username or (actor_obj.get_username() if actor_obj is not None else ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        field=field,
        scope_code=scope_code,
        ip=client_ip(request),
        detail=detail or {},
    )


def audit_purge_expired(*, days: int) -> int:
    """Delete audit events older than `days`; return how many went."""
    cutoff = clock.now() - dt.timedelta(days=days)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
