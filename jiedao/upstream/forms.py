"""The upload form of the 12345 import and the period form of the replies export."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jiedao.places.models import Place
from jiedao.upstream.models import ColumnPreset

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_NUMBERS = 5000


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Export file"), help_text=_("The platform's Excel export (.xlsx), at most 50 MB."))
    preset = forms.ModelChoiceField(
        label=_("Column preset"), queryset=ColumnPreset.objects.all(), required=False, empty_label=_("The default")
    )
    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=Place.objects.none(),
        required=False,
        help_text=_("Leave empty when the file has a 所属街道 column."),
    )

    def __init__(self, *args: Any, offices: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office_field = self.fields["office"]
        assert isinstance(office_field, forms.ModelChoiceField)
        office_field.queryset = offices
        if offices.count() == 1:
            office_field.initial = offices.first()
            office_field.empty_label = None  # his only office; the service takes it when none is posted

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() != ".xlsx":
            raise forms.ValidationError(_("Upload the platform's Excel export (.xlsx)."), code="extension")
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."), code="size")
        return upload


class RepliesForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=Place.objects.none(), required=False, empty_label=_("All my offices")
    )
    numbers = forms.CharField(
        label=_("Or these orders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Upstream or local case numbers, separated by spaces, commas or lines; the period is then ignored."
        ),
    )

    def __init__(self, *args: Any, offices: QuerySet[Place], **kwargs: Any) -> None:
        # It shares the page with the import form, whose fields have the same names: ids of its own, so each label
        # points at its own control.
        kwargs.setdefault("auto_id", "replies_%s")
        super().__init__(*args, **kwargs)
        office_field = self.fields["office"]
        assert isinstance(office_field, forms.ModelChoiceField)
        office_field.queryset = offices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        numbers = [n for n in re.split(r"[\s,，;；、]+", data.get("numbers") or "") if n]
        if len(numbers) > MAX_NUMBERS:
            raise forms.ValidationError(_("At most %(n)d numbers at a time.") % {"n": MAX_NUMBERS})
        data["number_list"] = numbers
        start: dt.date | None = data.get("start")
        end: dt.date | None = data.get("end")
        if not numbers:
            if start is None or end is None:
                raise forms.ValidationError(_("Give the first and the last day, or the numbers of the orders."))
            if start > end:
                self.add_error("end", _("The last day is before the first."))
            elif (end - start).days > 366:
                self.add_error("end", _("At most a year at a time."))
        return data
