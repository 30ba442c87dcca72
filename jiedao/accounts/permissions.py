"""Who may see users and their personal data."""

from __future__ import annotations

from typing import Any

from jiedao.accounts.choices import FULL_PII_ROLES, LEADER_ROLES, Role
from jiedao.accounts.models import User
from jiedao.core.access import get_visible
from jiedao.core.scope import scope_of


def access_user(viewer: Any, user_id: int) -> User:
    """Return the user if the viewer may see him; Http404 when missing or forbidden alike."""
    user: User = get_visible(User.objects.visible_to(viewer), user_id)
    return user


def can_view_full_contact(viewer: Any, subject: User) -> bool:
    """Staff contact numbers are for colleagues who coordinate work: office-level roles and the person himself."""
    scope = scope_of(viewer)
    if scope.everything or viewer.pk == subject.pk:
        return True
    office_roles = FULL_PII_ROLES | LEADER_ROLES
    return bool(scope.roles & office_roles - {Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF})


def has_role(user: Any, *roles: str) -> bool:
    scope = scope_of(user)
    return scope.everything or bool(scope.roles & set(roles))
