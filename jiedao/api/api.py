"""The REST API at /api/v1/: one NinjaAPI, its routers, its error handlers and its docs served from local files."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from jiedao.api import errors, routes_actions, routes_cases, routes_reference
from jiedao.api.auth import AUTH

if TYPE_CHECKING:
    from ninja import NinjaAPI as Api

DESCRIPTION = """\
The case loop of jiedao (接诉即办) for other systems and scripts.

**Authentication**: a personal API token (`Authorization: Bearer jd_…`, made on the page /api/tokens/) or the
browser's session (unsafe methods then need the `X-CSRFToken` header). Either way the request acts exactly as
its user: it sees the cases of his places and units, and may take the actions his roles allow.

**Errors** are JSON: `{"code": "...", "message": "...", "field": ...}` — 401 unauthenticated / invalid_token /
token_expired / token_revoked, 403 forbidden / csrf_failed, 404 not_found (missing and forbidden look the same),
409 conflict / transition_not_allowed / duplicate, 422 invalid / validation_error (with `field`), 503 busy
(on SQLite, when another long write held the database: nothing was written; send it again after `Retry-After`).

**Concurrency**: every case carries a `version`; send it back as `expected_version` with an action and a case
changed meanwhile is refused with 409 conflict, nothing written.
"""


class LocalSwagger(DocsBase):
    """Swagger UI from the project's own static files (no CDN; the page runs no inline script)."""

    def render_page(self, request: HttpRequest, api: Api, **kwargs: Any) -> HttpResponse:
        return render(request, "api/docs.html", {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)})


api_v1 = NinjaAPI(
    title="jiedao API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:api-v1",
    auth=AUTH,
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api_v1)
api_v1.add_router("/", routes_cases.router)
api_v1.add_router("/", routes_actions.router)
api_v1.add_router("/", routes_reference.router)


def _json_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with plain text; the API's errors are JSON with a code, that one too."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            body = {"code": "method_not_allowed", "message": _("This method is not allowed here."), "field": None}
            response.content = json.dumps(body, ensure_ascii=False).encode()
            response["Content-Type"] = "application/json; charset=utf-8"
        return response

    return wrapped


def urls() -> tuple[list[Any], str, str]:
    """api_v1.urls with every operation's view answering 405 in JSON."""
    patterns, app_name, namespace = api_v1.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_not_allowed(pattern.callback)
    return patterns, app_name, namespace
