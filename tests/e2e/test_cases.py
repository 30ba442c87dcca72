"""The case loop in the browser: a 12345 order registered, dispatched, handled, called back twice and closed, then
the KPI page; and one branch per role (return and re-dispatch, supervision, the grid worker's view, the resident)."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.utils import timezone, translation

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.accounts.services import role_grant
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, State
from jiedao.cases.models import Callback, Case, Supervision
from jiedao.notifications.models import Notification
from jiedao.places.models import Place
from jiedao.units.models import Unit
from tests.e2e.actions import act, case_state, log_in, switch_user, timeline_actions

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e

DISPATCHER = "paidan"
HANDLER = "chengban"  # handler of 城管科
LEADER = "zhuyao"
GRID_WORKER = "wanggeyuan"
REPORTER_PHONE = "13812345678"


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


def _local(moment: dt.datetime | None) -> str:
    assert moment is not None
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _dispatched_case(title: str, *, place: Place | None = None, sign: bool = False) -> Case:
    """A case registered by the dispatcher and dispatched to the handler's unit through the services."""
    dispatcher = _user(DISPATCHER)
    case = services.case_register(
        actor=dispatcher,
        channel=Channel.PHONE,
        request_type=RequestType.COMPLAINT,
        title=title,
        content=f"{title}，请尽快处理。",
        place=place or _grid_of(GRID_WORKER),
        reporter_phone="13900001234",
    )
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=_handlers_unit().pk)
    if sign:
        services.case_sign(case_id=case.pk, actor=_user(HANDLER))
    return Case.objects.get(pk=case.pk)


def _open_case(page: Page, case: Case) -> None:
    page.goto(f"/cases/{case.pk}/")
    page.locator("[data-testid=case-state]").wait_for()


def test_a_12345_order_goes_round_the_whole_loop(page: Page, browser_errors: BrowserErrors) -> None:
    grid = _grid_of(GRID_WORKER)
    unit = _handlers_unit()
    upstream = f"GD{int(time.time())}"

    # Given the dispatcher on the registration form
    log_in(page, DISPATCHER)
    page.goto("/cases/")
    page.locator("[data-testid=new-case]").click()
    form = page.locator("[data-testid=register-form]")
    form.wait_for()

    # When he registers a 12345 order, picking the category by its pinyin initials
    page.locator("#id_channel").select_option(Channel.HOTLINE_12345)
    page.locator("#id_upstream_number").fill(upstream)
    page.locator("#id_request_type").select_option(RequestType.COMPLAINT)
    page.locator("#id_title").fill("小区路灯不亮")
    page.locator("#id_content").fill("柳岸小区3号楼前路灯连续一周不亮，夜间出行不便。")
    page.locator("#category-search").press_sequentially("ld", delay=50)
    option = page.locator("#category-options [role=option]").first
    option.wait_for()
    category_id, category_path = option.get_attribute("data-category-id"), option.get_attribute("data-path")
    option.click()
    assert page.locator("#id_category").input_value() == category_id
    assert page.locator("[data-category-chosen]").inner_text() == category_path
    page.locator("#id_place").select_option(str(grid.pk))
    page.locator("#id_reporter_phone").fill(REPORTER_PHONE)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # Then the case is registered where he said, with the category he picked
    case = Case.objects.get(channel=Channel.HOTLINE_12345, upstream_number=upstream)
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert page.locator("[data-testid=case-number]").inner_text() == case.number
    assert case_state(page) == State.REGISTERED
    assert (str(case.category_id), case.grid_id) == (category_id, grid.pk)

    # When he accepts it and dispatches it to 城管科
    act(page, "accept")
    assert case_state(page) == State.ACCEPTED
    act(page, "dispatch", {"unit": str(unit.pk), "note": "请城管科处理"})
    assert case_state(page) == State.DISPATCHED
    case.refresh_from_db()
    assert case.main_unit_id == unit.pk
    # and the page shows the finishing deadline the case carries
    assert page.locator("[data-testid=finish-deadline]").inner_text().startswith(_local(case.finish_deadline))

    # Then the handler sees the dispatch in his notification badge
    handler = _user(HANDLER)
    switch_user(page, HANDLER)
    unread = Notification.objects.filter(recipient=handler, read_at__isnull=True)
    assert unread.filter(case=case).exists()
    assert page.locator("[data-testid=unread-count]").inner_text().strip() == str(unread.count())

    # When he signs for it, contacts the resident and replies
    _open_case(page, case)
    act(page, "sign")
    assert case_state(page) == State.HANDLING
    act(page, "contact", {"note": "已电话联系居民，约定明日维修"})
    act(page, "reply", {"result_text": "已更换路灯灯泡"})
    assert case_state(page) == State.REPLIED

    # When the dispatcher verifies it and records a dissatisfied callback with rework from the callback queue
    switch_user(page, DISPATCHER)
    _open_case(page, case)
    act(page, "verify", {"passed": "1"})
    assert case_state(page) == State.CALLBACK
    page.goto("/cases/?queue=to_call_back")
    page.locator("[data-testid=callback-queue-link]").click()
    row = page.locator(f"[data-testid=callback-row][data-case='{case.number}']")
    row.wait_for()
    assert REPORTER_PHONE not in row.inner_text()
    row.locator("[name=callback-process_satisfaction]").select_option("dissatisfied")
    row.locator("[name=callback-result_satisfaction]").select_option("dissatisfied")
    row.locator("[name=callback-resolved]").select_option("0")
    row.locator("[name=callback-note]").fill("居民反映路灯仍不亮")
    row.locator("[name=callback-rework]").check()
    row.locator("[data-testid=quick-callback] button[type=submit]").click()
    outcome = row.locator(".callback-outcome [data-testid=case-state]")
    outcome.wait_for()
    assert outcome.get_attribute("data-state") == State.HANDLING
    assert row.locator("[data-testid=quick-callback]").is_hidden()
    case.refresh_from_db()
    assert (case.state, case.rework_count) == (State.HANDLING, 1)

    # When the handler replies again
    switch_user(page, HANDLER)
    _open_case(page, case)
    act(page, "reply", {"result_text": "已更换整套灯具并复查"})

    # and the dispatcher verifies it and records a satisfied callback on the case page
    switch_user(page, DISPATCHER)
    _open_case(page, case)
    act(page, "verify", {"passed": "1"})
    act(
        page,
        "callback",
        {"process_satisfaction": "satisfied", "result_satisfaction": "satisfied", "resolved": "1", "note": "满意"},
    )

    # Then the case is closed and its history holds every step, in order
    assert case_state(page) == State.CLOSED
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.closed_at is not None
    recorded = list(case.events.order_by("at", "id").values_list("action", flat=True))
    assert timeline_actions(page) == recorded
    steps = ["accept", "dispatch", "sign", "contact", "reply", "verify", "callback", "reply", "verify", "callback"]
    assert [action for action in recorded if action in steps] == steps
    assert list(Callback.objects.filter(case=case).values_list("result_satisfaction", flat=True)) == [
        "dissatisfied",
        "satisfied",
    ]

    # and the KPI page counts a response rate this month, whose denominator lists the case
    page.locator("#mainnav [data-nav=kpi]").click()
    card = page.locator("[data-testid=kpi-card][data-kpi=response]")
    card.wait_for()
    assert re.fullmatch(r"\d{1,3}\.\d%", card.locator("[data-testid=kpi-value]").inner_text().strip())
    page.locator('[data-kpi-chart][data-rendered="1"] canvas').first.wait_for()
    card.locator("a[data-part=denominator]").click()
    page.locator(f"[data-testid=case-table] tr[data-case='{case.number}']").wait_for()
    assert browser_errors.messages == []


def test_the_handler_returns_a_case_and_the_dispatcher_re_dispatches_it(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given a case dispatched to 城管科, and a handler of another unit of the office, made for this test
    case = _dispatched_case("井盖缺失")
    chengban = _user(HANDLER)
    other_unit = (
        Unit.objects.filter(office=case.office, is_active=True).exclude(pk=case.main_unit_id).order_by("pk").first()
    )
    assert other_unit is not None
    other_handler, _created = User.objects.get_or_create(
        username="e2e_handler",
        defaults={"full_name": "测试经办人", "password": chengban.password, "office": chengban.office},
    )
    role_grant(user=other_handler, role=Role.UNIT_HANDLER, unit=other_unit)

    # When 城管科's handler returns it as not his duty
    log_in(page, HANDLER)
    _open_case(page, case)
    act(page, "return", {"reason": "wrong_duty", "note": "属于其他单位职责"})
    assert case_state(page) == State.RETURNED

    # and the dispatcher approves the return and re-dispatches it to the other unit
    switch_user(page, DISPATCHER)
    page.goto("/cases/?queue=returned")
    page.locator(f"[data-testid=case-table] tr[data-case='{case.number}'] a").click()
    page.locator("[data-testid=case-state]").wait_for()
    act(page, "redispatch", {"unit": str(other_unit.pk), "note": "改派"})

    # Then the case waits for the other unit's sign-off, in that unit's queue
    assert case_state(page) == State.DISPATCHED
    case.refresh_from_db()
    assert (case.main_unit_id, case.return_count) == (other_unit.pk, 1)
    switch_user(page, "e2e_handler")
    page.goto("/cases/?queue=to_sign")
    page.locator(f"[data-testid=case-table] tr[data-case='{case.number}']").wait_for()
    assert browser_errors.messages == []


def test_a_leader_supervises_and_the_handler_answers(page: Page, browser_errors: BrowserErrors) -> None:
    # Given a case being handled by 城管科
    case = _dispatched_case("占道经营", sign=True)

    # When the principal leader issues a supervision notice
    log_in(page, LEADER)
    _open_case(page, case)
    act(page, "supervise", {"content": "请三日内办结并报告"})
    notice = Supervision.objects.get(case=case)
    assert notice.unit_id == case.main_unit_id and notice.replied_at is None

    # Then the handler finds it under supervision and answers it
    switch_user(page, HANDLER)
    page.goto("/cases/?queue=supervised")
    page.locator(f"[data-testid=case-table] tr[data-case='{case.number}'] a").click()
    page.locator("[data-testid=case-state]").wait_for()
    act(page, "answer_supervision", {"reply": "已安排执法队员现场处置"})
    answered = Supervision.objects.get(pk=notice.pk)
    assert answered.replied_at is not None and answered.reply == "已安排执法队员现场处置"
    assert "已安排执法队员现场处置" in page.locator("main").inner_text()
    assert "supervise" in timeline_actions(page) and "answer_supervision" in timeline_actions(page)
    assert browser_errors.messages == []


def test_a_grid_worker_sees_only_the_cases_of_his_grid(page: Page, browser_errors: BrowserErrors) -> None:
    # Given a case in his grid and one in another grid of the office
    grid = _grid_of(GRID_WORKER)
    other_grid = Place.objects.filter(level="grid", prefix__startswith=grid.prefix[:9]).exclude(pk=grid.pk).first()
    assert other_grid is not None
    mine = _dispatched_case("楼道堆物", place=grid)
    elsewhere = _dispatched_case("广场噪音", place=other_grid)

    # When he lists every case he may see
    log_in(page, GRID_WORKER)
    page.goto("/cases/?queue=all")
    table = page.locator("[data-testid=case-table]")
    table.wait_for()
    shown = set(table.locator("tr[data-case]").evaluate_all("rows => rows.map(r => r.getAttribute('data-case'))"))

    # Then he sees exactly his grid's cases, as the database has them
    expected = set(Case.objects.filter(scope_code__startswith=grid.prefix).values_list("number", flat=True))
    assert shown == expected
    assert mine.number in shown and elsewhere.number not in shown
    assert set(Case.objects.visible_to(_user(GRID_WORKER)).values_list("number", flat=True)) == expected
    assert browser_errors.messages == []


def test_a_resident_submits_a_demand_and_follows_it(phone_page: Page, browser_errors: BrowserErrors) -> None:
    page = phone_page
    community = _grid_of(GRID_WORKER).parent
    assert community is not None
    phone = "13787654321"

    # Given the resident form, opened without an account
    page.goto("/r/")
    form = page.locator("[data-testid=resident-form]")
    form.wait_for()
    opened = time.monotonic()

    # When he fills it in and answers the arithmetic question
    page.locator("#id_request_type").select_option(RequestType.HELP)
    page.locator("#id_community").select_option(str(community.pk))
    page.locator("#id_title").fill("楼道灯坏了")
    page.locator("#id_content").fill("5号楼2单元楼道灯上周起不亮。")
    page.locator("#id_reporter_phone").fill(phone)
    question = page.locator("label[for=id_answer]").inner_text()
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    page.locator("[data-testid=challenge-answer]").fill(str(a + b))
    # the form refuses what is sent within 3 seconds of showing it
    page.wait_for_timeout(max(0, 3_300 - int((time.monotonic() - opened) * 1000)))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # Then he gets a case number
    number = page.locator("[data-testid=resident-case-number]").inner_text().strip()
    case = Case.objects.get(number=number, channel=Channel.RESIDENT)
    assert case.community_id == community.pk

    # and follows it with the last four digits of his phone
    with page.expect_navigation():
        page.locator(f"a[href*='number={number}']").click()
    page.locator("#id_phone_last4").fill(phone[-4:])
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    with translation.override(settings.LANGUAGE_CODE):
        label = str(State(case.state).label)
    assert page.locator("[data-testid=resident-state]").inner_text() == label
    assert number in page.locator("main").inner_text()
    assert browser_errors.messages == []


def test_a_case_page_fits_the_phone_and_its_tables_scroll_inside(
    phone_page: Page, browser_errors: BrowserErrors
) -> None:
    from jiedao.cases.choices import ReturnReason

    # Given a case returned once with a long explanation (the dispatch table's widest row)
    case = _dispatched_case("楼道堆放杂物堵塞消防通道")
    services.case_return(
        case_id=case.pk,
        actor=_user(HANDLER),
        reason=ReturnReason.values[0],
        note="该楼道属于相邻小区物业管理范围，不属于本单位职责，请改派给对应物业公司处理。",
    )

    # When the dispatcher opens it on her phone
    log_in(phone_page, DISPATCHER)
    _open_case(phone_page, case)

    # Then the page is no wider than the screen (a phone browser would widen its layout viewport to the content, so
    # the width is compared with the screen's, not innerWidth): the wide table scrolls inside its own box
    screen = phone_page.viewport_size
    assert screen is not None
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= screen["width"]
    assert phone_page.evaluate("[...document.querySelectorAll('.table-wrap')].some(w => w.scrollWidth > w.clientWidth)")
    assert browser_errors.messages == []


def test_the_callback_queue_fits_a_desk_screen_without_scrolling_sideways(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given a case waiting for its callback, with a named reporter and a long result
    case = _dispatched_case("商户占道经营影响通行", sign=True)
    Case.objects.filter(pk=case.pk).update(reporter_name="欧阳明辉")
    services.case_reply(
        case_id=case.pk,
        actor=_user(HANDLER),
        result_text="已联系市场监管所与城管中队联合现场检查，责令商户将经营物品移回店内，并约定每日巡查，居民表示认可。",
    )
    services.case_verify(case_id=case.pk, actor=_user(DISPATCHER), passed=True, note="")

    # When the dispatcher opens the callback queue on a 1,280 px screen
    log_in(page, DISPATCHER)
    page.goto("/cases/callbacks/")
    page.locator(f"[data-testid=callback-row][data-case='{case.number}']").wait_for()

    # Then the whole row, its rating form included, is on the screen: nothing to scroll sideways before rating
    wrap = page.locator(".table-wrap:has([data-testid=callback-table])")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    assert browser_errors.messages == []


def test_a_printed_case_page_shows_the_case_and_nothing_to_click(page: Page, browser_errors: BrowserErrors) -> None:
    case = _dispatched_case("井盖缺失存在安全隐患")
    log_in(page, DISPATCHER)
    _open_case(page, case)
    assert page.locator("[data-testid=actions]").is_visible()

    page.emulate_media(media="print")

    assert page.locator("header.topbar").is_hidden()
    assert page.locator("[data-testid=actions]").is_hidden()
    assert page.locator("details.attach-form").is_hidden()
    assert page.locator("[data-testid=case-number]").is_visible()
    assert "井盖缺失存在安全隐患" in page.locator("main").inner_text()
    assert browser_errors.messages == []
