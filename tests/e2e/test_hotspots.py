"""The leaders' hot-spot page in a real browser: the rising problem, its sparkline, the grid map and its cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from jiedao.accounts.models import User
from jiedao.cases import services as case_services
from jiedao.cases.choices import Channel, RequestType
from jiedao.core import clock
from jiedao.hotspots.services import hotspots_refresh
from jiedao.hotspots.weeks import SHANGHAI, default_week, week_start_of
from jiedao.places.choices import Level
from jiedao.places.models import Place
from tests.e2e.actions import log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e

# Invented demands: four alike about lift breakdowns in two grids, one unrelated.
LIFT = ("电梯经常故障停运", "{n}号楼电梯本周又故障停运，老人上下楼困难，请尽快检修电梯。")


def _lifts_this_week() -> list[int]:
    dispatcher = User.objects.get(username="paidan")
    office = Place.objects.get(name="望湖街道")
    grids = list(Place.objects.filter(level=Level.GRID, prefix__startswith=office.prefix).order_by("code")[:2])
    made = []
    for n in range(4):
        case = case_services.case_register(
            actor=dispatcher,
            channel=Channel.PHONE,
            request_type=RequestType.HELP,
            title=LIFT[0],
            content=LIFT[1].format(n=n + 1),
            place=grids[n % 2],
        )
        made.append(case.pk)
    case_services.case_register(
        actor=dispatcher,
        channel=Channel.PHONE,
        request_type=RequestType.CONSULTATION,
        title="咨询社保卡补办",
        content="社保卡丢失，询问补办需要带哪些材料。",
        place=grids[0],
    )
    hotspots_refresh(office=office, week_start=week_start_of(clock.now()))
    return made


def test_a_leader_sees_the_rising_problem_on_the_map_and_opens_its_case(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given four alike demands this week in two grids of 望湖街道, and the week refreshed
    made = _lifts_this_week()

    # When the principal leader opens 热点研判 from the header
    log_in(page, "zhuyao")
    page.locator("#mainnav [data-nav=hotspots]").click()
    # (on Monday and Tuesday the page opens on last week, says so and links to this week)
    today = clock.now().astimezone(SHANGHAI).date()
    notice = page.locator("[data-testid=hotspot-early-week]")
    if default_week(today) != week_start_of(today):
        notice.locator("a").click()
        page.wait_for_url(f"**week={week_start_of(today).isoformat()}")
    assert notice.count() == 0
    card = page.locator("[data-testid=hotspot-rising] [data-hotspot]").first
    card.wait_for()

    # Then the problem is listed with its key word, its sparkline drawn and its two grids coloured on the map
    assert "电梯" in card.locator("h3").inner_text()
    card.locator("[data-sparkline][data-rendered] canvas").wait_for()
    drawn = page.locator("[data-hotspot-map][data-features]")
    drawn.wait_for(state="attached")
    assert int(drawn.get_attribute("data-features") or "0") == 100
    coloured = page.locator("[data-hotspot-map] .leaflet-overlay-pane path:not([fill='#f1f5f9'])")
    assert coloured.count() == 2

    # And its cases link to their pages
    rows = page.locator("[data-testid=hotspot-cases] tr[data-case]")
    assert sorted(int(r) for r in rows.evaluate_all("rs => rs.map(r => r.getAttribute('data-case'))")) == made
    rows.first.locator("a").click()
    page.wait_for_url("**/cases/*/")
    assert browser_errors.messages == []
