"""What a user does in the browser, in steps the tests share; selectors avoid the (Chinese) wording."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiedao.demo.builder import DEMO_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

LOGIN_PATH = "/accounts/login/"


def submit_login(page: Page, username: str, password: str) -> None:
    """Fill and send the login form (the page must show it)."""
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form and land on the home page."""
    page.goto(LOGIN_PATH)
    submit_login(page, username, password)
    page.wait_for_url("**/")
    assert page.locator("[data-testid=username]").count() == 1, f"{username} is not logged in"


def nav_keys(page: Page) -> list[str]:
    """The keys of the header navigation entries, in order."""
    return [
        key or ""
        for key in page.locator("#mainnav [data-nav]").evaluate_all(
            "links => links.map(link => link.getAttribute('data-nav'))"
        )
    ]


def open_map(page: Page) -> int:
    """Open the grid map and wait until its layer is drawn; return how many features it drew."""
    page.goto("/places/map/")
    drawn = page.locator("#map[data-features]")
    drawn.wait_for(state="attached")
    return int(drawn.get_attribute("data-features") or "-1")


def polygon_paths(page: Page) -> int:
    """SVG paths Leaflet drew in its overlay pane (one per polygon)."""
    return page.locator(".leaflet-overlay-pane path").count()
