"""Triage in the admin: the models with their evaluations, and the suggestions' accuracy in production."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from jiedao.triage import selectors
from jiedao.triage.models import Suggestion, TriageModel


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin[TriageModel]):
    list_display = (
        "kind",
        "version",
        "status",
        "trained_at",
        "examples",
        "classes",
        "heldout",
        "macro_f1_shown",
        "accuracy_shown",
        "previous_shown",
    )
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in TriageModel._meta.fields if f.name != "id"]

    @admin.display(description=_("macro-F1"), ordering="macro_f1")
    def macro_f1_shown(self, obj: TriageModel) -> str:
        return f"{obj.macro_f1:.4f}"

    @admin.display(description=_("accuracy"), ordering="accuracy")
    def accuracy_shown(self, obj: TriageModel) -> str:
        return f"{obj.accuracy:.4f}"

    @admin.display(description=_("macro-F1 of the model in use"))
    def previous_shown(self, obj: TriageModel) -> str:
        return "—" if obj.previous_macro_f1 is None else f"{obj.previous_macro_f1:.4f}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # models come from training (`jiedao triage train` or the weekly job), not from a form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin[Suggestion]):
    """The list of suggestions, headed by the accepted share in all and by the category (or unit) chosen."""

    list_display = ("case", "kind", "chosen", "accepted", "in_top3", "actor", "at")
    list_filter = ("kind", "accepted", "in_top3")
    readonly_fields = [f.name for f in Suggestion._meta.fields]
    change_list_template = "triage/admin_suggestions.html"
    list_select_related = ("case", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        category_total, category_rows = selectors.acceptance("category")
        unit_total, unit_rows = selectors.acceptance("unit")
        context = {
            **(extra_context or {}),
            "acceptance": [
                (_("Categories"), category_total, category_rows),
                (_("Handling units"), unit_total, unit_rows),
            ],
        }
        return super().changelist_view(request, context)  # type: ignore[return-value]
