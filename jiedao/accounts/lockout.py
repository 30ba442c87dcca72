"""Lockout after repeated failed logins, per username and per client address."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from jiedao.accounts.models import LoginAttempt
from jiedao.core import clock

# An address may fail for several usernames before it is locked (an office shares one NAT address).
IP_FACTOR = 4


def _window_start() -> dt.datetime:
    return clock.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked(*, username: str, ip: str | None) -> bool:
    """True when the username, or the address, failed too often within the lockout window.

    Failures before the last success of that username do not count.
    """
    since = _window_start()
    attempts = LoginAttempt.objects.filter(at__gte=since)
    last_success = (
        attempts.filter(username=username, succeeded=True).order_by("-at").values_list("at", flat=True).first()
    )
    user_failures = attempts.filter(username=username, succeeded=False)
    if last_success is not None:
        user_failures = user_failures.filter(at__gt=last_success)
    if user_failures.count() >= settings.LOGIN_FAILURE_LIMIT:
        return True
    if ip:
        ip_failures = attempts.filter(ip=ip, succeeded=False).count()
        return ip_failures >= settings.LOGIN_FAILURE_LIMIT * IP_FACTOR
    return False


def record_attempt(*, username: str, ip: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], ip=ip, at=clock.now(), succeeded=succeeded)


def purge_attempts() -> int:
    """Delete attempts older than the lockout window; return how many went."""
    deleted, _ = LoginAttempt.objects.filter(at__lt=_window_start()).delete()
    return deleted
