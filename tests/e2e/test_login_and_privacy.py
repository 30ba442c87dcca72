"""The real login view's refusals, and the audited reveal of a staff member's full phone number."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import translation
from playwright.sync_api import expect

from jiedao.accounts.choices import Role
from jiedao.accounts.forms import LoginForm
from jiedao.accounts.models import RoleAssignment, User
from jiedao.audit.choices import AuditAction
from jiedao.audit.models import AuditEvent
from jiedao.core.masking import mask_phone
from jiedao.demo.builder import DEMO_PASSWORD
from tests.e2e.actions import LOGIN_PATH, log_in, submit_login

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e


def _form_error(key: str) -> str:
    """The login form's error message as the zh-hans page shows it."""
    with translation.override(settings.LANGUAGE_CODE):
        params: dict[str, object] = {
            "username": str(User._meta.get_field("username").verbose_name),
            "minutes": settings.LOGIN_LOCKOUT_MINUTES,
        }
        return str(LoginForm.error_messages[key]) % params


def test_wrong_password_shows_the_error_and_five_failures_lock_the_account(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given a user nobody else uses in these tests (the lock would spoil their logins)
    username = "fenguan"
    alert = page.locator("main [role=alert]")
    page.goto(LOGIN_PATH)

    # When he mistypes his password, the form says so and he stays on the login page
    submit_login(page, username, "wrong password 1")
    assert alert.inner_text().strip() == _form_error("invalid_login")
    assert page.url.endswith(LOGIN_PATH)
    assert page.locator("[data-testid=username]").count() == 0

    # When he fails four more times, the next login is refused even with the right password
    for attempt in range(2, settings.LOGIN_FAILURE_LIMIT + 1):
        submit_login(page, username, f"wrong password {attempt}")
        assert alert.inner_text().strip() == _form_error("invalid_login")
    submit_login(page, username, DEMO_PASSWORD)
    assert alert.inner_text().strip() == _form_error("locked")
    assert page.locator("[data-testid=username]").count() == 0
    assert browser_errors.messages == []


def test_dispatcher_reveals_a_full_phone_number_and_the_view_is_audited(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given the grid worker of the first grid, whose number the dispatcher of his office may see
    assignment = RoleAssignment.objects.select_related("user", "place").get(
        user__username="wanggeyuan", role=Role.GRID_WORKER
    )
    subject, grid = assignment.user, assignment.place
    assert grid is not None and re.fullmatch(r"\d{11}", subject.phone)
    audited = AuditEvent.objects.filter(
        action=AuditAction.PII_VIEW, actor__username="paidan", object_id=str(subject.pk), field="phone"
    )
    assert not audited.exists()

    # When the dispatcher opens the grid, the number is masked
    log_in(page, "paidan")
    page.goto(f"/places/{grid.pk}/")
    shown = page.locator(f"[id^='phone-{subject.pk}-']").first
    assert mask_phone(subject.phone) in shown.inner_text()
    assert subject.phone not in page.content()

    # When he asks for the full number, it replaces the masked one
    shown.locator("button[hx-post]").click()
    full = shown.locator(".pii-full")
    full.wait_for()
    assert full.inner_text() == subject.phone

    # Then the view is in the audit log
    assert audited.count() == 1
    assert browser_errors.messages == []


def test_a_failed_htmx_request_says_so_and_the_next_one_works(page: Page, browser_errors: BrowserErrors) -> None:
    # Given the dispatcher on a grid page with a masked number (the reveal is an htmx POST)
    assignment = RoleAssignment.objects.select_related("user", "place").get(
        user__username="wanggeyuan", role=Role.GRID_WORKER
    )
    subject, grid = assignment.user, assignment.place
    assert grid is not None
    log_in(page, "paidan")
    page.goto(f"/places/{grid.pk}/")
    shown = page.locator(f"[id^='phone-{subject.pk}-']").first
    alert = page.locator("main .messages [role=alert]")
    reveal = f"**/places/people/{subject.pk}/phone/"

    # When the server is busy, the page says so (htmx itself would leave it silent)
    page.route(reveal, lambda route: route.fulfill(status=503, body="busy"))
    shown.locator("button[hx-post]").click()
    alert.wait_for()
    assert "系统繁忙" in alert.inner_text()

    # When it fails, the same line says which error, and nothing piles up
    page.unroute(reveal)
    page.route(reveal, lambda route: route.fulfill(status=500, body="bug"))
    shown.locator("button[hx-post]").click()
    expect(alert).to_contain_text("500")
    assert alert.count() == 1
    assert "没有保存任何内容" in alert.inner_text()

    # When the network is down, it says that instead
    page.unroute(reveal)
    page.route(reveal, lambda route: route.abort())
    shown.locator("button[hx-post]").click()
    expect(alert).to_contain_text("无法连接服务器")

    # Then, with the server back, the same button works
    page.unroute(reveal)
    shown.locator("button[hx-post]").click()
    shown.locator(".pii-full").wait_for()
    assert shown.locator(".pii-full").inner_text() == subject.phone
    assert [m for m in browser_errors.messages if not m.startswith("HTTP 5")] == []


def test_an_ended_session_sends_the_typing_dispatcher_to_the_login_and_back(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given the dispatcher on the registration form
    log_in(page, "paidan")
    page.goto("/cases/new/")
    page.locator("#id_title").wait_for()
    # The form's first suggestion and duplicate requests have answered (each saves the session again)
    page.wait_for_load_state("networkidle")

    # When her session ends on the server (what the idle timeout does; the browser keeps its cookies) and she types,
    # asking for suggestions
    Session.objects.all().delete()
    with page.expect_navigation():
        page.locator("#id_title").fill("小区路灯不亮")

    # Then the whole page is the login form, not a login form inside the suggestions box
    assert page.url.endswith(f"{LOGIN_PATH}?next=%2Fcases%2Fnew%2F")
    assert page.locator("#category-suggestions").count() == 0

    # and after logging in she is back on the form
    submit_login(page, "paidan", DEMO_PASSWORD)
    page.wait_for_url("**/cases/new/")
    assert browser_errors.messages == []
