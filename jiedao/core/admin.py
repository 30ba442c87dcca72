"""Admin classes that apply the same scoping as every other screen to non-superusers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows come from the model's `visible_to(user)`; foreign-key choices too, when the target has it."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        visible = getattr(qs, "visible_to", None)
        return visible(request.user) if visible is not None else qs

    def _limit(self, request: HttpRequest, queryset: QuerySet[Any] | None) -> QuerySet[Any] | None:
        if queryset is None:
            return None
        visible = getattr(queryset, "visible_to", None)
        return visible(request.user) if visible is not None else queryset

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._limit(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._limit(request, field.queryset)
        return field

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
