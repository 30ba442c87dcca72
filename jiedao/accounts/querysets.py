from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q

from jiedao.core.scope import ancestor_prefixes, q_code_within, scope_of

if TYPE_CHECKING:
    from jiedao.accounts.models import RoleAssignment, User  # noqa: F401


def _assignment_q(user: Any, prefix: str = "") -> Q:
    """Assignments inside the user's places, or to units of the offices he works in."""
    scope = scope_of(user)
    offices = scope.office_prefixes
    above = sorted({a for p in offices for a in ancestor_prefixes(p)})
    place_q = q_code_within(f"{prefix}place__prefix", scope.place_prefixes)
    unit_q = Q(**{f"{prefix}unit_id__in": sorted(scope.unit_ids)})
    if scope.roles - {"grid_worker", "grid_leader", "unit_handler"}:
        # Office-level and community-level staff see the handlers of their office's units.
        unit_q |= q_code_within(f"{prefix}unit__office__prefix", offices) | Q(
            **{f"{prefix}unit__office__prefix__in": above}
        )
    return place_q | unit_q


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: Any) -> UserQuerySet:
        """Users holding a role inside the viewer's places or in the units he sees; and himself."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.is_empty:
            return self.filter(pk=getattr(user, "pk", None) or 0)
        assignments = apps.get_model("accounts", "RoleAssignment").objects
        ids = assignments.filter(_assignment_q(user)).values("user_id")
        # Administrators also see the accounts of their office that hold no role yet.
        managed = q_code_within("office__prefix", scope.prefixes_for("admin"))
        return self.filter(Q(pk__in=ids) | Q(pk=user.pk) | managed)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def visible_to(self, user: Any) -> RoleAssignmentQuerySet:
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(_assignment_q(user) | Q(user_id=getattr(user, "pk", None) or 0))
