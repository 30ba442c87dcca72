"""The leaders' dashboard in a real browser: charts drawn, the heat map of the grids, and a number's cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from jiedao.accounts.models import User
from jiedao.cases import services as case_services
from jiedao.cases.choices import Channel, RequestType
from jiedao.places.choices import Level
from jiedao.places.models import Place
from tests.e2e.actions import log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e


def _register_some() -> None:
    """Register three demands in two grids of 望湖街道 through the service."""
    dispatcher = User.objects.get(username="paidan")
    office = Place.objects.get(name="望湖街道")
    grids = list(Place.objects.filter(level=Level.GRID, prefix__startswith=office.prefix).order_by("code")[:2])
    for n, channel in enumerate((Channel.PHONE, Channel.HOTLINE_12345, Channel.PHONE)):
        case_services.case_register(
            actor=dispatcher,
            channel=channel,
            request_type=RequestType.HELP,
            title="楼道灯不亮",
            content=f"{n + 1}号楼楼道灯坏了，晚上看不清楼梯。",
            upstream_number=f"E2E-DASH-{n}" if channel == Channel.HOTLINE_12345 else "",
            place=grids[n % 2],
        )


def test_a_leader_reads_the_dashboard_and_follows_a_number_to_its_cases(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given the demo district and demands registered this year, when the principal leader opens the dashboard
    _register_some()
    log_in(page, "zhuyao")
    page.locator("#mainnav [data-nav=dashboard]").click()
    page.locator("[data-testid=dashboard-filters] select[name=period]").select_option("year")
    page.locator("[data-testid=dashboard-filters] button[type=submit]").click()
    page.wait_for_url("**/analytics/dashboard/?period=year*")

    # Then the charts are drawn (ECharts canvases) and the grids are coloured on the map
    for chart in ("volume", "trend"):
        page.locator(f"[data-dash-chart={chart}][data-rendered] canvas").first.wait_for()
    assert page.locator("[data-dash-chart][data-rendered] canvas").count() >= 6
    drawn = page.locator("[data-dash-map][data-features]")
    drawn.wait_for(state="attached")
    assert int(drawn.get_attribute("data-features") or "0") > 0
    coloured = page.locator("[data-dash-map] .leaflet-overlay-pane path:not([fill='#f1f5f9'])")
    assert coloured.count() >= 2
    assert page.locator("[data-testid=kpi-card]").count() == 13

    # When he follows the number of cases received, the list holds exactly that many, with the same period
    received = int(page.locator("[data-testid=dash-received] strong").inner_text())
    assert received >= 3
    page.locator("[data-testid=dash-received]").click()
    page.wait_for_url("**/analytics/cases/?*measure=received*")
    assert "period=year" in page.url
    assert str(received) in page.locator("[data-testid=kpi-list-count]").inner_text()
    assert browser_errors.messages == []


def test_the_dashboard_fits_a_phone_and_the_large_screen_draws(phone_page: Page, browser_errors: BrowserErrors) -> None:
    log_in(phone_page, "zhuyao")
    phone_page.goto("/analytics/dashboard/")
    phone_page.locator("[data-dash-chart=volume][data-rendered] canvas").wait_for()
    # Nothing wider than the screen: the page does not scroll sideways (compared with the screen's width: a phone
    # browser widens innerWidth to the content)
    screen = phone_page.viewport_size
    assert screen is not None
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= screen["width"]
    phone_page.goto("/analytics/dashboard/?screen=1")
    phone_page.locator("body.dash-screen [data-dash-chart=trend][data-rendered] canvas").wait_for()
    assert browser_errors.messages == []
