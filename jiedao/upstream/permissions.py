"""Who may import 12345 exports and export the replies due upstream.

Registering the city's orders is the dispatchers' work (and the administrators'), for their own office (or every
office of their district). Anyone else finds no such page; a run of another office looks like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiedao.accounts.choices import Role
from jiedao.core.errors import NotFoundOrForbidden
from jiedao.core.scope import q_code_within, scope_of
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.upstream.models import ImportRun

IMPORTERS = frozenset({Role.DISPATCHER, Role.ADMIN})


def _prefixes(user: Any) -> frozenset[str] | None:
    """The place prefixes the user imports for; None when he may import everywhere."""
    scope = scope_of(user)
    if scope.everything:
        return None
    return scope.prefixes_for(*IMPORTERS)


def can_import(user: Any) -> bool:
    prefixes = _prefixes(user)
    return prefixes is None or bool(prefixes)


def importable_offices(user: Any) -> QuerySet[Place]:
    """The offices the user may import into (and export the replies of), by code."""
    offices = Place.objects.filter(level=Level.SUBDISTRICT).order_by("code")
    prefixes = _prefixes(user)
    if prefixes is None:
        return offices
    return offices.filter(q_code_within("prefix", prefixes)) if prefixes else offices.none()


def runs_visible_to(user: Any) -> QuerySet[ImportRun]:
    """The runs of the offices the user imports for (a district's dispatcher sees every office's)."""
    prefixes = _prefixes(user)
    runs = ImportRun.objects.all()
    if prefixes is None:
        return runs
    return runs.filter(q_code_within("scope_code", prefixes)) if prefixes else runs.filter(Q(pk__in=[]))


def access_run(user: Any, run_id: int) -> ImportRun:
    """The run if the user may see it; NotFoundOrForbidden otherwise (missing and forbidden look the same)."""
    run = runs_visible_to(user).select_related("created_by", "office").filter(pk=run_id).first()
    if run is None:
        raise NotFoundOrForbidden(_("No such import."))
    return run


def can_import_at(user: Any, code: str) -> bool:
    """Whether the user imports for the place with this code (a case's scope code, an office's prefix)."""
    prefixes = _prefixes(user)
    return prefixes is None or any(code.startswith(prefix) for prefix in prefixes)
