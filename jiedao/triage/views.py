"""The registration form's category suggestions (an htmx fragment, fetched while the dispatcher types)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from jiedao.cases import permissions as case_permissions
from jiedao.triage import selectors

MAX_TEXT = 5000


@login_required
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    """Up to three categories with their probabilities; an empty fragment when there is no model or no text."""
    if not case_permissions.can_register(request.user):
        return HttpResponse(status=403)
    proposals = selectors.suggest_categories(
        title=request.POST.get("title", "")[:MAX_TEXT], content=request.POST.get("content", "")[:MAX_TEXT]
    )
    return render(request, "triage/_categories.html", {"proposals": proposals})
