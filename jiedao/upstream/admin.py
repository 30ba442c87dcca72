"""Column presets (deployment-wide configuration, checked on save) and the import runs (read-only, scoped)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jiedao.upstream.models import ColumnPreset, ImportRun
from jiedao.upstream.permissions import runs_visible_to


class PrettyJSONWidget(forms.Textarea):
    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return str(value)
        text: str = json.dumps(value, ensure_ascii=False, indent=2)
        return text


@admin.register(ColumnPreset)
class ColumnPresetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "is_default", "default_request_type", "default_urgency", "updated_at"]
    formfield_overrides = {
        ColumnPreset._meta.get_field("mapping").__class__: {"widget": PrettyJSONWidget(attrs={"rows": 30, "cols": 90})}
    }


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "filename", "state", "created", "updated", "unchanged", "error_count", "created_by"]
    list_filter = ["state"]
    date_hierarchy = "created_at"
    # The stored upload's name and the office prefix copied for indexing say nothing an administrator needs.
    exclude = ["source", "scope_code"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportRun]:
        return runs_visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
