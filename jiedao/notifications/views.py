"""The notification centre: the list, and marking read (htmx gets a fragment, a plain form a redirect)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from jiedao.core.errors import NotFoundOrForbidden
from jiedao.notifications import selectors, services

PAGE_SIZE = 20


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _next_url(request: HttpRequest, default: str) -> str:
    """Where to go after a plain form: a local `next` only (no open redirect)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _page(request: HttpRequest, number: str | None) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(number)
    return render(request, "notifications/_swap_list.html", {"page": page})


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
    except NotFoundOrForbidden:
        raise Http404 from None
    if _is_htmx(request):
        return render(request, "notifications/_swap_item.html", {"notification": notification})
    return redirect(_next_url(request, "notifications:list"))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    if _is_htmx(request):
        return _page(request, request.POST.get("page"))
    return redirect(_next_url(request, "notifications:list"))
