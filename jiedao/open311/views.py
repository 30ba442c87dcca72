"""GeoReport v2 over plain Django views: parse, call the selectors or the submission, render JSON or XML.

Every refusal is the spec's error list in the requested format (XML when the format itself is unknown) with its
HTTP status: 400 bad parameter, 403 api_key, 404 unknown format, service, request, token or jurisdiction,
405 method, 429 rate limit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from jiedao.cases.errors import InvalidInput
from jiedao.core import clock
from jiedao.core.errors import ActionForbidden
from jiedao.integrations.choices import SourceKind
from jiedao.integrations.keys import source_for_key
from jiedao.integrations.models import Source
from jiedao.integrations.ratelimit import allow_request
from jiedao.open311 import catalogue, formats, params, selectors
from jiedao.open311.errors import Open311Error
from jiedao.open311.models import SubmittedRequest
from jiedao.open311.submission import read_new_request, request_submit

SPECIFICATION: Final = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's description last changed (discovery's changeset).
CHANGESET: Final = "2026-11-29T00:00:00+08:00"

View = Callable[..., HttpResponse]


def open311_view(*methods: str) -> Callable[[View], View]:
    """Allow `methods`, check the format, and turn every Open311Error into the spec's error list."""

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            out = fmt if fmt in formats.FORMATS else formats.XML
            try:
                params.require_format(fmt)
                if request.method not in methods:
                    raise Open311Error(
                        405,
                        _("Method %(method)s is not allowed here.") % {"method": request.method},
                        headers={"Allow": ", ".join(methods)},
                    )
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return formats.render_errors(out, exc.status, [exc.description], headers=exc.headers)

        return wrapped

    return wrap


@open311_view("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data = {
        "changeset": CHANGESET,
        "contact": _("The office's integrated governance centre (综治中心) answers questions about this API."),
        "key_service": _(
            "API keys for submitting requests are issued by the office's administrators (order sources of kind "
            "Open311 client)."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
                "changeset": CHANGESET,
                "type": "test" if settings.DEBUG else "production",
                "formats": list(formats.MEDIA_TYPES),
            }
        ],
    }
    return formats.render(fmt, "discovery", data)


@open311_view("GET")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    params.jurisdiction(request.GET)  # the tree is the same for every office; an unknown one is still refused
    return formats.render(fmt, "services", [catalogue.service_row(found) for found in catalogue.services()])


@open311_view("GET")
def service_definition(request: HttpRequest, service_code: str, *, fmt: str) -> HttpResponse:
    params.jurisdiction(request.GET)
    found = catalogue.service(service_code)
    if found is None:
        raise Open311Error(404, _("service_code “%(code)s” not found.") % {"code": service_code})
    return formats.render(fmt, "service_definition", catalogue.definition(found))


@csrf_exempt
@open311_view("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    query = request.GET
    office = params.jurisdiction(query)
    cases = selectors.find_requests(
        office=office,
        ids=params.listed(query, "service_request_id"),
        codes=params.listed(query, "service_code"),
        statuses=params.statuses(query),
        window=params.window(query, clock.now()),
        page=params.page(query),
    )
    return formats.render(fmt, "service_requests", selectors.request_rows(cases))


@open311_view("GET")
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    cases = selectors.find_request(office=params.jurisdiction(request.GET), number=service_request_id)
    if not cases:
        raise Open311Error(404, _("service_request_id “%(id)s” not found.") % {"id": service_request_id})
    return formats.render(fmt, "service_requests", selectors.request_rows(cases))


@open311_view("GET")
def token_detail(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    office = params.jurisdiction(request.GET)
    submitted = SubmittedRequest.objects.select_related("case").filter(token=token).first()
    if submitted is None or (office is not None and submitted.case.office_id != office.pk):
        raise Open311Error(404, _("token “%(token)s” not found.") % {"token": token})
    rows = [{"service_request_id": submitted.case.number, "token": submitted.token}]
    return formats.render(fmt, "service_requests", rows)


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under v2/: the spec's 404 (in XML, the format every client reads)."""
    return formats.render_errors(formats.XML, 404, [_("No such resource: %(path)s") % {"path": rest}])


def _source(request: HttpRequest) -> Source:
    # The spec sends it in the form; some clients put it in the query string.
    raw_key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw_key:
        raise Open311Error(403, _("api_key was not provided."))
    source = source_for_key(raw_key)
    if source is None or source.kind != SourceKind.OPEN311:
        raise Open311Error(403, _("Invalid api_key received: the request was not created."))
    allowance = allow_request(source)
    if not allowance:
        raise Open311Error(
            429,
            _("Too many requests for this api_key: at most %(n)d a minute. Try again in %(s)d seconds.")
            % {"n": allowance.limit, "s": allowance.retry_after},
            headers={"Retry-After": str(allowance.retry_after)},
        )
    return source


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    source = _source(request)
    office = params.jurisdiction(request.POST)
    if office is not None and office.pk != source.office_id:
        raise Open311Error(
            403, _("This api_key may not submit requests to jurisdiction_id “%(id)s”.") % {"id": office.code}
        )
    new = read_new_request(request.POST)
    try:
        submitted = request_submit(source=source, new=new)
    except InvalidInput as exc:
        raise Open311Error(400, f"{exc.field}: {exc.message}") from None
    except ActionForbidden:
        raise Open311Error(
            403,
            _("This api_key may not submit requests at this location: it lies outside %(office)s.")
            % {"office": source.office.name},
        ) from None
    row = {
        "service_request_id": submitted.case.number,
        "token": submitted.token,
        "service_notice": _(
            "Registered as %(number)s. The office accepts or answers it within its time limits; follow it with GET "
            "requests/%(number)s."
        )
        % {"number": submitted.case.number},
        "account_id": submitted.account_id or None,
    }
    return formats.render(fmt, "service_requests", [row])
