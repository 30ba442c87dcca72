"""The real login view's refusals, and the audited reveal of a staff member's full phone number."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.utils import translation

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
