"""What a grid worker and a leader see: their navigation, their home page and their part of the grid map."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.web.navigation import items_for
from tests.e2e.actions import log_in, nav_keys, open_map, polygon_paths

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e

OTHER_OFFICE_PREFIX = "330199002"  # 安澜街道: outside every 望湖街道 user's area


def _expected_nav(username: str) -> list[str]:
    return [item["key"] for item in items_for(User.objects.get(username=username))]


def test_grid_worker_sees_his_navigation_and_only_his_grid(page: Page, browser_errors: BrowserErrors) -> None:
    # Given the grid worker of 柳岸社区第1网格
    grid = RoleAssignment.objects.select_related("place").get(user__username="wanggeyuan", role=Role.GRID_WORKER).place
    assert grid is not None
    expected_nav = _expected_nav("wanggeyuan")
    assert "admin" not in expected_nav

    # When he logs in, the header offers exactly the entries of his role
    log_in(page, "wanggeyuan")
    assert nav_keys(page) == expected_nav
    assert page.locator("[data-nav=admin]").count() == 0

    # and the grid map draws his grid alone
    assert open_map(page) == 1
    assert polygon_paths(page) == 1

    # and clicking it shows the grid's card
    page.locator(".leaflet-overlay-pane path").click()
    card = page.locator("[data-testid=place-card]")
    card.wait_for()
    assert card.get_attribute("data-code") == grid.code
    assert card.locator("h2").inner_text() == grid.name
    assert browser_errors.messages == []


def test_leader_sees_the_chart_and_the_whole_office_on_the_map(page: Page, browser_errors: BrowserErrors) -> None:
    # Given the principal leader of 望湖街道, whose map should hold its communities and grids
    office = RoleAssignment.objects.select_related("place").get(user__username="zhuyao").place
    assert office is not None and office.level == Level.SUBDISTRICT
    expected_features = Place.objects.filter(
        prefix__startswith=office.prefix, level__in=[Level.COMMUNITY, Level.GRID], boundary__isnull=False
    ).count()
    assert Place.objects.filter(code__startswith=OTHER_OFFICE_PREFIX, level=Level.GRID).exists()
    expected_nav = _expected_nav("zhuyao")

    # When he logs in
    log_in(page, "zhuyao")
    assert nav_keys(page) == expected_nav

    # Then the home page draws the chart of his communities
    page.locator('[data-chart][data-rendered="1"] canvas').first.wait_for()

    # and the map draws every community and grid of his office
    assert open_map(page) == expected_features
    assert polygon_paths(page) == expected_features

    # and the layer holds nothing of the other office
    response = page.request.get("/places/map.geojson")
    assert response.ok
    codes = [feature["properties"]["code"] for feature in response.json()["features"]]
    assert len(codes) == expected_features
    assert [code for code in codes if code.startswith(OTHER_OFFICE_PREFIX)] == []
    assert all(code.startswith(office.prefix) for code in codes)
    assert browser_errors.messages == []


@pytest.mark.parametrize("width", [1280, 900])
def test_the_longest_navigation_keeps_every_entry_on_one_line(
    page: Page, browser_errors: BrowserErrors, width: int
) -> None:
    # Given the dispatcher, whose navigation is among the longest, on a desktop or a narrow window
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "paidan")
    entries = page.locator("#mainnav [data-nav], #mainnav .usermenu > *")
    # Then no entry breaks inside its words (我的待办 used to show as 我的待 / 办): each is one line high
    heights = entries.evaluate_all(
        "els => els.map(e => [e.textContent.trim(), e.getBoundingClientRect().height,"
        " parseFloat(getComputedStyle(e).lineHeight) || 22])"
    )
    assert len(heights) >= 10
    tall = [(text, height) for text, height, line in heights if height > 1.5 * line + 16]
    assert tall == []
    assert browser_errors.messages == []


def test_phone_layout_opens_the_menu_with_the_toggle(phone_page: Page, browser_errors: BrowserErrors) -> None:
    # Given a grid worker on a 390×844 phone screen
    log_in(phone_page, "wanggeyuan")
    menu = phone_page.locator("#mainnav")
    toggle = phone_page.locator("[data-nav-toggle]")

    # The menu is folded away behind the toggle
    assert toggle.is_visible()
    assert not menu.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"

    # When he taps the toggle, the menu and its entries show
    toggle.click()
    assert menu.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert phone_page.locator("#mainnav [data-nav=map]").is_visible()

    # and the map entry leads to the map
    phone_page.locator("#mainnav [data-nav=map]").click()
    phone_page.wait_for_url("**/places/map/")
    assert phone_page.locator("#map").bounding_box() is not None
    assert browser_errors.messages == []
