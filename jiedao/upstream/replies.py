"""The replies due upstream (回单): the 12345 orders replied to or closed in a period, or a chosen few, in the form
the platform takes back: one row per order with its number, result, handling unit, times and the callback."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from jiedao.cases.choices import Channel, Resolution, Satisfaction
from jiedao.cases.models import Case
from jiedao.places.models import Place
from jiedao.upstream.cells import SHANGHAI

# The platform's column names and words: data, written in Chinese whatever the language of the screens.
HEADERS = (
    "工单编号",
    "本地编号",
    "办理结果",
    "承办单位",
    "受理时间",
    "派单时间",
    "答复时间",
    "办结时间",
    "回访时间",
    "回访结果",
    "是否解决",
)
WIDTHS = (20, 16, 60, 20, 18, 18, 18, 18, 18, 10, 8)
SATISFACTION_WORDS = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}
# When a case ended without a written result, what the platform is told instead.
RESOLUTION_WORDS = {
    Resolution.NOT_ACCEPTED: "不予受理",
    Resolution.MERGED: "已并入其他工单办理",
    Resolution.VOIDED: "已作废",
}
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, the day after last 00:00) in Beijing time."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=SHANGHAI)
    return start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)


def replies_due(
    *,
    cases: QuerySet[Case],
    first: dt.date | None = None,
    last: dt.date | None = None,
    numbers: Sequence[str] = (),
    office: Place | None = None,
) -> QuerySet[Case]:
    """The 12345 orders among `cases` (already scoped to the reader) replied to or closed between `first` and `last`
    (Beijing days, both included), or those whose local or upstream number is in `numbers`; oldest reply first."""
    orders = cases.filter(channel=Channel.HOTLINE_12345).exclude(upstream_number="")
    if office is not None:
        orders = orders.filter(office=office)
    if numbers:
        wanted = sorted({n.strip() for n in numbers if n.strip()})
        orders = orders.filter(Q(upstream_number__in=wanted) | Q(number__in=wanted))
    else:
        assert first is not None and last is not None
        start, end = day_bounds(first, last)
        orders = orders.filter(
            Q(replied_at__gte=start, replied_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end)
        )
    return orders.select_related("main_unit", "merged_into").order_by("upstream_number", "id")


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(SHANGHAI).replace(tzinfo=None) if moment else None


def result_of(case: Case) -> str:
    if case.result_text:
        return case.result_text
    if case.resolution == Resolution.MERGED and case.merged_into is not None:
        return f"{RESOLUTION_WORDS[Resolution.MERGED]}（{case.merged_into.number}）"
    return RESOLUTION_WORDS.get(Resolution(case.resolution), "") if case.resolution else ""


def reply_row(case: Case) -> list[Any]:
    resolved = {True: "是", False: "否"}.get(case.callback_resolved, "") if case.callback_resolved is not None else ""
    return [
        case.upstream_number,
        case.number,
        result_of(case),
        case.main_unit.name if case.main_unit else "",
        _local(case.received_at),
        _local(case.dispatched_at),
        _local(case.replied_at or case.closed_at),
        _local(case.closed_at),
        _local(case.callback_at),
        SATISFACTION_WORDS.get(Satisfaction(case.callback_result), "") if case.callback_result else "",
        resolved,
    ]


def replies_workbook(cases: Iterable[Case]) -> bytes:
    """One sheet 回单: the header, then one row per order."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("回单")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(list(HEADERS))
    for case in cases:
        sheet.append([_cell(sheet, value) for value in reply_row(case)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, dt.datetime):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str) and value:
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell
