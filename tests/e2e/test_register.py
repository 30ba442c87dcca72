"""Registration in the browser: the hint of possible duplicates while typing, and the map that sets the point."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from shapely.geometry import shape

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.models import Case
from jiedao.places.models import Place
from tests.e2e.actions import log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e

DISPATCHER = "paidan"
GRID_WORKER = "wanggeyuan"


def _grid_of(username: str) -> Place:
    grid = RoleAssignment.objects.select_related("place").get(user__username=username, role=Role.GRID_WORKER).place
    assert grid is not None
    return grid


def _inside(grid: Place) -> tuple[float, float]:
    point = shape(grid.boundary).representative_point()
    return point.x, point.y


def _pixel_inside(page: Page, grid: Place) -> tuple[float, float]:
    """Where on the screen a point inside `grid` is, from the polygon Leaflet drew for it."""
    page.locator("[data-testid=register-map]").scroll_into_view_if_needed()
    box = page.locator(f".leaflet-overlay-pane path.place-{grid.pk}").bounding_box()
    assert box is not None
    min_x, min_y, max_x, max_y = shape(grid.boundary).bounds
    x, y = _inside(grid)
    return (
        box["x"] + (x - min_x) / (max_x - min_x) * box["width"],
        box["y"] + (max_y - y) / (max_y - min_y) * box["height"],
    )


def _wait_for(page: Page, selector: str, attribute: str, value: str) -> None:
    page.wait_for_function(
        "([s, a, v]) => { const e = document.querySelector(s); return !!e && e.getAttribute(a) === v; }",
        arg=[selector, attribute, value],
    )


def test_the_dispatcher_sees_a_likely_repeat_and_sets_the_point_on_the_map(
    page: Page, browser_errors: BrowserErrors
) -> None:
    # Given a street lamp reported yesterday in the grid worker's grid
    grid = _grid_of(GRID_WORKER)
    other_grid = Place.objects.filter(level="grid", prefix__startswith=grid.prefix[:9]).exclude(pk=grid.pk).first()
    assert other_grid is not None
    earlier = services.case_register(
        actor=User.objects.get(username=DISPATCHER),
        channel=Channel.HOTLINE_12345,
        request_type=RequestType.COMPLAINT,
        title="小区路灯不亮",
        content="柳岸小区3号楼前路灯连续一周不亮，夜间出行不便。",
        place=grid,
    )

    # When the dispatcher types the same problem on the registration form
    log_in(page, DISPATCHER)
    page.goto("/cases/new/")
    drawn = page.locator("[data-testid=register-map][data-features]")
    drawn.wait_for(state="attached")
    assert int(drawn.get_attribute("data-features") or "0") > 1
    page.locator("#id_title").fill("路灯坏了")
    page.locator("#id_content").fill("柳岸小区3号楼门口的路灯不亮好几天了，晚上很黑。")

    # And types the coordinates of a point in another grid: the marker moves there and that grid is named
    lng, lat = _inside(other_grid)
    page.locator("#id_lng").fill(f"{lng:.6f}")
    page.locator("#id_lat").fill(f"{lat:.6f}")
    _wait_for(page, "[data-testid=resolved-place]", "data-grid-id", str(other_grid.pk))
    assert page.locator("#id_place").input_value() == str(other_grid.pk)

    # And then clicks inside the lamp's grid on the map
    x, y = _pixel_inside(page, grid)
    page.mouse.click(x, y)

    # Then the point is filled in, its grid resolved and chosen, and the earlier lamp is offered as a duplicate
    _wait_for(page, "[data-testid=resolved-place]", "data-grid-id", str(grid.pk))
    assert grid.name in page.locator("[data-testid=resolved-place]").inner_text()
    assert page.locator("#id_place").input_value() == str(grid.pk)
    clicked = (page.locator("#id_lng").input_value(), page.locator("#id_lat").input_value())
    assert clicked != (f"{lng:.6f}", f"{lat:.6f}")
    hint = page.locator(f"[data-testid=duplicates] tr[data-case-number='{earlier.number}']")
    hint.wait_for()
    assert "同一网格；文本相似" in hint.inner_text()
    assert hint.locator("a").get_attribute("href") == f"/cases/{earlier.pk}/"

    # When he registers the demand all the same
    with page.expect_navigation():
        page.locator("[data-testid=register-form] button[type=submit]").click()

    # Then it is a new case at the clicked point, in that grid
    case = Case.objects.exclude(pk=earlier.pk).get(title="路灯坏了")
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert (case.grid_id, case.lng, case.lat) == (grid.pk, Decimal(clicked[0]), Decimal(clicked[1]))
    assert browser_errors.messages == []
