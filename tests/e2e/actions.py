"""What a user does in the browser, in steps the tests share; selectors avoid the (Chinese) wording."""

from __future__ import annotations

import datetime as dt
import re
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


def switch_user(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Forget the session of whoever was logged in and log in as `username`."""
    page.context.clear_cookies()
    log_in(page, username, password)


def case_state(page: Page) -> str:
    """The state of the case on its detail page, from the state badge."""
    return page.locator("[data-testid=case-state]").get_attribute("data-state") or ""


def act(page: Page, action: str, values: dict[str, str | bool] | None = None) -> None:
    """Take `action` from the actions panel of the case detail page and wait for the page to come back.

    `values` names the form's fields without the action prefix: a select gets the value chosen, a checkbox is
    ticked for True, anything else is typed in. Fails when the page reports an error.
    """
    panel = page.locator(f"[data-testid=actions] details[data-action={action}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for name, value in (values or {}).items():
        control = panel.locator(f"[name='{action}-{name}']")
        if isinstance(value, bool):
            control.set_checked(value)
        elif control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    errors = page.locator(".messages li.error")
    assert errors.count() == 0, f"{action}: {errors.all_inner_texts()}"


def timeline_actions(page: Page) -> list[str]:
    """The actions of the case's history on its detail page, oldest first."""
    return [
        action or ""
        for action in page.locator("[data-testid=timeline] li[data-action]").evaluate_all(
            "items => items.map(item => item.getAttribute('data-action'))"
        )
    ]


DEADLINE_SHOWN = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def finish_deadline(page: Page) -> dt.datetime | None:
    """The finishing deadline the case's detail page shows (local time, to the minute); None when it shows "—"."""
    text = page.locator("[data-testid=finish-deadline]").inner_text().strip()
    shown = DEADLINE_SHOWN.match(text)
    return dt.datetime.strptime(shown.group(0), "%Y-%m-%d %H:%M") if shown else None


def time_light(page: Page) -> tuple[str, str]:
    """The colour (green, yellow, red or none, from the light-* class) and the text of the case page's time light."""
    light = page.locator(".page-head .light")
    classes = (light.get_attribute("class") or "").split()
    colour = next((name.removeprefix("light-") for name in classes if name.startswith("light-")), "")
    return colour, light.inner_text().strip()


def timeline_lines(page: Page) -> list[str]:
    """The lines of the case's history as the page shows them, oldest first."""
    return [line.strip() for line in page.locator("[data-testid=timeline] li").all_inner_texts()]


def unread_count(page: Page) -> int:
    """The unread count of the header's notification badge (0 when no badge is shown)."""
    badge = page.locator("[data-testid=unread-count]")
    return int(badge.inner_text().strip()) if badge.count() else 0


def open_case_by_number(page: Page, number: str, queue: str = "all") -> None:
    """Find a case by its number in one of the user's queues and open it."""
    page.goto(f"/cases/?queue={queue}&q={number}")
    page.locator(f"[data-testid=case-table] tr[data-case='{number}'] a").click()
    page.locator("[data-testid=case-state]").wait_for()


def kpi_fraction(page: Page, kpi: str) -> tuple[int, int]:
    """The numerator and denominator shown on a KPI card of the page the user is on (counts, not weighted sums)."""
    card = page.locator(f"[data-testid=kpi-card][data-kpi={kpi}]")
    numerator = card.locator("a[data-part=numerator]").inner_text().strip()
    denominator = card.locator("a[data-part=denominator]").inner_text().strip()
    return int(numerator), int(denominator)
