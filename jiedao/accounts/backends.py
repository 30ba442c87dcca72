"""Authentication that refuses locked-out usernames and addresses and records every attempt."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from jiedao.accounts import lockout
from jiedao.audit.choices import AuditAction
from jiedao.audit.services import audit_record, client_ip


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        ip = client_ip(request)
        if lockout.is_locked(username=username, ip=ip):
            audit_record(action=AuditAction.LOGIN_LOCKED, username=username, request=request)
            # PermissionDenied stops Django from trying other backends and fires user_login_failed.
            raise PermissionDenied("locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        lockout.record_attempt(username=username, ip=ip, succeeded=user is not None)
        return user
