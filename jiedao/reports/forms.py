"""The form that asks for a report and the one that edits the office's comments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiedao.places.models import Place
from jiedao.reports.choices import Format, ReportKind
from jiedao.reports.periods import PeriodError, parse_period


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of report"), choices=ReportKind.choices)
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=10,
        help_text=gettext_lazy("A week 2026-W47, a month 2026-11, a quarter 2026-Q3 or a year 2026."),
    )
    place = forms.ModelChoiceField(
        label=gettext_lazy("Office or community"), queryset=Place.objects.none(), empty_label=None
    )
    formats = forms.MultipleChoiceField(
        label=gettext_lazy("Formats"),
        choices=Format.choices,
        initial=list(Format.values),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, text = data.get("kind"), data.get("period")
        if kind and text:
            try:
                data["report_period"] = parse_period(kind, text)
            except PeriodError:
                example = {"weekly": "2026-W47", "monthly": "2026-11", "quarterly": "2026-Q3", "annual": "2026"}[kind]
                self.add_error(
                    "period",
                    _("%(kind)s needs a period like %(example)s.")
                    % {"kind": ReportKind(kind).label, "example": example},
                )
        return data


class CommentsForm(forms.Form):
    comments = forms.CharField(
        label=gettext_lazy("The office's comments"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
