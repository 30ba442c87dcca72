"""The branches of the case loop in the browser, each taken by the role who takes it: extension, suspension,
dissatisfied callback and rework, merge, exclusion from scoring, the grid worker's field report handled on the
spot, notifications and the KPI page.

Each test makes its own cases (through the services, up to the point where its branch starts) and then works
only through the pages, asserting what the user sees: Chinese labels, the light-* colour classes, the deadline
text, the history, the badge and the KPI counts.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from shapely.geometry import shape

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, Satisfaction, Stage
from jiedao.cases.deadlines import deadline, limit_for
from jiedao.cases.models import Case
from jiedao.core import clock
from jiedao.places import geo
from jiedao.places.models import Place
from jiedao.units.models import Unit
from jiedao.workdays.calendar import Limit
from tests.e2e.actions import (
    act,
    finish_deadline,
    kpi_fraction,
    log_in,
    open_case_by_number,
    switch_user,
    time_light,
    timeline_actions,
    timeline_lines,
    unread_count,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e

DISPATCHER = "paidan"
HANDLER = "chengban"  # handler of 城管科
DEPUTY = "fenguan"
PRINCIPAL = "zhuyao"
GRID_WORKER = "wanggeyuan"
COMMUNITY_STAFF = "shequ"

# Stages a test may ask its case to be brought to before the browser takes over.
REGISTERED, DISPATCHED, HANDLING, CALLBACK, CLOSED_DISSATISFIED = (
    "registered",
    "dispatched",
    "handling",
    "callback",
    "closed_dissatisfied",
)
STAGES = [REGISTERED, DISPATCHED, HANDLING, CALLBACK, CLOSED_DISSATISFIED]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _handlers_unit() -> Unit:
    unit = RoleAssignment.objects.select_related("unit").get(user__username=HANDLER, role=Role.UNIT_HANDLER).unit
    assert unit is not None
    return unit


def _grid_of(username: str) -> Place:
    grid = RoleAssignment.objects.select_related("place").get(user__username=username, role=Role.GRID_WORKER).place
    assert grid is not None
    return grid


def _case(
    title: str,
    *,
    until: str,
    channel: str = Channel.PHONE,
    days_ago: int = 0,
    upstream_deadline: dt.datetime | None = None,
    reporter_phone: str = "13900001234",
) -> Case:
    """A fresh case of the grid worker's grid, brought through the services to `until`.

    `days_ago` backdates its receipt: the finishing clock runs from receipt, so 30 days spend any usual limit.
    """
    dispatcher, handler = _user(DISPATCHER), _user(HANDLER)
    received = clock.now() - dt.timedelta(days=days_ago) if days_ago else None
    case = services.case_register(
        actor=dispatcher,
        channel=channel,
        upstream_number=f"GD{uuid.uuid4().hex[:12]}" if channel == Channel.HOTLINE_12345 else "",
        request_type=RequestType.COMPLAINT,
        title=title,
        content=f"{title}，请尽快处理。",
        place=_grid_of(GRID_WORKER),
        reporter_phone=reporter_phone,
        received_at=received,
        upstream_deadline=upstream_deadline,
    )
    reached = STAGES.index(until)
    if reached >= STAGES.index(DISPATCHED):
        services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=_handlers_unit().pk)
    if reached >= STAGES.index(HANDLING):
        services.case_sign(case_id=case.pk, actor=handler)
    if reached >= STAGES.index(CALLBACK):
        services.case_reply(case_id=case.pk, actor=handler, result_text="已处理完毕")
        services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)
    if reached >= STAGES.index(CLOSED_DISSATISFIED):
        services.case_callback(
            case_id=case.pk,
            actor=dispatcher,
            process_satisfaction=Satisfaction.DISSATISFIED,
            result_satisfaction=Satisfaction.DISSATISFIED,
            resolved=False,
            note="居民坚持要求赔偿",
        )
    return Case.objects.get(pk=case.pk)


def _open_case(page: Page, case: Case) -> None:
    page.goto(f"/cases/{case.pk}/")
    page.locator("[data-testid=case-state]").wait_for()


def _minute(moment: dt.datetime) -> dt.datetime:
    """A moment as the pages show it: local time, to the minute."""
    return timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)


def _due(start: dt.datetime, limit: Limit) -> dt.datetime:
    due = deadline(start, limit)
    assert due is not None
    return due


def _state_label(page: Page) -> str:
    return page.locator("[data-testid=case-state]").inner_text().strip()


def _has_line(page: Page, *parts: str) -> bool:
    """Whether one line of the history holds every one of `parts`."""
    return any(all(part in line for part in parts) for line in timeline_lines(page))


def _actions_offered(page: Page) -> list[str]:
    return [
        name or ""
        for name in page.locator("[data-testid=actions] details[data-action]").evaluate_all(
            "items => items.map(item => item.getAttribute('data-action'))"
        )
    ]


def _open_panel(page: Page, action: str) -> Locator:
    """Unfold the form of `action` in the actions panel (the first one shows unfolded)."""
    panel = page.locator(f"[data-testid=actions] details[data-action={action}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    return panel


def _listed(page: Page, queue: str, number: str) -> bool:
    page.goto(f"/cases/?queue={queue}&q={number}")
    page.locator("[data-testid=case-table]").wait_for()
    return page.locator(f"[data-testid=case-table] tr[data-case='{number}']").count() == 1


def _png(path: Path, colour: tuple[int, int, int], size: int = 16) -> Path:
    """Write a small real PNG image of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(colour) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )
    return path


def test_the_handler_asks_for_an_extension_and_the_leader_approves_it(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given a 12345 order received four days ago (its own limit, 5 working days, runs later), being handled by 城管科,
    # whose upstream deadline is an hour away
    upstream_deadline = clock.now() + dt.timedelta(hours=1)
    case = _case(
        "违章搭建未拆除",
        until=HANDLING,
        channel=Channel.HOTLINE_12345,
        days_ago=4,
        upstream_deadline=upstream_deadline,
    )

    # When its handler opens it, the page shows it due soon, in yellow, held to the upstream deadline
    log_in(page, HANDLER)
    _open_case(page, case)
    before = finish_deadline(page)
    assert before == _minute(upstream_deadline)
    assert time_light(page) == ("yellow", "临期")

    # and he asks for 10 more working days
    act(page, "request_extension", {"amount": "10", "reason": "需协调规划部门联合执法"})
    assert _has_line(page, "申请延期", "需协调规划部门联合执法")
    assert finish_deadline(page) == before  # nothing moves before the decision

    # Then the deputy leader finds it among the extensions to decide and approves it
    switch_user(page, DEPUTY)
    open_case_by_number(page, case.number, queue="extensions")
    act(page, "decide_extension", {"approve": "1", "note": "同意延期10个工作日"})

    # and the deadline the page shows moves later (the upstream platform granted it too), the light turns green,
    # the decision is in the history
    after = finish_deadline(page)
    assert after is not None and after > before
    assert time_light(page) == ("green", "正常")
    assert _has_line(page, "审批延期", "同意延期10个工作日")
    assert "decide_extension" not in _actions_offered(page)
    assert not _listed(page, "extensions", case.number)
    assert browser_errors.messages == []


def test_a_suspended_case_stops_its_clock_until_resumed(page: Page, browser_errors: BrowserErrors) -> None:
    # Given a case received a month ago, being handled and overdue
    case = _case("楼顶违规种菜", until=HANDLING, days_ago=30)

    # When the dispatcher opens it, it is red and in the overdue queue
    log_in(page, DISPATCHER)
    assert _listed(page, "overdue", case.number)
    _open_case(page, case)
    before = finish_deadline(page)
    assert before is not None
    assert time_light(page) == ("red", "超期")

    # and suspends it while the resident gathers his papers
    act(page, "suspend", {"reason": "等待居民提供产权材料"})

    # Then the clock stops: the state says so, no deadline, no colour, out of the overdue queue
    assert _state_label(page) == "已挂起"
    assert finish_deadline(page) is None
    assert time_light(page) == ("none", "—")
    assert _has_line(page, "挂起", "已挂起", "等待居民提供产权材料")
    assert "resume" in _actions_offered(page)
    assert "reply" not in _actions_offered(page)
    assert not _listed(page, "overdue", case.number)

    # When he resumes it
    _open_case(page, case)
    act(page, "resume", {"note": "材料已提交"})

    # Then it is being handled again with its deadline back (later by the working time suspended)
    assert _state_label(page) == "办理中"
    resumed = finish_deadline(page)
    assert resumed is not None and resumed >= before
    assert time_light(page) == ("red", "超期")
    assert _has_line(page, "恢复", "办理中", "材料已提交")
    assert _listed(page, "overdue", case.number)
    assert browser_errors.messages == []


def test_a_dissatisfied_callback_sends_the_case_back_for_rework(page: Page, browser_errors: BrowserErrors) -> None:
    # Given a case replied and verified, awaiting its callback
    case = _case("垃圾清运不及时", until=CALLBACK)

    # When the dispatcher records a dissatisfied callback and ticks 重办
    log_in(page, DISPATCHER)
    _open_case(page, case)
    assert _state_label(page) == "待回访"
    assert "回访时限" in page.locator("dl.facts").inner_text()
    panel = _open_panel(page, "callback")
    assert "重办" in panel.locator("label.check").inner_text()
    rework_limit = limit_for(case, Stage.REWORK)
    earliest_start = clock.now()
    act(
        page,
        "callback",
        {
            "process_satisfaction": "basically",
            "result_satisfaction": "dissatisfied",
            "resolved": "0",
            "note": "垃圾仍未清走",
            "rework": True,
        },
    )
    latest_start = clock.now()

    # Then the case is back with the unit, on a fresh rework clock started by the callback, no callback deadline,
    # and the callback is on the page
    assert _state_label(page) == "办理中"
    rework_deadline = finish_deadline(page)
    assert rework_deadline is not None
    assert _minute(_due(earliest_start, rework_limit)) <= rework_deadline <= _minute(_due(latest_start, rework_limit))
    assert "回访时限" not in page.locator("dl.facts").inner_text()
    assert time_light(page) == ("green", "正常")
    assert "办理结果：不满意" in page.locator("main").inner_text()
    assert _has_line(page, "回访", "办理中", "垃圾仍未清走")

    # When the handler finds it in his queue and replies again
    switch_user(page, HANDLER)
    open_case_by_number(page, case.number, queue="handling")
    act(page, "reply", {"result_text": "已加派车辆当日清运完毕"})
    assert _state_label(page) == "已办复待核查"

    # and the dispatcher verifies it and records a satisfied callback
    switch_user(page, DISPATCHER)
    _open_case(page, case)
    act(page, "verify", {"passed": "1"})
    act(
        page,
        "callback",
        {"process_satisfaction": "satisfied", "result_satisfaction": "satisfied", "resolved": "1", "note": "满意"},
    )

    # Then it is closed, with no running clock, both callbacks shown and two replies in the history
    assert _state_label(page) == "已办结"
    assert time_light(page) == ("none", "—")
    text = page.locator("main").inner_text()
    assert "办理结果：不满意" in text and "办理结果：满意" in text
    assert "已加派车辆当日清运完毕" in text
    assert timeline_actions(page).count("reply") == 2
    assert browser_errors.messages == []


def test_a_repeated_call_is_merged_into_the_main_case(page: Page, browser_errors: BrowserErrors) -> None:
    # Given a case with 城管科 and a second call about the same problem, just registered
    main = _case("夜间施工噪音扰民", until=DISPATCHED)
    repeat = _case("夜间施工噪音扰民（重复来电）", until=REGISTERED, reporter_phone="13700004321")

    # When the dispatcher merges the repeat into the main case by its number
    log_in(page, DISPATCHER)
    open_case_by_number(page, repeat.number, queue="to_dispatch")
    act(page, "merge", {"into": main.number, "note": "同一工地重复来电"})

    # Then the repeat is closed and points to the main case
    assert _state_label(page) == "已办结"
    pointer = page.locator("dl.facts div", has_text="并入").locator("a")
    assert pointer.inner_text().strip() == main.number
    assert _has_line(page, "并单", "已办结", "同一工地重复来电")
    assert "merge" not in _actions_offered(page)

    # and the link leads to the main case, still open, whose history records the merge
    with page.expect_navigation():
        pointer.click()
    assert page.url.endswith(f"/cases/{main.pk}/")
    assert _state_label(page) == "已派单待签收"
    assert _has_line(page, "并单")
    assert repeat.number in page.get_by_test_id("merged-here").inner_text()

    # A merge into a case that does not exist is refused with a message, and nothing changes
    other = _case("共享单车乱停放", until=REGISTERED)
    _open_case(page, other)
    panel = _open_panel(page, "merge")
    panel.locator("[name='merge-into']").fill("JD1999-000001")
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    assert page.locator(".messages li.error").all_inner_texts() == ["没有您可查看的该编号工单。"]
    assert _state_label(page) == "已登记"
    assert browser_errors.messages == []


def test_an_unreasonable_demand_is_excluded_from_scoring_with_approval(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given a case closed after a dissatisfied, unresolved callback (it weighs on the resolution rate)
    case = _case("要求街道赔偿停车费", until=CLOSED_DISSATISFIED)

    # and the dispatcher on the KPI page, then on the case
    log_in(page, DISPATCHER)
    page.goto("/analytics/")
    resolved_before, called_back_before = kpi_fraction(page, "resolution")
    assert called_back_before >= 1
    _open_case(page, case)
    assert _state_label(page) == "已办结"

    # When he asks that it not count in the scores
    act(page, "request_exclusion", {"reason": "诉求超出政策范围，属不合理诉求"})
    assert _has_line(page, "申请不计考核", "诉求超出政策范围")
    # he may not decide on it himself, and the case still counts
    assert "decide_exclusion" not in _actions_offered(page)
    assert page.locator("[data-testid=excluded-from-scoring]").count() == 0

    # Then the principal leader finds the case and approves the request
    switch_user(page, PRINCIPAL)
    open_case_by_number(page, case.number)
    act(page, "decide_exclusion", {"approve": "1", "note": "同意不计入考核"})

    # and the page says the case does not count, the decision is in the history, nothing is left to decide
    assert page.locator("[data-testid=excluded-from-scoring]").inner_text().strip() == "不计入考核"
    assert _has_line(page, "审批不计考核", "同意不计入考核")
    assert "decide_exclusion" not in _actions_offered(page)

    # and the resolution rate no longer counts it
    page.goto("/analytics/")
    assert kpi_fraction(page, "resolution") == (resolved_before, called_back_before - 1)
    assert browser_errors.messages == []


def test_a_grid_worker_reports_from_the_phone_and_handles_it_on_the_spot(
    phone_page: Page, browser_errors: BrowserErrors, settings: Any, tmp_path: Path
) -> None:
    page = phone_page
    settings.MEDIA_ROOT = tmp_path / "media"
    grid = _grid_of(GRID_WORKER)
    assert grid.boundary is not None
    inside = shape(grid.boundary).representative_point()
    assert geo.resolve_point(inside.x, inside.y).grid_id == grid.pk
    before_photo = _png(tmp_path / "before.png", (200, 40, 40))
    after_photo = _png(tmp_path / "after.png", (40, 160, 60))
    title = f"绿化带垃圾堆积{uuid.uuid4().hex[:4]}"

    # Given the grid worker on his phone, standing in his grid
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": inside.x, "latitude": inside.y})
    log_in(page, GRID_WORKER)

    # When he opens the report form from the menu
    page.locator("[data-nav-toggle]").click()
    with page.expect_navigation():
        page.locator("#mainnav [data-nav=report]").click()
    form = page.locator("[data-testid=report-form]")
    form.wait_for()
    assert page.locator("[data-on-the-spot]").is_hidden()

    # and reports the problem with a photo and his location
    page.locator("#id_title").fill(title)
    page.locator("#id_content").fill("小区东门绿化带内堆积生活垃圾约两立方。")
    page.locator("#id_request_type").select_option(RequestType.HELP)
    page.locator("#id_photos").set_input_files(str(before_photo))
    page.locator("[data-previews-for=id_photos] img").wait_for()
    page.locator("[data-locate]").click()
    located = page.locator("[data-located]")
    located.filter(has_text=grid.name).wait_for()
    assert located.inner_text().startswith("网格")

    # and says he cleaned it up on the spot, with a photo after
    page.locator("#id_handled").check()
    assert page.locator("[data-on-the-spot]").is_visible()
    page.locator("#id_result_text").fill("已现场组织保洁清运干净")
    page.locator("#id_after_photos").set_input_files(str(after_photo))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # Then the case is registered in his grid, handled on the spot, waiting for the community's check
    assert page.locator(".messages li.error").count() == 0
    number = page.locator("[data-testid=case-number]").inner_text().strip()
    assert _state_label(page) == "已办复待核查"
    assert grid.name in page.locator("dl.facts").inner_text()
    assert "已现场组织保洁清运干净" in page.locator("main").inner_text()
    kinds = {
        item.get_attribute("data-kind"): item.inner_text().strip()
        for item in page.locator("[data-testid=attachment]").all()
    }
    assert kinds == {"before": "处理前", "after": "处理后"}
    # The photos load after the page: wait for them rather than read a half-loaded one.
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=attachment] img')].every(i => i.complete)"
    )
    loaded = page.locator("[data-testid=attachment] img").evaluate_all("images => images.map(i => i.naturalWidth)")
    assert loaded == [16, 16]
    assert _has_line(page, "自处理", "已办复待核查")

    # When the community staff finds it among the cases to verify and passes the check
    switch_user(page, COMMUNITY_STAFF)
    open_case_by_number(page, number, queue="to_verify")
    act(page, "verify", {"passed": "1", "note": "现场复核已清理"})

    # Then it is closed (nobody to call back for a worker's own report)
    assert _state_label(page) == "已办结"
    assert _has_line(page, "核查", "已办结", "现场复核已清理")
    case = Case.objects.get(number=number)
    assert (case.channel, case.grid_id, case.attachments.count()) == (Channel.GRID, grid.pk, 2)
    assert browser_errors.messages == []


def test_a_dispatch_reaches_the_handler_as_an_unread_notification(page: Page, browser_errors: BrowserErrors) -> None:
    # Given the handler's badge as it stands, and a case accepted and waiting for dispatch
    case = _case("人行道地砖破损", until=REGISTERED)
    log_in(page, HANDLER)
    unread_before = unread_count(page)

    # When the dispatcher accepts it and dispatches it to 城管科
    switch_user(page, DISPATCHER)
    open_case_by_number(page, case.number, queue="to_dispatch")
    act(page, "accept")
    act(page, "dispatch", {"unit": str(_handlers_unit().pk), "note": "请城管科修复"})
    assert _state_label(page) == "已派单待签收"

    # Then the handler's header count is one higher and his list shows the new case, unread
    switch_user(page, HANDLER)
    assert unread_count(page) == unread_before + 1
    with page.expect_navigation():
        page.locator("[data-testid=notifications]").click()
    item = page.locator("[data-testid=notification-list] li.notification", has_text=case.number)
    assert item.get_attribute("data-unread") == "1"
    assert item.locator("strong").inner_text().strip() == f"新派工单：{case.number} {case.title}"
    assert "未读" in item.inner_text()

    # When he marks it read
    item.get_by_role("button", name="标为已读").click()
    page.locator(
        f"[data-testid=notification-list] li.notification[data-unread='0']:has-text('{case.number}')"
    ).wait_for()

    # Then the header count drops by one, here and on the next page he opens
    assert unread_count(page) == unread_before
    _open_case(page, case)
    assert unread_count(page) == unread_before
    assert browser_errors.messages == []


def test_closing_a_case_moves_the_kpis(page: Page, browser_errors: BrowserErrors) -> None:
    # Given a case awaiting its callback and the dispatcher on the KPI page
    case = _case("小区电梯异响", until=CALLBACK)
    log_in(page, DISPATCHER)
    page.locator("#mainnav [data-nav=kpi]").click()
    page.locator("[data-testid=kpi-card][data-kpi=resolution]").wait_for()
    resolved, called_back = kpi_fraction(page, "resolution")

    # When he records a satisfied, resolved callback from the callback queue's case
    page.goto("/cases/?queue=to_call_back")
    page.locator(f"[data-testid=case-table] tr[data-case='{case.number}'] a").click()
    page.locator("[data-testid=case-state]").wait_for()
    act(
        page,
        "callback",
        {"process_satisfaction": "satisfied", "result_satisfaction": "satisfied", "resolved": "1", "note": "已修好"},
    )
    assert _state_label(page) == "已办结"

    # Then the resolution rate counts one more case called back, and one more resolved
    page.goto("/analytics/")
    assert kpi_fraction(page, "resolution") == (resolved + 1, called_back + 1)

    # and its numerator lists the case
    with page.expect_navigation():
        page.locator("[data-testid=kpi-card][data-kpi=resolution] a[data-part=numerator]").click()
    page.locator(f"[data-testid=case-table] tr[data-case='{case.number}']").wait_for()
    assert browser_errors.messages == []
