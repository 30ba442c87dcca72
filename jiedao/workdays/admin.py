from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jiedao.workdays import calendar, services
from jiedao.workdays.models import DayOverride, WorkPeriod
from jiedao.workdays.permissions import can_change_calendar, can_view_calendar


class CalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Superusers change the calendar; office administrators (and holders of the view permission) look."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or can_view_calendar(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can_view_calendar(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_change_calendar(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can_change_calendar(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can_change_calendar(request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        calendar.invalidate()


@admin.register(DayOverride)
class DayOverrideAdmin(CalendarAdmin):
    list_display = ["date", "weekday", "is_workday", "name", "note"]
    list_filter = ["is_workday"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj: DayOverride) -> str:
        return f"{obj.date:%a}"

    def save_model(self, request: HttpRequest, obj: DayOverride, form: ModelForm[Any], change: bool) -> None:
        services.day_override_save(override=obj)

    def delete_model(self, request: HttpRequest, obj: DayOverride) -> None:
        services.day_override_delete(override=obj)


@admin.register(WorkPeriod)
class WorkPeriodAdmin(CalendarAdmin):
    list_display = ["__str__", "start", "end"]

    def save_model(self, request: HttpRequest, obj: WorkPeriod, form: ModelForm[Any], change: bool) -> None:
        services.work_period_save(period=obj)

    def delete_model(self, request: HttpRequest, obj: WorkPeriod) -> None:
        services.work_period_delete(period=obj)
