from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest

from jiedao.accounts.models import User
from jiedao.audit.models import AuditEvent
from jiedao.core.scope import q_code_within, scope_of


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "username", "action", "object_type", "object_id", "field", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id"]
    date_hierarchy = "at"

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
