"""Users, the roles they hold (each bound to a place or a unit), and login attempts for lockout."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiedao.accounts.choices import ROLE_LEVELS, Role
from jiedao.accounts.querysets import RoleAssignmentQuerySet, UserManager
from jiedao.core.fields import EncryptedCharField
from jiedao.core.scope import Scope


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = EncryptedCharField(_("mobile phone"), blank=True, default="")
    title = models.CharField(_("job title"), max_length=50, blank=True)
    # The office (or district) whose administrators manage this account, even before it holds a role.
    office = models.ForeignKey(
        "places.Place",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": ["district", "subdistrict"]},
    )

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def compute_scope(self) -> Scope:
        """Build the scope from the role assignments (one query); use jiedao.core.scope.scope_of to cache it."""
        role_places: set[tuple[str, str]] = set()
        unit_ids: set[int] = set()
        unit_places: set[str] = set()
        offices: set[str] = set()
        assignments = self.role_assignments.select_related("place", "unit__office").prefetch_related("unit__serves")
        for assignment in assignments:
            if assignment.place is not None:
                role_places.add((assignment.role, assignment.place.prefix))
                offices.add(assignment.place.prefix[:9])
            elif assignment.unit is not None:
                unit_ids.add(assignment.unit.pk)
                unit_places.update(assignment.unit.served_prefixes())
                offices.add(assignment.unit.office.prefix[:9])
        return Scope(
            roles=frozenset(role for role, _prefix in role_places)
            | (frozenset({Role.UNIT_HANDLER.value}) if unit_ids else frozenset()),
            place_prefixes=frozenset(prefix for _role, prefix in role_places),
            unit_ids=frozenset(unit_ids),
            unit_place_prefixes=frozenset(unit_places),
            office_prefixes=frozenset(offices),
            role_places=frozenset(role_places),
        )


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="handlers"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.UNIT_HANDLER) & Q(unit__isnull=False) & Q(place__isnull=True))
                | (~Q(role=Role.UNIT_HANDLER) & Q(place__isnull=False) & Q(unit__isnull=True)),
                name="role_bound_to_place_or_unit",
            ),
            models.UniqueConstraint(fields=["user", "role", "place"], name="role_unique_per_place"),
            models.UniqueConstraint(fields=["user", "role", "unit"], name="role_unique_per_unit"),
        ]

    def __str__(self) -> str:
        where = self.place or self.unit
        return f"{self.get_role_display()} · {where}"

    def clean(self) -> None:
        if self.role == Role.UNIT_HANDLER:
            if self.unit is None or self.place is not None:
                raise ValidationError({"unit": _("A unit handler is bound to a unit, not a place.")})
            return
        if self.place is None or self.unit is not None:
            raise ValidationError({"place": _("This role is bound to a place, not a unit.")})
        allowed = ROLE_LEVELS[self.role]
        if self.place.level not in allowed:
            raise ValidationError({"place": _("This role cannot be bound to a place of this level.")})


class LoginAttempt(models.Model):
    """One login try, kept for lockout decisions; purged after the lockout window by the worker."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
        indexes = [models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.succeeded else 'failed'}"
