"""Who may read the hot spots of an office and who may refresh them.

The hot spots are an office-level reading of its cases (DOMAIN.md §6, the weekly 研判): leaders, dispatchers and
administrators of the office (or of its district) read them; leaders and administrators may refresh them on demand.
Grid workers, community staff and unit handlers find no such page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jiedao.accounts.choices import Role
from jiedao.core.scope import q_code_within, scope_of
from jiedao.places.choices import Level
from jiedao.places.models import Place

READERS = frozenset({Role.DISPATCHER, Role.ADMIN, Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER})
REFRESHERS = frozenset({Role.ADMIN, Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER})


def _prefixes(user: Any, roles: frozenset[str]) -> frozenset[str] | None:
    """The place prefixes the user holds one of `roles` for; None when he sees everything."""
    scope = scope_of(user)
    if scope.everything:
        return None
    return scope.prefixes_for(*roles)


def readable_offices(user: Any) -> QuerySet[Place]:
    """The offices whose hot spots the user may read (a QuerySet of places, by code)."""
    offices = Place.objects.filter(level=Level.SUBDISTRICT).order_by("code")
    prefixes = _prefixes(user, READERS)
    if prefixes is None:
        return offices
    return offices.filter(q_code_within("prefix", prefixes))


def can_read_hotspots(user: Any, office: Place | None = None) -> bool:
    """Whether the user reads hot spots at all (office None) or those of this office."""
    prefixes = _prefixes(user, READERS)
    if prefixes is None:
        return True
    if office is None:
        return bool(prefixes)
    return any(office.prefix.startswith(p) for p in prefixes)


def can_refresh_hotspots(user: Any, office: Place) -> bool:
    """Leaders and administrators of the office recompute its hot spots on demand."""
    prefixes = _prefixes(user, REFRESHERS)
    return prefixes is None or any(office.prefix.startswith(p) for p in prefixes)
