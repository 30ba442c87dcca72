"""Category endpoints for the registration form: type-ahead options (htmx) and the picker tree (JSON)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiedao.categories import selectors

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


def _limit(request: HttpRequest) -> int:
    text = request.GET.get("limit", "")
    if not (text.isascii() and text.isdigit()):
        return DEFAULT_LIMIT
    return min(max(int(text), 1), MAX_LIMIT)


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """`<li role="option">` for each category matching `q`; nothing for an empty query."""
    query = request.GET.get("q", "")
    categories = selectors.search_categories(query, limit=_limit(request)) if query.strip() else []
    return render(request, "categories/_options.html", {"categories": categories, "query": query.strip()})


@login_required
@require_GET
def tree_json(request: HttpRequest) -> JsonResponse:
    """The usable tree, nested: {"categories": [{"id", "code", "name", "level", "path", "children"}, …]}."""
    return JsonResponse({"categories": selectors.category_tree()})
