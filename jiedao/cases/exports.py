"""Excel (.xlsx) export of a case list, with the filters of the screen applied."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from jiedao.cases.deadlines import Light
from jiedao.cases.models import Case

# Excel treats a leading =, +, - or @ as a formula: user text is always written as text.
FORMULA_START = ("=", "+", "-", "@")


def _text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def cases_workbook(cases: Iterable[Case], *, title: str, filters: str) -> bytes:
    """One sheet: a line naming the filters, the header, then one row per case (reporter data masked)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([_("Filters"), filters])
    headers = [
        _("Case number"),
        _("Title"),
        _("Channel"),
        _("Request type"),
        _("Urgency"),
        _("State"),
        _("Category"),
        _("Community"),
        _("Grid"),
        _("Main unit"),
        _("Received at"),
        _("Finishing deadline"),
        _("Time"),
        _("Closed at"),
    ]
    sheet.append(headers)
    for case in cases:
        sheet.append(
            [
                _text(v)
                for v in [
                    case.number,
                    case.title,
                    case.get_channel_display(),
                    case.get_request_type_display(),
                    case.get_urgency_display(),
                    case.get_state_display(),
                    case.category.name if case.category else "",
                    case.community.name if case.community else "",
                    case.grid.name if case.grid else "",
                    case.main_unit.name if case.main_unit else "",
                    _local(case.received_at),
                    _local(case.finish_deadline),
                    str(Light(getattr(case, "light", Light.NONE)).label),
                    _local(case.closed_at),
                ]
            ]
        )
    for index, width in enumerate([16, 40, 12, 10, 8, 14, 16, 14, 18, 18, 18, 18, 8, 18], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row[10:12] + row[13:14]:
            cell.number_format = "yyyy-mm-dd hh:mm"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
