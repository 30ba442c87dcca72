"""The navigation each role gets: data, so the header, the home page and the tests agree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jiedao.accounts.choices import Role
from jiedao.core.scope import scope_of

ALL = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    staff_only: bool = False


NAV_ITEMS = (
    NavItem("home", _("Home"), "web:home", ALL),
    NavItem("cases", _("My work"), "cases:list", ALL),
    NavItem(
        "kpi",
        _("KPIs"),
        "analytics:index",
        frozenset({Role.DISPATCHER, Role.ADMIN, Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER}),
    ),
    NavItem(
        "dashboard",
        _("Dashboard"),
        "analytics:dashboard",
        frozenset(
            {
                Role.DISPATCHER,
                Role.ADMIN,
                Role.DEPUTY_LEADER,
                Role.PRINCIPAL_LEADER,
                Role.COMMUNITY_STAFF,
                Role.UNIT_HANDLER,
            }
        ),
    ),
    NavItem(
        "hotspots",
        _("Hot spots"),
        "hotspots:index",
        frozenset({Role.DISPATCHER, Role.ADMIN, Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER}),
    ),
    NavItem(
        "reports",
        _("Reports"),
        "reports:index",
        frozenset({Role.DISPATCHER, Role.ADMIN, Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER}),
    ),
    NavItem("upstream", _("12345 orders"), "upstream:index", frozenset({Role.DISPATCHER, Role.ADMIN})),
    NavItem(
        "report",
        _("Report from the field"),
        "cases:report",
        frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF}),
    ),
    NavItem("map", _("Grid map"), "places:map", ALL),
    NavItem("places", _("Places"), "places:list", ALL),
    NavItem("units", _("Handling units"), "web:units", ALL),
    NavItem("admin", _("Administration"), "admin:index", frozenset({Role.ADMIN}), staff_only=True),
)


def items_for(user: Any) -> list[dict[str, str]]:
    """The navigation entries the user may use, in order."""
    scope = scope_of(user)
    if scope.is_empty:
        return []
    result = []
    for item in NAV_ITEMS:
        allowed = scope.everything or bool(scope.roles & item.roles)
        if item.staff_only:
            allowed = allowed and bool(getattr(user, "is_staff", False))
        if allowed:
            result.append({"key": item.key, "label": str(item.label), "url": reverse(item.url_name)})
    return result
