"""The upload form and the error download of the places import page in the admin (PlaceAdmin.import_view).

The errors of the last failed upload are kept in the session, not re-validated from a re-uploaded file: the
download then holds exactly the table the user saw, and the file never has to be sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from jiedao.places.imports import EXCEL_SUFFIXES, GEOJSON_SUFFIXES
from jiedao.places.imports_excel import errors_workbook
from jiedao.places.imports_rows import RowError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SESSION_KEY = "places_import_errors"
# The session lives in the database; a file with more errors than this is far from ready anyway.
MAX_KEPT_ERRORS = 20_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlacesImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "An Excel workbook (.xlsx) with sheets named 区县, 街道, 社区, 网格, 楼栋, or GeoJSON (.geojson, .json); "
            "at most 20 MB."
        ),
    )

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in EXCEL_SUFFIXES | GEOJSON_SUFFIXES:
            raise forms.ValidationError(_("Upload an .xlsx, .geojson or .json file."), code="extension")
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."), code="size")
        return upload


def remember_errors(session: SessionBase, errors: Sequence[RowError]) -> None:
    session[SESSION_KEY] = [[e.sheet, e.row, e.column, e.message, e.code] for e in errors[:MAX_KEPT_ERRORS]]


def forget_errors(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def remembered_errors(session: SessionBase) -> list[RowError]:
    stored: Any = session.get(SESSION_KEY) or []
    return [RowError(*values) for values in stored]


def errors_download(errors: Sequence[RowError]) -> HttpResponse:
    response = HttpResponse(errors_workbook(errors), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="import-errors.xlsx"'
    return response
