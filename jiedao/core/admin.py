"""Admin classes that apply the same scoping as every other screen to non-superusers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext as _

# How many of the rows that keep an object from being deleted the confirmation page names, per kind of row.
PROTECTED_SHOWN = 10


def protected_rows(objs: Any, limit: int = PROTECTED_SHOWN) -> list[str]:
    """The rows that refer to `objs` and forbid their deletion (PROTECT, RESTRICT), named up to `limit` per kind.

    Django's own confirmation collects and lists every such row: refusing to delete a place with 100,000 cases
    took 24 s and a page of 100,000 links. Counted here with one query per kind of row."""
    objs = list(objs)
    if not objs:
        return []
    found: list[str] = []
    for relation in type(objs[0])._meta.get_fields(include_hidden=True):  # related_name="+" protects too
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        if relation.on_delete not in (models.PROTECT, models.RESTRICT):
            continue
        related = relation.related_model
        rows = related._base_manager.filter(**{f"{relation.field.name}__in": objs}).order_by("pk")
        total = rows.count()
        if not total:
            continue
        name = capfirst(related._meta.verbose_name)
        found += [f"{name}: {row}" for row in rows.select_related()[:limit]]  # its name may use its foreign keys
        if total > limit:
            found.append(
                _("%(name)s: %(count)d more (%(total)d in all)")
                % {"name": name, "count": total - limit, "total": total}
            )
    return found


class ProtectedFirstAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Refuses a deletion that protected rows forbid by counting them first, instead of collecting them all."""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, ...]:
        protected = protected_rows(objs)
        if protected:
            return [], {}, set(), protected
        return super().get_deleted_objects(objs, request)


class ScopedAdmin(ProtectedFirstAdmin):
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
