from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jiedao.core.admin import ScopedAdmin
from jiedao.places import geo
from jiedao.places.models import Building, Entrance, House, Place


@admin.register(Place)
class PlaceAdmin(ScopedAdmin):
    list_display = ["name", "code", "level", "kind", "parent", "households"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    change_list_template = "admin/places/place/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Administrators change what lies inside their office, not the ancestors shown elsewhere for context.
        return Place.objects.within(request.user).select_related("parent")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        geo.invalidate()


class EntranceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Entrance
    extra = 0


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ["name", "number", "grid", "address", "floors"]
    search_fields = ["name", "address", "scope_code"]
    list_select_related = ["grid"]
    autocomplete_fields = ["grid"]
    inlines = [EntranceInline]


@admin.register(House)
class HouseAdmin(ScopedAdmin):
    list_display = ["__str__", "floor", "area", "use"]
    list_filter = ["use"]
    search_fields = ["number", "scope_code"]
    list_select_related = ["entrance__building"]
    raw_id_fields = ["entrance"]
