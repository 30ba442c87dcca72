"""Periodic housekeeping of personal-data traces (PIPL: keep retention short)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiedao.accounts import lockout
from jiedao.audit.services import audit_purge_expired
from jiedao.core import clock


@db_periodic_task(crontab(minute="17", hour="3"))  # type: ignore[untyped-decorator]
def purge_expired_traces() -> int:
    """Delete old login attempts, expired sessions and audit rows past retention; return the count."""
    removed = lockout.purge_attempts()
    removed += Session.objects.filter(expire_date__lt=clock.now()).delete()[0]
    removed += audit_purge_expired(days=settings.AUDIT_RETENTION_DAYS)
    return removed
