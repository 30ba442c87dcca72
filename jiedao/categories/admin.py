"""The category tree in the admin: deployment-wide configuration, edited by superusers, viewed by staff."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiedao.categories.choices import Level
from jiedao.categories.models import Category
from jiedao.categories.services import category_create, category_update
from jiedao.categories.snapshot import categories_changed

READONLY_ON_CHANGE = ("parent", "level", "code", "pinyin_initials", "full_pinyin", "created_at", "updated_at")


def _is_superuser(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_active", False) and getattr(request.user, "is_superuser", False))


def _is_staff(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_active", False) and getattr(request.user, "is_staff", False))


class CategoryPathChoiceField(forms.ModelChoiceField[Category]):
    """Parents shown by their path: the many "其他" nodes are told apart by where they are."""

    def label_from_instance(self, obj: Category) -> str:
        return obj.path


class CategoryAdminForm(forms.ModelForm[Category]):
    class Meta:
        model = Category
        fields = ["parent", "name", "is_active", "sort_order"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name = (cleaned.get("name") or "").strip()
        # When the parent is not on the form (a change), the model's unique constraint is not checked by it.
        if name and "parent" not in self.fields:
            siblings = Category.objects.filter(parent=self.instance.parent, name=name).exclude(pk=self.instance.pk)
            if siblings.exists():
                self.add_error("name", _("A category with this name already exists under the same parent."))
        return cleaned


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    form = CategoryAdminForm
    list_display = ["code", "indented_name", "level", "parent", "pinyin_initials", "full_pinyin", "is_active"]
    list_display_links = ["code", "indented_name"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "pinyin_initials", "full_pinyin", "^code"]
    list_select_related = ["parent"]
    ordering = ["code"]
    list_per_page = 100

    @admin.display(description=gettext_lazy("name"), ordering="code")
    def indented_name(self, obj: Category) -> SafeString:
        return format_html('<span style="padding-left: {}em">{}</span>', 2 * (obj.level - 1), obj.name)

    # Categories are deployment-wide configuration: superusers edit, other staff only look.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_superuser(request)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        if obj is None:
            return ["parent", "name", "is_active"]  # level, code and order follow from the parent
        return [*READONLY_ON_CHANGE, "name", "is_active", "sort_order"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        if not self.has_change_permission(request, obj):
            return [*READONLY_ON_CHANGE, "name", "is_active", "sort_order"]
        return list(READONLY_ON_CHANGE)

    def formfield_for_foreignkey(self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            # Only levels 1 and 2 may have children.
            kwargs["queryset"] = Category.objects.filter(level__lt=Level.THIRD).select_related("parent")
            kwargs["form_class"] = CategoryPathChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            category_update(category=obj, name=data["name"], is_active=data["is_active"], sort_order=data["sort_order"])
            return
        created = category_create(parent=data.get("parent"), name=data["name"], is_active=data["is_active"])
        # The admin goes on with `obj` (messages, log, redirect): make it the saved row.
        for model_field in Category._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(created, model_field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        super().delete_model(request, obj)
        categories_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        super().delete_queryset(request, queryset)
        categories_changed()
