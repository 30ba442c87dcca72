"""Every error of the API as JSON `{"code", "message", "field"}`: domain errors keep their code, and ninja's own
(validation, authentication, not found) get one too. The API parses and translates; the services decide."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jiedao.cases.actions import FORM_NAMES
from jiedao.cases.errors import Conflict, InvalidInput
from jiedao.cases.workflow import TransitionNotAllowed
from jiedao.core.errors import ActionForbidden, DomainError, NotFoundOrForbidden
from jiedao.core.middleware import BUSY_RETRY_AFTER, busy_message, database_busy
from jiedao.core.validation import pydantic_message

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)

# Status of each domain error class; the first match in this order wins (subclasses first).
STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidInput, 422),
    (NotFoundOrForbidden, 404),
    (ActionForbidden, 403),
    (Conflict, 409),
    (TransitionNotAllowed, 409),
)
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "throttled",
    503: "busy",
}


class ApiError(DomainError):
    """An error the API itself raises, with its HTTP status."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.field = field


def error_body(code: str, message: str, field: str | None = None, **more: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, **more}


def status_of(exc: DomainError) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 400)


def api_field(field: str | None) -> str | None:
    """An error's field (the screen form's name) as the API's body names it."""
    return FORM_NAMES.get(field, field) if field else field


def _location(loc: Any) -> str:
    """pydantic's location ("body", "payload", "note") as the field the client sent: "note"."""
    parts = [str(p) for p in (loc or ()) if p not in ("body", "payload", "query", "path", "header", "cookie")]
    # ninja nests the body under the parameter's name; a lone parameter name says nothing more.
    return ".".join(parts)


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api`."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def domain(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, DomainError)
        field = getattr(exc, "field", None)
        return respond(request, status_of(exc), error_body(exc.code, exc.message, api_field(field)))

    def validation(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, ValidationError)
        details = [
            {"field": _location(e.get("loc")), "message": pydantic_message(e), "type": str(e.get("type", ""))}
            for e in exc.errors
        ]
        first = details[0] if details else {"field": "", "message": ""}
        message = _("The request is not valid: %(field)s: %(message)s") % {
            "field": first["field"] or _("body"),
            "message": first["message"],
        }
        return respond(request, 422, error_body("validation_error", message, first["field"] or None, errors=details))

    def http(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, HttpError)
        code = HTTP_CODES.get(exc.status_code, "error")
        message = str(exc)
        if isinstance(exc, AuthenticationError):
            message = _("Log in, or send a personal API token as “Authorization: Bearer <token>”.")
        elif exc.status_code == 400:
            message = _("The request body is not valid JSON.")
        return respond(request, exc.status_code, error_body(code, message))

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 404, error_body("not_found", _("Not found.")))

    def operational(request: HttpRequest, exc: Exception) -> HttpResponse:
        if not database_busy(exc):
            return unexpected(request, exc)
        logger.warning("database busy: %s %s answered 503", request.method, request.path)
        response = respond(request, 503, error_body("busy", busy_message()))
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug, not bad input: logged with its traceback, answered without it.
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, error_body("server_error", _("Something went wrong on the server.")))

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (DomainError, domain),
        (ValidationError, validation),
        (HttpError, http),
        (Http404, not_found),
        (OperationalError, operational),
        (Exception, unexpected),
    ]
    for cls, handler in handlers:
        api.add_exception_handler(cls, handler)
