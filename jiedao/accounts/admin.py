from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jiedao.accounts.models import RoleAssignment, User
from jiedao.accounts.services import role_grant, role_revoke
from jiedao.core.admin import ScopedAdmin
from jiedao.core.masking import mask_phone
from jiedao.places.models import Place
from jiedao.units.models import Unit


class RoleAssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["place", "unit"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return RoleAssignment.objects.visible_to(request.user).select_related("place", "unit")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Roles can be granted only inside the administrator's own places and units.
        if db_field.name == "place":
            kwargs["queryset"] = Place.objects.within(request.user)
        elif db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin[User]):
    list_display = ["username", "full_name", "masked_phone", "title", "is_active", "last_login"]
    search_fields = ["username", "full_name"]
    list_filter = ["is_active", "role_assignments__role"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone", "title", "email", "office")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    superuser_fieldsets = ((_("Permissions"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),)
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and getattr(request.user, "is_superuser", False):
            return tuple(fieldsets) + self.superuser_fieldsets
        return fieldsets

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone)

    def get_queryset(self, request: HttpRequest) -> Any:
        return User.objects.visible_to(request.user).distinct()

    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "office", "password1", "password2")}),)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "office":
            kwargs["queryset"] = Place.objects.within(request.user).filter(level__in=["district", "subdistrict"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Role changes go through the role services, so they are validated, audited and grant admin access."""
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        instances = formset.save(commit=False)
        for assignment in formset.deleted_objects:
            role_revoke(assignment=assignment, actor=request.user)
        for assignment in instances:
            if assignment.pk is not None:
                previous = RoleAssignment.objects.get(pk=assignment.pk)
                role_revoke(assignment=previous, actor=request.user)
            role_grant(
                user=form.instance,
                role=assignment.role,
                place=assignment.place,
                unit=assignment.unit,
                actor=request.user,
            )
