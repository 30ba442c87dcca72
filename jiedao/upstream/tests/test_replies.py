"""The replies due upstream (回单): one row per 12345 order replied to or closed in the period, in the platform's
words; only the cases the reader sees; by period or by numbers; the page's download and the command."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, Satisfaction
from jiedao.cases.models import Case
from jiedao.upstream.replies import HEADERS
from jiedao.upstream.tests.conftest import at

REPLIES = reverse("upstream:replies")


def _register(actor, number, **values):
    fields = {
        "channel": Channel.HOTLINE_12345,
        "request_type": RequestType.HELP,
        "title": "路灯不亮",
        "content": "小区路灯不亮。",
        "reporter_phone": "13800138000",
        "upstream_number": number,
        "received_at": at(2026, 11, 16, 9, 0),
    }
    fields.update(values)
    return services.case_register(actor=actor, **fields)


@pytest.fixture
def history(world, now, dispatcher, unit_handler):
    """GD-1 closed satisfied on 11-18; GD-2 answered at once on 11-17 (no callback yet); GD-3 still dispatched;
    a phone case closed in the period; GD-9 of the other office closed in the period."""
    from conftest import _persona

    far = _persona("far_dispatcher", "dispatcher", place=world.other_office)
    now.moment = at(2026, 11, 16, 9, 30)
    one = _register(dispatcher, "GD-1", place=world.grid_a1)
    services.case_dispatch(case_id=one.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    services.case_sign(case_id=one.pk, actor=unit_handler)
    now.moment = at(2026, 11, 17, 10, 0)
    services.case_reply(case_id=one.pk, actor=unit_handler, result_text="已更换灯泡")
    two = _register(dispatcher, "GD-2", place=world.community_a, reporter_phone="")
    services.case_answer(case_id=two.pk, actor=dispatcher, result_text="按政策答复")
    three = _register(dispatcher, "GD-3", place=world.community_b)
    services.case_dispatch(case_id=three.pk, actor=dispatcher, unit_id=world.unit_urban.pk)
    phone = _register(dispatcher, "", channel=Channel.PHONE, place=world.community_a, reporter_phone="")
    services.case_answer(case_id=phone.pk, actor=dispatcher, result_text="电话答复")
    nine = _register(far, "GD-9", place=world.community_c, reporter_phone="")
    services.case_answer(case_id=nine.pk, actor=far, result_text="乙街道答复")
    now.moment = at(2026, 11, 18, 15, 0)
    services.case_verify(case_id=one.pk, actor=dispatcher, passed=True)
    services.case_callback(
        case_id=one.pk,
        actor=dispatcher,
        process_satisfaction=Satisfaction.SATISFIED,
        result_satisfaction=Satisfaction.BASICALLY,
        resolved=True,
    )
    now.moment = at(2026, 11, 25, 10, 0)
    return {case.upstream_number: case for case in Case.objects.all() if case.upstream_number}


def _rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_the_period_export_holds_one_row_per_order_in_the_platforms_words(client, history, dispatcher):
    client.force_login(dispatcher)
    response = client.get(REPLIES, {"start": "2026-11-16", "end": "2026-11-22"})
    assert response.status_code == 200
    rows = _rows(response.content)
    assert rows[0] == HEADERS
    by_number = {row[0]: row for row in rows[1:]}
    assert sorted(by_number) == ["GD-1", "GD-2"]  # not the open GD-3, the phone case or the other office's GD-9
    one = dict(zip(HEADERS, by_number["GD-1"], strict=True))
    assert one["办理结果"] == "已更换灯泡"
    assert one["承办单位"] == "A物业"
    assert one["受理时间"] == dt.datetime(2026, 11, 16, 9, 0)
    assert one["派单时间"] == dt.datetime(2026, 11, 16, 9, 30)
    assert one["答复时间"] == dt.datetime(2026, 11, 17, 10, 0)
    assert one["办结时间"] == dt.datetime(2026, 11, 18, 15, 0)
    assert (one["回访时间"], one["回访结果"], one["是否解决"]) == (dt.datetime(2026, 11, 18, 15, 0), "基本满意", "是")
    two = dict(zip(HEADERS, by_number["GD-2"], strict=True))
    assert (two["办理结果"], two["承办单位"], two["回访结果"], two["是否解决"]) == ("按政策答复", None, None, None)


def test_a_period_without_replies_and_a_selection_by_numbers(client, history, dispatcher):
    client.force_login(dispatcher)
    rows = _rows(client.get(REPLIES, {"start": "2026-11-19", "end": "2026-11-22"}).content)
    assert rows == [HEADERS]
    chosen = f"GD-3, {history['GD-1'].number}\nGD-9"
    rows = _rows(client.get(REPLIES, {"numbers": chosen}).content)
    assert sorted(row[0] for row in rows[1:]) == ["GD-1", "GD-3"]  # GD-9 is not his to see


def test_the_export_is_for_importers_and_checks_its_form(client, history, dispatcher, unit_handler):
    client.force_login(unit_handler)
    assert client.get(REPLIES, {"start": "2026-11-16", "end": "2026-11-22"}).status_code == 404
    client.force_login(dispatcher)
    assert client.get(REPLIES, {"start": "2026-11-22", "end": "2026-11-16"}).status_code == 400
    assert client.get(REPLIES, {}).status_code == 400


def test_the_command_writes_the_replies_of_a_period(history, tmp_path, world, dispatcher):
    out = tmp_path / "replies.xlsx"
    call_command("export_12345_replies", "--from", "2026-11-16", "--to", "2026-11-22", "--out", str(out))
    assert sorted(row[0] for row in _rows(out.read_bytes())[1:]) == ["GD-1", "GD-2", "GD-9"]
    args = ["--from", "2026-11-16", "--to", "2026-11-22", "--out", str(out)]
    call_command("export_12345_replies", *args, "--office", world.other_office.code)
    assert [row[0] for row in _rows(out.read_bytes())[1:]] == ["GD-9"]
    call_command("export_12345_replies", *args, "--user", dispatcher.username)
    assert sorted(row[0] for row in _rows(out.read_bytes())[1:]) == ["GD-1", "GD-2"]
    with pytest.raises(CommandError, match="before"):
        call_command("export_12345_replies", "--from", "2026-11-22", "--to", "2026-11-16", "--out", str(out))
