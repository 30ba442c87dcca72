from django.contrib import admin

from jiedao.core.admin import ScopedAdmin
from jiedao.units.models import Unit


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "sector", "office", "phone", "is_active"]
    list_filter = ["kind", "sector", "is_active"]
    search_fields = ["name", "short_name"]
    list_select_related = ["office"]
    filter_horizontal = ["serves"]
