"""Reports in the admin: every report asked for, by whom or by the schedule, its progress, files and error.

Read only: reports are asked for on the reports page (or by the schedule) and written by the worker; the admin is
where an administrator finds the ones that failed and why.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jiedao.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = ("kind", "period_name", "place", "status", "progress", "scheduled", "requested_by", "created_at")
    list_filter = ("kind", "status", "scheduled")
    search_fields = ("period_name", "place__name", "error")
    date_hierarchy = "created_at"
    list_select_related = ("place", "requested_by")
    # scope_code is the place's prefix copied for indexing: the place is shown instead.
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "scope_code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the files stay with their row; the list is the history of what was sent to the leaders
