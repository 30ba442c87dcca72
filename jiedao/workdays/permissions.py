"""Who may see and change the calendar: superusers change it; office administrators may look."""

from __future__ import annotations

from typing import Any

from jiedao.accounts.choices import Role
from jiedao.core.scope import scope_of


def can_change_calendar(user: Any) -> bool:
    """Only superusers: the calendar counts every deadline of every office."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def can_view_calendar(user: Any) -> bool:
    """Superusers and users holding the office-administrator role anywhere."""
    return can_change_calendar(user) or Role.ADMIN in scope_of(user).roles
