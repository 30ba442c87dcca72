"""Who is calling: a personal API token (`Authorization: Bearer jd_…`) or the browser's session (with CSRF for
unsafe methods). Either way the request then acts exactly as that user: same scope, same permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from jiedao.api.errors import ApiError
from jiedao.api.tokens import TokenRejected, api_token_authenticate


class TokenAuth(HttpBearer):
    """A personal API token; a token that is present but wrong is refused (401) rather than passed over."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            user = api_token_authenticate(token)
        except TokenRejected as exc:
            raise ApiError(401, exc.code, exc.message) from None
        # The rest of the stack (security headers, audit rows) sees the token's user as the request's user.
        request.user = user
        return user


class CsrfSessionAuth(SessionAuth):
    """Django's session; unsafe methods need the CSRF token (header X-CSRFToken) as the screens do."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if request.user.is_authenticated and check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", _("The CSRF check failed: send the X-CSRFToken header."))
        return request.COOKIES.get(self.param_name)


AUTH = [TokenAuth(), CsrfSessionAuth(csrf=True)]
