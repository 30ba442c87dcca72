"""Every page of the navigation fits a phone's screen, for the roles that work from one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.actions import log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("username", ["wanggeyuan", "paidan", "zhuyao"])
def test_no_page_of_the_navigation_is_wider_than_the_phone(
    phone_page: Page, browser_errors: BrowserErrors, username: str
) -> None:
    screen = phone_page.viewport_size
    assert screen is not None
    log_in(phone_page, username)
    links = [a.get_attribute("href") for a in phone_page.locator("#mainnav a[data-nav]").all()]
    assert len(links) >= 3
    wide = {}
    for href in links:
        assert href is not None
        phone_page.goto(href)
        phone_page.wait_for_load_state("networkidle")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        if width > screen["width"]:
            wide[href] = width
    assert wide == {}, f"pages wider than the {screen['width']} px screen: {wide}"
    assert browser_errors.messages == []
