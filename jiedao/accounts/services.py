"""Writes on users and roles; every one is atomic and audited."""

from __future__ import annotations

import functools
import operator
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.accounts.permissions import can_view_full_contact
from jiedao.audit.choices import AuditAction
from jiedao.audit.services import audit_record
from jiedao.core.errors import ActionForbidden
from jiedao.places.models import Place
from jiedao.units.models import Unit

# The Django group that carries the admin-site model permissions of an office administrator.
ADMIN_GROUP = "office-administrators"


# What an office administrator may do in the admin site; rows stay limited to his office by the admin classes.
ADMIN_PERMISSIONS = {
    "places": ("place", "building", "entrance", "house"),
    "units": ("unit",),
    "accounts": ("user", "roleassignment"),
    # The office's order sources and webhook subscriptions (rows limited to the office by their admin pages).
    "integrations": ("source", "webhooksubscription", "webhookdelivery"),
}


def ensure_admin_group() -> Group:
    """Create or refresh the office-administrator group with its model permissions."""
    group, _created = Group.objects.get_or_create(name=ADMIN_GROUP)
    wanted = Permission.objects.filter(
        functools.reduce(
            operator.or_,
            (
                Q(content_type__app_label=app, content_type__model__in=models)
                for app, models in ADMIN_PERMISSIONS.items()
            ),
        )
    )
    audit_view = Permission.objects.filter(content_type__app_label="audit", codename="view_auditevent")
    group.permissions.set(list(wanted) + list(audit_view))
    return group


@transaction.atomic
def role_grant(
    *, user: User, role: Role | str, place: Place | None = None, unit: Unit | None = None, actor: Any = None
) -> RoleAssignment:
    """Give `user` the role at `place` (or `unit`); raise ValidationError when the binding does not fit the role.

    Granting the admin role also lets the user into the admin site with the office-administrator permissions.
    Repeating a grant changes nothing.
    """
    existing = RoleAssignment.objects.filter(user=user, role=role, place=place, unit=unit).first()
    if existing is not None:
        return existing
    assignment = RoleAssignment(user=user, role=role, place=place, unit=unit)
    assignment.full_clean()
    assignment.save()
    if role == Role.ADMIN:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(ensure_admin_group())
    audit_record(
        action=AuditAction.ROLE_GRANTED,
        actor=actor,
        obj=user,
        scope_code=place.prefix if place else "",
        detail={"role": str(role), "place": place and place.code, "unit": unit and unit.pk},
    )
    user.__dict__.pop("_jiedao_scope", None)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: Any = None) -> None:
    """Remove a role; the last admin role also removes admin-site access."""
    user = assignment.user
    detail = {"role": assignment.role, "place": assignment.place and assignment.place.code, "unit": assignment.unit_id}
    assignment.delete()
    if detail["role"] == Role.ADMIN and not user.role_assignments.filter(role=Role.ADMIN).exists():
        user.is_staff = user.is_superuser
        user.save(update_fields=["is_staff"])
        user.groups.remove(*Group.objects.filter(name=ADMIN_GROUP))
    audit_record(action=AuditAction.ROLE_REVOKED, actor=actor, obj=user, detail=detail)


def user_contact_reveal(*, viewer: Any, subject: User, request: HttpRequest | None = None) -> str:
    """Return the subject's full phone number and record the view; raise ActionForbidden when not allowed."""
    if not can_view_full_contact(viewer, subject):
        raise ActionForbidden("viewer may not see the full phone number")
    audit_record(action=AuditAction.PII_VIEW, actor=viewer, request=request, obj=subject, field="phone")
    return subject.phone
