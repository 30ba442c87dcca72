"""What a user may see, as data: place-code prefixes and unit ids.

Place codes are hierarchical (DOMAIN.md §3): a grid's 15-digit code starts with its community's 12 digits,
which start with the office's 9 and the district's 6. So "inside my place" is "code starts with my
prefix", one indexed comparison, for any record that carries the code of the place it belongs to.
Computed by jiedao.accounts from the user's role assignments; used by every app's visible_to().
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

# Significant length of a code at each level: 区县 6, 街道 9 (of 12), 社区/村 12, 网格 15.
PREFIX_LENGTHS = (6, 9, 12, 15)


def ancestor_prefixes(prefix: str) -> list[str]:
    """The prefixes of every place above `prefix`, nearest last: '330199001001' -> ['330199', '330199001']."""
    return [prefix[:n] for n in PREFIX_LENGTHS if n < len(prefix)]


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    roles: frozenset[str] = frozenset()
    # Places the user's place-bound roles cover (their whole subtree).
    place_prefixes: frozenset[str] = frozenset()
    # Units the user works for, and the places those units serve.
    unit_ids: frozenset[int] = frozenset()
    unit_place_prefixes: frozenset[str] = frozenset()
    # Offices (or districts) containing any of the above: the organisation the user works in.
    office_prefixes: frozenset[str] = field(default=frozenset())
    # (role, place prefix) pairs, for rules that depend on which role covers a place.
    role_places: frozenset[tuple[str, str]] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.place_prefixes or self.unit_ids)

    def covers(self, code: str) -> bool:
        """True when a record with this place code lies inside one of the user's places."""
        return self.everything or any(code.startswith(p) for p in self.place_prefixes)

    def prefixes_for(self, *roles: str) -> frozenset[str]:
        """The place prefixes covered by any of `roles`."""
        return frozenset(prefix for role, prefix in self.role_places if role in roles)

    def covers_served(self, code: str) -> bool:
        """True when the code lies inside the user's places or the places his units serve."""
        return self.covers(code) or any(code.startswith(p) for p in self.unit_place_prefixes)


EMPTY = Scope()
EVERYTHING = Scope(everything=True)


def q_code_within(field_name: str, prefixes: frozenset[str] | set[str], *, full_length: int = 0) -> Q:
    """Q for records whose `field_name` code lies under any prefix; matches nothing for no prefixes.

    A prefix as long as `full_length` (the longest code the field holds: a grid's) can only match itself: it is
    compared for equality, which an ordinary index on (field, …) serves, where a prefix needs a range."""
    if not prefixes:
        return Q(pk__in=[])
    return functools.reduce(
        operator.or_,
        (
            Q(**{field_name: p}) if full_length and len(p) >= full_length else Q(**{f"{field_name}__startswith": p})
            for p in sorted(prefixes)
        ),
    )


def scope_of(user: Any) -> Scope:
    """The scope of a user (anonymous users see nothing; superusers see everything)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return EMPTY
    if getattr(user, "is_superuser", False):
        return EVERYTHING
    compute = getattr(user, "compute_scope", None)
    if compute is None:
        return EMPTY
    cached: Scope | None = getattr(user, "_jiedao_scope", None)
    if cached is None:
        cached = compute()
        user._jiedao_scope = cached
    return cached
