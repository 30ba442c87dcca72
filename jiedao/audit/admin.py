from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jiedao.accounts.models import User
from jiedao.audit.models import AuditEvent
from jiedao.core.scope import q_code_within, scope_of


def type_name(label: str) -> str:
    """The model's Chinese name for an object type stored as its label ("accounts.user" → 用户); the label itself
    when the model is gone (rows outlive code)."""
    if not label:
        return "-"
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


# Recorded names that stand for several fields at once.
FIELD_GROUPS = {"reporter": _("reporter's name and phone")}


def field_name(label: str, field: str) -> str:
    """The Chinese name of what was seen: a field of the object's model ("phone" of a user → 手机号), a group of
    fields ("reporter"), or the name as stored."""
    if not field:
        return "-"
    if field in FIELD_GROUPS:
        return str(FIELD_GROUPS[field])
    try:
        return str(apps.get_model(label)._meta.get_field(field).verbose_name)
    except (LookupError, ValueError, AttributeError):
        return field


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        labels = model_admin.get_queryset(request).exclude(object_type="").values_list("object_type", flat=True)
        return sorted(((label, type_name(label)) for label in labels.distinct().order_by()), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "username", "action", "object_type_name", "object_id", "field_name", "ip"]
    list_filter = ["action", ObjectTypeFilter]
    search_fields = ["username", "object_id"]
    date_hierarchy = "at"

    @admin.display(description=_("object type"), ordering="object_type")
    def object_type_name(self, event: AuditEvent) -> str:
        return type_name(event.object_type)

    @admin.display(description=_("field"), ordering="field")
    def field_name(self, event: AuditEvent) -> str:
        return field_name(event.object_type, event.field)

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        scope = scope_of(request.user)
        if scope.everything:
            return qs
        # An office administrator audits what happened in his office and what its own people did.
        people = User.objects.visible_to(request.user).values("pk")
        return qs.filter(q_code_within("scope_code", scope.prefixes_for("admin")) | Q(actor__in=people))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
