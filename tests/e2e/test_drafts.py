"""What a user typed survives an ended session and a refused submission (web/drafts.py, the drafts in app.js)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.contrib.sessions.models import Session

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.models import Case
from jiedao.demo.builder import DEMO_PASSWORD
from tests.e2e.actions import LOGIN_PATH, log_in, submit_login

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e

TITLE = "楼道堆放杂物堵塞消防通道"
CONTENT = "柳岸小区5号楼二单元楼道长期堆放纸箱和旧家具，堵塞消防通道，多次劝说无效。"
NOTE = "[data-draft-note]"


def test_a_registration_typed_before_the_session_ended_is_filled_back_in_after_logging_in(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given the dispatcher typed a demand on the registration form, and the form's requests have answered
    log_in(page, "paidan")
    page.goto("/cases/new/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_content").fill(CONTENT)
    page.locator("#id_request_type").select_option(RequestType.REPORT)
    page.locator("#id_reporter_name").fill("王女士")
    page.locator("#id_place").select_option(index=1)
    place = page.locator("#id_place").input_value()
    page.locator("#category-search").press_sequentially("ld", delay=50)
    option = page.locator("#category-options [role=option]").first
    option.wait_for()
    category_id, category_path = option.get_attribute("data-category-id"), option.get_attribute("data-path")
    option.click()
    page.wait_for_load_state("networkidle")

    # When her session has ended on the server (the idle timeout) and she presses 登记
    Session.objects.all().delete()
    with page.expect_navigation():
        page.locator("[data-testid=register-form] button[type=submit]").click()
    assert page.url.endswith(f"{LOGIN_PATH}?next=/cases/new/")
    assert not Case.objects.filter(title=TITLE).exists()

    # Then after logging in she is back on the form with what she typed, and told so
    submit_login(page, "paidan", DEMO_PASSWORD)
    page.wait_for_url("**/cases/new/")
    page.locator(NOTE).wait_for()
    assert "已恢复" in page.locator(NOTE).inner_text()
    assert page.locator("#id_title").input_value() == TITLE
    assert page.locator("#id_content").input_value() == CONTENT
    assert page.locator("#id_request_type").input_value() == RequestType.REPORT
    assert page.locator("#id_reporter_name").input_value() == "王女士"
    assert page.locator("#id_place").input_value() == place
    # the category picked in the picker too, named by its path
    assert page.locator("#id_category").input_value() == category_id
    assert page.locator("[data-category-chosen]").inner_text() == category_path

    # When she registers it
    with page.expect_navigation():
        page.locator("[data-testid=register-form] button[type=submit]").click()
    case = Case.objects.get(title=TITLE)
    assert page.url.endswith(f"/cases/{case.pk}/") and case.content == CONTENT
    assert case.reporter_name == "王女士" and place in {str(case.grid_id), str(case.community_id)}
    assert str(case.category_id) == category_id

    # Then the draft is gone: the next registration starts empty
    page.goto("/cases/new/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_title").input_value() == "" and page.locator(NOTE).count() == 0
    assert browser_errors.messages == []


def test_a_refused_action_keeps_the_typed_text_and_clearing_drops_it(page: Page, browser_errors: BrowserErrors) -> None:
    # Given a case being handled by 城管科
    dispatcher, handler = User.objects.get(username="paidan"), User.objects.get(username="chengban")
    unit = RoleAssignment.objects.get(user=handler, role=Role.UNIT_HANDLER).unit
    assert unit is not None
    grid = RoleAssignment.objects.get(user__username="wanggeyuan", role=Role.GRID_WORKER).place
    case = services.case_register(
        actor=dispatcher,
        channel=Channel.PHONE,
        request_type=RequestType.COMPLAINT,
        title=TITLE,
        content=CONTENT,
        place=grid,
    )
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=unit.pk)
    services.case_sign(case_id=case.pk, actor=handler)

    # When the handler types a request for an extension with a long reason, but the case changes before he sends it
    # (the dispatcher supervises it), so the server refuses the action as made on an older version
    log_in(page, "chengban")
    page.goto(f"/cases/{case.pk}/")
    panel = page.locator("[data-testid=actions] details[data-action=request_extension]")
    panel.locator("summary").click()
    panel.locator("[name='request_extension-amount']").fill("5")
    reason = "需协调规划、城管两个部门联合执法，当事人不在本地，预计下周才能约到现场。"
    panel.locator("[name='request_extension-reason']").fill(reason)
    services.case_supervise(case_id=case.pk, actor=dispatcher, content="请加快办理")  # the version moves on
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()

    # Then the page says why, and the form holds his text again, opened
    assert page.locator(".messages li.error").count() == 1
    panel = page.locator("[data-testid=actions] details[data-action=request_extension]")
    assert panel.get_attribute("open") is not None
    assert panel.locator("[name='request_extension-reason']").input_value() == reason
    assert panel.locator("[name='request_extension-amount']").input_value() == "5"

    # When he clears the draft, the form is empty and stays so after a reload
    panel.locator(f"{NOTE} button").click()
    assert panel.locator("[name='request_extension-reason']").input_value() == ""
    page.reload()
    page.wait_for_load_state("networkidle")
    panel = page.locator("[data-testid=actions] details[data-action=request_extension]")
    assert panel.locator("[name='request_extension-reason']").input_value() == "" and page.locator(NOTE).count() == 0

    # And an action that succeeds leaves no draft behind
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.locator("[name='request_extension-amount']").fill("5")
    panel.locator("[name='request_extension-reason']").fill(reason)
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    assert page.locator(".messages li.error").count() == 0
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('jiedao-draft:case-'))") == []
    assert browser_errors.messages == []


def test_clearing_a_restored_registration_drops_the_picked_category(page: Page, browser_errors: BrowserErrors) -> None:
    # Given a registration draft with only a category picked from the picker, left by a reload
    log_in(page, "paidan")
    page.goto("/cases/new/")
    page.locator("#category-search").press_sequentially("ld", delay=50)
    option = page.locator("#category-options [role=option]").first
    option.wait_for()
    category_path = option.get_attribute("data-path")
    option.click()
    page.reload()
    page.locator(NOTE).wait_for()
    assert page.locator("[data-category-chosen]").inner_text() == category_path

    # When the dispatcher clears the draft
    page.locator(f"{NOTE} button").click()

    # Then no category is chosen, shown or sent, and a reload brings none back
    assert page.locator("#id_category").input_value() == ""
    assert page.locator("[data-category-chosen]").inner_text() == ""
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_category").input_value() == "" and page.locator(NOTE).count() == 0
    assert browser_errors.messages == []
