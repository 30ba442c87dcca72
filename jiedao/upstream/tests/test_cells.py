"""Reading single cells and header rows of platform exports: noise, dates in many spellings, words, phones."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils.translation import gettext

from jiedao.cases.choices import RequestType, Urgency
from jiedao.upstream import cells
from jiedao.upstream.columns import DEFAULT_DATE_FORMATS, DEFAULT_HEADERS
from jiedao.upstream.reading import read_export
from jiedao.upstream.tests.conftest import SHANGHAI, workbook

FORMATS = DEFAULT_DATE_FORMATS


def test_text_loses_the_tab_runs_and_ideographic_spaces_but_keeps_paragraphs():
    raw = "\n\t\t\t\t\t\n\t\t\t\t\t\u3000\u3000第一段  内容。\n\t\t\t\t\t\u3000\u3000第二段。\n\t\t\t\t"
    assert cells.as_text(raw) == "第一段 内容。\n第二段。"


def test_text_keeps_a_very_long_message_whole():
    long = "很长的诉求内容。" * 1200  # 9,600 characters, as real messages run to
    assert cells.as_text("\n\t" + long) == long


def test_numbers_read_as_order_numbers_lose_no_digit():
    assert cells.as_upstream_number(24) == "24"
    assert cells.as_upstream_number(188006.0) == "188006"
    assert cells.as_upstream_number(" GD-2026\n0001 ") == "GD-20260001"
    with pytest.raises(cells.CellError):
        cells.as_upstream_number(1.5)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2019/2/1 10:53:47", dt.datetime(2019, 2, 1, 10, 53, 47)),
        ("2019-02-01 10:53", dt.datetime(2019, 2, 1, 10, 53)),
        ("2019年2月1日 10时53分", dt.datetime(2019, 2, 1, 10, 53)),
        ("2019年2月1日10:53:47", dt.datetime(2019, 2, 1, 10, 53, 47)),
        ("2019.2.1 8:05:00", dt.datetime(2019, 2, 1, 8, 5)),
        ("20190201105347", dt.datetime(2019, 2, 1, 10, 53, 47)),
        ("２０１９／２／１ １０：５３：４７", dt.datetime(2019, 2, 1, 10, 53, 47)),
        (dt.datetime(2019, 2, 1, 10, 53, 47), dt.datetime(2019, 2, 1, 10, 53, 47)),
        (43497.5, dt.datetime(2019, 2, 1, 12, 0)),
        ("2019/2/1", dt.datetime(2019, 2, 1, 0, 0)),
    ],
)
def test_dates_in_every_spelling_are_beijing_time(value, expected):
    assert cells.as_datetime(value, FORMATS) == expected.replace(tzinfo=SHANGHAI)


def test_a_deadline_without_a_time_is_the_end_of_that_day():
    assert cells.as_datetime("2019/2/1", FORMATS, end_of_day=True) == dt.datetime(
        2019, 2, 1, 23, 59, 59, tzinfo=SHANGHAI
    )


def test_a_preset_format_reads_day_first_dates():
    assert cells.as_datetime("01/02/2019 10:00", ["%d/%m/%Y %H:%M"]) == dt.datetime(2019, 2, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("value", ["2019/2/30 10:00", "明天上午", "12", 7])
def test_what_is_not_a_date_says_so(value):
    with pytest.raises(cells.CellError):
        cells.as_datetime(value, FORMATS)


def test_request_type_and_urgency_words():
    assert cells.as_request_type("投诉") == RequestType.COMPLAINT
    assert cells.as_request_type(" 意见建议 ") == RequestType.SUGGESTION
    assert cells.as_request_type("complaint") == RequestType.COMPLAINT
    assert cells.as_urgency("特急") == Urgency.URGENT
    assert cells.as_urgency("一般") == Urgency.NORMAL
    with pytest.raises(cells.CellError, match="咨询"):
        cells.as_request_type("其他")


def test_phones_masked_ones_are_not_kept_and_bad_ones_are_errors():
    assert cells.as_phone("138****1234") == ""
    assert cells.as_phone("13800138000/0571-88886666") == "13800138000"
    assert cells.as_phone(13800138000) == "13800138000"
    with pytest.raises(cells.CellError):
        cells.as_phone("无")


def test_the_header_is_found_below_a_title_line_whatever_its_spelling():
    headers = ["序号", "*留言编号", "留言\n主题", " 留言时间（必填） ", "留言详情", "一级标签"]
    data = workbook([[1, 24, "主题", "2020/1/6 12:09:38", "详情", "城乡建设"]], headers=headers, before=[["导出"]])
    sheet = read_export(io.BytesIO(data), DEFAULT_HEADERS)
    assert not sheet.errors
    assert {name: column for name, (_index, column) in sheet.columns.items()} == {
        "upstream_number": "*留言编号",
        "title": "留言 主题",
        "received_at": "留言时间（必填）",
        "content": "留言详情",
        "category_1": "一级标签",
    }
    assert sheet.rows == [
        (3, {"upstream_number": 24, "title": "主题", "received_at": "2020/1/6 12:09:38", "content": "详情",
             "category_1": "城乡建设"})
    ]  # fmt: skip


def test_missing_and_doubled_columns_are_errors_of_the_file():
    data = workbook([["1", "a", "b"]], headers=["工单编号", "标题", "诉求标题"])
    sheet = read_export(io.BytesIO(data), DEFAULT_HEADERS)
    messages = [(e.row, e.column, e.message) for e in sheet.errors]
    assert any(row == 1 and column == "诉求标题" and "“标题”" in message for row, column, message in messages)
    assert any(row == "" and column == "受理时间" and "来电时间" in message for row, column, message in messages)


def test_a_file_that_is_not_a_workbook_is_one_error():
    sheet = read_export(io.BytesIO(b"not a zip"), DEFAULT_HEADERS)
    assert [e.message for e in sheet.errors] == [gettext("The file is not a valid Excel workbook (.xlsx).")]
