from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jiedao.accounts.models import RoleAssignment, User
from jiedao.core.admin import ScopedAdmin
from jiedao.core.masking import mask_phone


class RoleAssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["place", "unit"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field.queryset, "within"):
            field.queryset = field.queryset.within(request.user)
        elif field is not None and hasattr(field.queryset, "visible_to"):
            field.queryset = field.queryset.visible_to(request.user)
        return field


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):  # type: ignore[misc]
    list_display = ["username", "full_name", "masked_phone", "title", "is_active", "last_login"]
    search_fields = ["username", "full_name"]
    list_filter = ["is_active", "role_assignments__role"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone", "title", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    superuser_fieldsets = (
        (_("Permissions"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
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
