"""Export-like workbooks built here with openpyxl (never the real files), and a media folder of the test's own."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import pytest
from openpyxl import Workbook

HEADERS = ["工单编号", "诉求标题", "诉求内容", "来电人", "联系电话", "受理时间", "办理时限", "诉求类型", "所属社区"]


def workbook(rows: Sequence[Sequence[Any]], headers: Sequence[str] = HEADERS, before: Sequence[Any] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in before:
        sheet.append(list(line))
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def order(number: str, **values: Any) -> list[Any]:
    """A row in HEADERS order, with the usual noise of the exports."""
    fields = {
        "title": "小区路灯不亮",
        "content": "\n\t\t\t\t\t\n\t\t\t\t\t\u3000\u3000小区东门路灯坏了一周。\n\t\t\t\t\t请尽快修复。",
        "name": "王五",
        "phone": "13800138000",
        "received": "2026/11/16 9:05:07",
        "deadline": dt.datetime(2026, 11, 20, 17, 0),
        "type": "求助",
        "community": "A社区",
    }
    fields.update(values)
    return [number, *fields.values()]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


class FrozenClock:
    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture(autouse=True)
def now(monkeypatch: Any) -> FrozenClock:
    from jiedao.core import clock

    frozen = FrozenClock(at(2026, 11, 25, 10, 0))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


def run_import(actor: Any, data: bytes, **values: Any) -> Any:
    """Record and carry out an import at once, as the command does."""
    from jiedao.upstream import services

    run = services.import_run_create(actor=actor, source=data, filename="export.xlsx", enqueue=False, **values)
    return services.import_run_execute(run_id=run.pk)
