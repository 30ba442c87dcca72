from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from jiedao.core.admin import ScopedAdmin
from jiedao.places import geo
from jiedao.places.imports import PlacesImportInvalid, places_import
from jiedao.places.imports_admin import (
    PlacesImportForm,
    errors_download,
    forget_errors,
    remember_errors,
    remembered_errors,
)
from jiedao.places.imports_rows import RowError
from jiedao.places.models import Building, Entrance, House, Place

# The import page shows this many errors; the .xlsx download holds them all.
SHOWN_IMPORT_ERRORS = 500


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

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="places_place_import"),
            path("import/errors.xlsx", view(self.import_errors_view), name="places_place_import_errors"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a workbook or GeoJSON; show every error, or import all of it and go back to the list."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PlacesImportForm(request.POST or None, request.FILES or None)
        errors: list[RowError] = []
        summary = ""
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # Non-superusers are limited to their area inside the service, as on the command line.
                report = places_import(source=upload.read(), filename=upload.name, actor=request.user, request=request)
            except PlacesImportInvalid as exc:
                errors, summary = exc.errors, exc.message
                remember_errors(request.session, errors)
            else:
                forget_errors(request.session)
                self.message_user(request, report.summary(), messages.SUCCESS)
                return redirect("admin:places_place_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import places"),
            "form": form,
            "errors": errors[:SHOWN_IMPORT_ERRORS],
            "error_count": len(errors),
            "error_summary": summary,
        }
        return TemplateResponse(request, "admin/places/place/import.html", context)

    def import_errors_view(self, request: HttpRequest) -> HttpResponse:
        """The errors of the last failed import, as an .xlsx file."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        errors = remembered_errors(request.session)
        if not errors:
            self.message_user(request, _("There are no import errors to download."), messages.WARNING)
            return redirect("admin:places_place_import")
        return errors_download(errors)


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
