"""Security headers Django does not set by itself; a busy SQLite database answers 503; an htmx request of an expired
session sends the whole page to the login form."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

# No inline scripts anywhere: every script is a static file, so the policy can forbid them.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with personal data must not be kept by shared browsers or proxies.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def database_busy(exception: BaseException) -> bool:
    """Whether `exception` is SQLite's "database is locked": a write waited its whole timeout for another's lock."""
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)


BUSY_RETRY_AFTER = 15


def busy_message() -> str:
    return gettext("The system is busy; nothing was saved. Send the request again.")


class DatabaseBusyMiddleware:
    """A write that waited its whole timeout for SQLite's lock (a long import holds it) answers 503, not 500.

    SQLite lets one connection write at a time; the others wait `timeout` seconds (config.env) and then fail with
    "database is locked". The request's transaction rolled back, so nothing was half-written: the user is told the
    system is busy and to send it again, with Retry-After; a page to a browser, the API's JSON error to a program
    (the REST API answers the same through its own handler, jiedao.api.errors). PostgreSQL never raises this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_busy(exception):
            return None
        logger.warning("database busy: %s %s answered 503", request.method, request.path)
        response: HttpResponse
        if "text/html" in request.headers.get("Accept", ""):
            response = render(request, "503.html", status=503)
        else:
            response = JsonResponse({"code": "busy", "message": busy_message(), "field": None}, status=503)
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has ended is sent, page and all, to the login form.

    `login_required` answers 302 to the login form; the browser follows it inside htmx's request, and htmx would put
    the login page into the fragment's place (the category suggestions, a quick callback's outcome). Instead the
    answer tells htmx (`HX-Redirect`) to load the login form as the page, with `next` the page the user was on, so
    after logging in she is back where she was.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.headers.get("HX-Request") or response.status_code != 302:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        # The page the user is on, as htmx reports it (this site's path only: never an open redirect).
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        page = current.path + (f"?{current.query}" if current.query else "")
        if not page.startswith("/") or page.startswith("//"):
            page = "/"
        redirected = HttpResponse(status=200)
        redirected["HX-Redirect"] = f"{login}?{urlencode({'next': page})}"
        return redirected
