"""The import as a whole: all rows or none, idempotent by upstream number, updates the upstream may make, the
places and categories found, repeated rows, scope and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest

from jiedao.audit.models import AuditEvent
from jiedao.cases import services as case_services
from jiedao.cases.choices import Channel, RequestType, State
from jiedao.cases.models import Case, CaseEvent
from jiedao.cases.services import intake
from jiedao.categories.services import category_create
from jiedao.upstream import services
from jiedao.upstream.choices import RunState
from jiedao.upstream.services import UPSTREAM_UPDATE, ImportRefused
from jiedao.upstream.tests.conftest import HEADERS, at, order, run_import, workbook


def test_an_export_with_real_headers_and_noise_registers_every_order(world, dispatcher):
    # Given the headers and noise of a message-board export, a category column and a very long text
    lamps = category_create(parent=None, name="城乡建设")
    long = "小区噪音扰民，" * 1300
    headers = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级分类"]
    rows = [
        [
            24,
            "A00074011",
            "占道施工有安全隐患",
            "2020/1/6 12:09:38",
            "\n\t\t\t\t\t\n\t\t\t\t\t\u3000\u3000便道被圈。",
            "城乡建设",
        ],
        [37, "A000107866", "大厦烂尾多年", dt.datetime(2020, 1, 4, 11, 17, 46), "\n\t\t" + long, "不存在的分类"],
    ]
    # When the dispatcher of office 甲 imports it
    run = run_import(dispatcher, workbook(rows, headers=headers))
    # Then both are 12345 cases of his office, texts cleaned, the category found where the tree has it
    assert (run.state, run.created, run.updated, run.unchanged, run.rows) == (RunState.DONE, 2, 0, 0, 2)
    first, second = Case.objects.order_by("upstream_number")
    assert (first.upstream_number, first.channel, first.office, first.scope_code) == (
        "24",
        Channel.HOTLINE_12345,
        world.office,
        world.office.prefix,
    )
    assert first.content == "便道被圈。"
    assert first.reporter_name == "A00074011"
    assert first.received_at == at(2020, 1, 6, 12, 9, 38)
    assert first.category == lamps
    assert second.category is None
    assert second.content == long.strip()
    assert second.received_at == at(2020, 1, 4, 11, 17, 46)
    assert second.events.get().action == "register"


def test_community_and_type_columns_place_and_classify_the_case(world, dispatcher):
    run = run_import(dispatcher, workbook([order("GD1", community="A", type="投诉"), order("GD2", community="B社区")]))
    assert run.state == RunState.DONE
    one, two = Case.objects.order_by("upstream_number")
    assert (one.community, one.scope_code, one.request_type) == (world.community_a, world.community_a.code, "complaint")
    assert two.community == world.community_b
    assert one.upstream_deadline == at(2026, 11, 20, 17, 0)
    assert one.reporter_phone == "13800138000"


def test_importing_the_same_file_again_registers_nothing_new(world, dispatcher):
    data = workbook([order("GD1"), order("GD2"), order("GD3")])
    run_import(dispatcher, data)
    events = CaseEvent.objects.count()
    again = run_import(dispatcher, data)
    assert (again.state, again.created, again.updated, again.unchanged) == (RunState.DONE, 0, 0, 3)
    assert Case.objects.count() == 3
    assert CaseEvent.objects.count() == events


def test_a_new_deadline_and_texts_update_a_case_still_at_registration(world, dispatcher):
    run_import(dispatcher, workbook([order("GD1")]))
    case = Case.objects.get()
    changed = order("GD1", title="小区路灯全部不亮", deadline=dt.datetime(2026, 11, 19, 12, 0), type="投诉")
    run = run_import(dispatcher, workbook([changed]))
    assert (run.created, run.updated, run.unchanged) == (0, 1, 0)
    case.refresh_from_db()
    assert (case.title, case.request_type, case.upstream_deadline) == (
        "小区路灯全部不亮",
        RequestType.COMPLAINT,
        at(2026, 11, 19, 12, 0),
    )
    update = case.events.get(action=UPSTREAM_UPDATE)
    assert update.actor == dispatcher
    assert update.data["fields"] == ["request_type", "title", "upstream_deadline"]
    assert update.data["before"]["title"] == "小区路灯不亮"
    assert update.data["import_run"] == run.pk
    assert case.version == 1


def test_after_acceptance_only_the_deadline_changes_and_the_clock_follows_it(world, dispatcher):
    run_import(dispatcher, workbook([order("GD1", deadline=dt.datetime(2026, 12, 31, 17, 0))]))
    case = Case.objects.get()
    case_services.case_accept(case_id=case.pk, actor=dispatcher)
    case.refresh_from_db()
    limit_deadline = case.finish_deadline  # five working days from receipt, earlier than 12-31
    assert limit_deadline is not None and limit_deadline < at(2026, 12, 31, 17, 0)
    earlier = order("GD1", title="改过的标题", deadline=dt.datetime(2026, 11, 18, 12, 0))
    run = run_import(dispatcher, workbook([earlier]))
    assert (run.updated, run.kept) == (1, 1)
    case.refresh_from_db()
    assert case.title == "小区路灯不亮"  # past registration: the text is the office's now
    assert case.upstream_deadline == at(2026, 11, 18, 12, 0)
    assert case.finish_deadline == at(2026, 11, 18, 12, 0)
    assert case.events.get(action=UPSTREAM_UPDATE).data["finish_deadline"] == at(2026, 11, 18, 12, 0).isoformat()


def test_a_closed_case_is_left_as_it_is(world, dispatcher):
    run_import(dispatcher, workbook([order("GD1")]))
    case = Case.objects.get()
    case_services.case_void(case_id=case.pk, actor=dispatcher, note="重复登记")
    run = run_import(dispatcher, workbook([order("GD1", deadline=dt.datetime(2026, 11, 30, 9, 0))]))
    assert (run.updated, run.unchanged, run.kept) == (0, 1, 1)
    case.refresh_from_db()
    assert case.upstream_deadline == at(2026, 11, 20, 17, 0)


def test_an_error_in_row_9000_writes_nothing(world, dispatcher):
    # Given 9,000 good orders but a date nobody can read on the last one (Excel row 9,001)
    rows = [[f"GD{n:05d}", "路灯", "路灯不亮", "", "", "2026/11/16 9:00:00"] for n in range(1, 9001)]
    rows[-1][5] = "2026/11/31 9:00:00"
    headers = ["工单编号", "标题", "内容", "来电人", "联系电话", "受理时间"]
    # When it is imported
    run = run_import(dispatcher, workbook(rows, headers=headers))
    # Then nothing is written, and the error names the row and the column as the file writes them
    assert run.state == RunState.INVALID
    assert run.errors == [[9001, "受理时间", run.errors[0][2]]]
    assert "2026/11/31" in run.errors[0][2]
    assert run.rows == 9000
    assert Case.objects.count() == 0


def test_a_failure_while_writing_rolls_every_row_back(world, dispatcher, monkeypatch):
    # Given a file whose third order the case service refuses when it is written
    real = case_services.case_register
    calls = []

    def refusing(**values):
        calls.append(values["upstream_number"])
        if len(calls) == 3:
            from jiedao.cases.errors import InvalidInput

            raise InvalidInput("refused", field="reporter_phone")
        return real(**values)

    monkeypatch.setattr(intake, "case_register", refusing)  # what the import calls through
    run = run_import(dispatcher, workbook([order("GD1"), order("GD2"), order("GD3"), order("GD4")]))
    # Then the two already written are gone too, and the error names row and column
    assert run.state == RunState.INVALID
    assert run.errors == [[4, "联系电话", "refused"]]
    assert Case.objects.count() == 0


def test_every_bad_cell_is_reported_with_row_and_column(world, dispatcher):
    rows = [
        order("", received="2026/11/16 9:00:00"),
        order("GD2", received="明天"),
        order("GD3", type="其他", phone="打不通"),
        order("GD4", received="2026/12/16 9:00:00"),
        order("GD5", deadline="2026/11/01 9:00:00"),
        order("GD6", community="Z社区"),
        order("GD7", title="", content=""),
    ]
    run = run_import(dispatcher, workbook(rows))
    assert run.state == RunState.INVALID
    assert [(row, column) for row, column, _message in run.errors] == [
        (2, "工单编号"),
        (3, "受理时间"),
        (4, "联系电话"),
        (4, "诉求类型"),
        (5, "办理时限"),  # earlier than the receipt, which is itself in the future
        (5, "受理时间"),
        (6, "办理时限"),
        (7, "所属社区"),
        (8, "诉求标题"),
    ]
    assert Case.objects.count() == 0


def test_identical_repeats_are_collapsed_and_conflicting_ones_name_both_rows(world, dispatcher):
    same = workbook([order("GD1"), order("GD1"), order("GD2")])
    run = run_import(dispatcher, same)
    assert (run.state, run.created, run.duplicates) == (RunState.DONE, 2, 1)
    conflicting = workbook([order("GD9"), order("GD8"), order("GD9", title="另一个标题")])
    run = run_import(dispatcher, conflicting)
    assert run.state == RunState.INVALID
    [(row, column, message)] = run.errors
    assert (row, column) == (4, "工单编号")
    assert "2" in message and "诉求标题" in message
    assert not Case.objects.filter(upstream_number__in=["GD8", "GD9"]).exists()


def test_an_office_column_must_name_the_importers_office(world, dispatcher):
    headers = [*HEADERS, "所属街道"]
    run = run_import(
        dispatcher, workbook([[*order("GD1"), "乙街道"], [*order("GD2"), "甲街道办事处"]], headers=headers)
    )
    assert run.state == RunState.INVALID
    assert [(row, column) for row, column, _m in run.errors] == [(2, "所属街道")]


def test_an_order_registered_in_another_office_is_an_error(world, dispatcher):
    other = services_user(world)
    run_import(other, workbook([order("GD1", community="C社区")]))
    run = run_import(dispatcher, workbook([order("GD1")]))
    assert run.state == RunState.INVALID
    assert run.errors[0][:2] == [2, "工单编号"]
    assert Case.objects.get().office == world.other_office


def services_user(world):
    from conftest import _persona

    return _persona("far_dispatcher", "dispatcher", place=world.other_office)


def test_a_masked_phone_is_not_kept(world, dispatcher):
    run_import(dispatcher, workbook([order("GD1", phone="138****8000")]))
    assert Case.objects.get().reporter_phone == ""


def test_only_dispatchers_and_administrators_import(world, community_staff, unit_handler, office_admin):
    for person in (community_staff, unit_handler):
        with pytest.raises(ImportRefused):
            services.import_run_create(actor=person, source=workbook([order("GD1")]), filename="a.xlsx")
    run = run_import(office_admin, workbook([order("GD1")]))
    assert run.state == RunState.DONE


def test_a_district_dispatcher_chooses_the_office_or_the_file_names_it(world, dispatcher):
    from conftest import _persona

    district = _persona("district_dispatcher", "dispatcher", place=world.district)
    run = run_import(district, workbook([order("GD1", community="A社区")]))
    assert run.state == RunState.INVALID
    assert "所属街道" in run.errors[0][2]
    run = run_import(district, workbook([order("GD1", community="A社区")]), office=world.office)
    assert (run.state, Case.objects.get().office) == (RunState.DONE, world.office)
    with pytest.raises(ImportRefused):
        services.import_run_create(actor=dispatcher, source=b"", filename="a.xlsx", office=world.other_office)


def test_each_import_is_audited_and_its_file_not_kept(world, dispatcher):
    run = run_import(dispatcher, workbook([order("GD1")]))
    audit = AuditEvent.objects.get(action="import", object_id=str(run.pk))
    assert (audit.actor, audit.scope_code) == (dispatcher, world.office.prefix)
    assert audit.detail["created"] == 1 and audit.detail["file"] == "export.xlsx"
    assert not run.source


def test_presets_name_other_headers(world, dispatcher):
    from jiedao.upstream.models import ColumnPreset

    preset = ColumnPreset.objects.create(
        name="某区平台",
        mapping={"upstream_number": ["流水号"], "content": ["事项描述"], "received_at": ["收件日期"]},
        date_formats=["%d/%m/%Y %H:%M"],
    )
    data = workbook([["L1", "楼道堆物", "16/11/2026 09:30"]], headers=["流水号", "事项描述", "收件日期"])
    run = run_import(dispatcher, data, preset=preset)
    assert run.state == RunState.DONE
    case = Case.objects.get()
    assert (case.title, case.received_at, case.state) == ("楼道堆物", at(2026, 11, 16, 9, 30), State.REGISTERED)
    with pytest.raises(ImportRefused):
        services.preset_for("没有这个")


def test_the_default_preset_is_in_the_database_and_checked_in_the_admin(db):
    from django.core.exceptions import ValidationError

    from jiedao.upstream.models import ColumnPreset

    preset = services.preset_for()
    assert preset.pk is not None and preset.mapping == services.builtin_preset().mapping
    preset.mapping = {"title": ["标题"], "content": ["标题"], "unknown": ["x"]}
    with pytest.raises(ValidationError) as raised:
        preset.full_clean()
    text = str(raised.value)
    assert "unknown" in text and "upstream_number" in text and "标题" in text
    assert ColumnPreset(name="x", mapping={"upstream_number": ["a"], "received_at": ["b"]}, date_formats=["%Q"])
