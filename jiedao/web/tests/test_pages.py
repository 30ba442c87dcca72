"""The shell: home page per role, navigation, the map layer, place pages, unmasking, headers."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiedao.audit.models import AuditEvent
from jiedao.web.navigation import items_for

PERSONAS = [
    "grid_worker",
    "grid_leader",
    "community_staff",
    "dispatcher",
    "unit_handler",
    "deputy_leader",
    "principal_leader",
    "office_admin",
    "outsider",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_page_shows_a_section_for_the_role_and_its_navigation(request, client, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    html = response.content.decode()
    role = user.role_assignments.get().role
    assert f'data-role="{role}"' in html
    for item in items_for(user):
        assert f'data-nav="{item["key"]}"' in html


QUICK = {
    "grid_worker": ["report", "register"],
    "grid_leader": ["report", "register"],
    "community_staff": ["report", "register"],
    "dispatcher": ["register"],
    "office_admin": ["register"],
    "unit_handler": [],
    "deputy_leader": [],
    "principal_leader": [],
}


@pytest.mark.parametrize(("persona", "expected"), sorted(QUICK.items()))
def test_home_page_offers_the_roles_first_move_one_tap_away(request, client, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("web:home"))
    assert [q["key"] for q in response.context["quick"]] == expected
    html = response.content.decode()
    for key in expected:
        assert f'data-quick="{key}"' in html
    assert ('data-testid="quick-actions"' in html) == bool(expected)
    # each leads to a form the user may open
    for q in response.context["quick"]:
        assert client.get(q["url"]).status_code == 200


def test_navigation_differs_by_role(grid_worker, office_admin, principal_leader):
    keys = {u.username: [i["key"] for i in items_for(u)] for u in (grid_worker, office_admin, principal_leader)}
    assert "admin" not in keys["grid_worker"]
    assert "admin" not in keys["principal_leader"]
    assert "admin" in keys["office_admin"]
    assert keys["grid_worker"][:4] == ["home", "cases", "report", "map"]


def test_leader_home_has_a_chart_of_the_communities(client, principal_leader, world):
    client.force_login(principal_leader)
    html = client.get(reverse("web:home")).content.decode()
    assert 'data-chart="households-by-child"' in html
    assert "A社区" in html and "B社区" in html
    assert "C社区" not in html


def _codes(response):
    return {f["properties"]["code"] for f in json.loads(response.content)["features"]}


def test_map_layer_of_a_grid_worker_is_his_grid_only(client, grid_worker, world):
    client.force_login(grid_worker)
    assert _codes(client.get(reverse("places:map_geojson"))) == {world.grid_a1.code}


def test_map_layer_of_a_dispatcher_is_his_office_and_never_the_other(client, dispatcher, world):
    client.force_login(dispatcher)
    codes = _codes(client.get(reverse("places:map_geojson")))
    assert {world.grid_a1.code, world.grid_a2.code, world.grid_b1.code} <= codes
    assert not any(code.startswith(world.other_office.prefix) for code in codes)


def test_map_layer_of_the_outsider_excludes_community_a(client, outsider, world):
    client.force_login(outsider)
    codes = _codes(client.get(reverse("places:map_geojson")))
    assert codes == {world.grid_b1.code}


def test_map_page_renders_with_configured_tiles(client, dispatcher, settings):
    settings.MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    client.force_login(dispatcher)
    html = client.get(reverse("places:map")).content.decode()
    assert "tiles.example.test" in html
    assert 'id="map"' in html


def test_place_detail_is_404_outside_scope_and_for_missing(client, outsider, world):
    client.force_login(outsider)
    assert client.get(reverse("places:detail", args=[world.grid_b1.pk])).status_code == 200
    assert client.get(reverse("places:detail", args=[world.grid_a1.pk])).status_code == 404
    assert client.get(reverse("places:card", args=[world.grid_a1.pk])).status_code == 404
    assert client.get(reverse("places:detail", args=[987654])).status_code == 404


def test_place_card_masks_staff_phones(client, dispatcher, grid_worker, world):
    client.force_login(dispatcher)
    html = client.get(reverse("places:card", args=[world.grid_a1.pk])).content.decode()
    assert grid_worker.phone not in html
    assert f"{grid_worker.phone[:3]}****{grid_worker.phone[-4:]}" in html


def test_revealing_a_phone_returns_it_and_is_audited(client, dispatcher, grid_worker):
    client.force_login(dispatcher)
    response = client.post(reverse("places:reveal_phone", args=[grid_worker.pk]))
    assert response.status_code == 200
    assert grid_worker.phone in response.content.decode()
    event = AuditEvent.objects.get(action="pii_view")
    assert (event.actor, event.object_id, event.field) == (dispatcher, str(grid_worker.pk), "phone")


def test_a_grid_worker_may_not_reveal_a_colleagues_phone(client, grid_worker, grid_leader):
    client.force_login(grid_worker)
    response = client.post(reverse("places:reveal_phone", args=[grid_leader.pk]))
    assert response.status_code in (403, 404)
    assert grid_leader.phone not in response.content.decode()
    assert not AuditEvent.objects.filter(action="pii_view").exists()


def test_the_outsider_cannot_reveal_phones_in_another_community(client, outsider, grid_worker):
    client.force_login(outsider)
    assert client.post(reverse("places:reveal_phone", args=[grid_worker.pk])).status_code == 404


def test_reveal_needs_post(client, dispatcher, grid_worker):
    client.force_login(dispatcher)
    assert client.get(reverse("places:reveal_phone", args=[grid_worker.pk])).status_code == 405


def test_resolve_point_names_the_grid_for_a_dispatcher(client, dispatcher, world):
    client.force_login(dispatcher)
    data = client.get(reverse("places:resolve"), {"lng": "120.005", "lat": "30.005"}).json()
    assert data["found"] is True
    assert data["grid"]["code"] == world.grid_a1.code
    assert data["community"]["name"] == "A社区"
    assert data["office"]["name"] == "甲街道"


def test_resolve_point_outside_scope_looks_like_outside_every_grid(client, outsider, world):
    client.force_login(outsider)
    inside_a = client.get(reverse("places:resolve"), {"lng": "120.005", "lat": "30.005"}).json()
    nowhere = client.get(reverse("places:resolve"), {"lng": "100", "lat": "20"}).json()
    assert inside_a == nowhere == {"found": False, "message": nowhere["message"]}


@pytest.mark.parametrize("params", [{}, {"lng": "x", "lat": "30"}, {"lng": "200", "lat": "30"}])
def test_resolve_point_rejects_bad_input_with_a_message(client, dispatcher, params):
    client.force_login(dispatcher)
    response = client.get(reverse("places:resolve"), params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_security_headers_are_set(client, dispatcher):
    client.force_login(dispatcher)
    response = client.get(reverse("web:home"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


def test_pages_are_in_chinese(client, dispatcher):
    client.force_login(dispatcher)
    html = client.get(reverse("web:home")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "网格地图" in html


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["web:home", "places:list", "places:map_geojson", "web:units"])
def test_list_pages_use_a_bounded_number_of_queries(client, dispatcher, world, url_name):
    from jiedao.places.tests.factories import make_community, make_grid, square

    client.force_login(dispatcher)
    small = _count_queries(client, reverse(url_name))
    # more communities, grids and units must not mean more queries
    for seq in range(3, 8):
        community = make_community(world.office, seq, f"新{seq}社区")
        make_grid(community, 1, square(121 + seq / 10, 30.0))
    assert _count_queries(client, reverse(url_name)) == small


def test_the_favicon_is_the_app_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith(".svg") and "jiedao/favicon" in response.url


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_of_the_navigation_repeats_an_element_id(request, client, persona):
    """A repeated id sends a label (and a screen reader) to the wrong control."""
    import re
    from collections import Counter

    user = request.getfixturevalue(persona)
    client.force_login(user)
    for item in items_for(user):
        if item["key"] == "admin":
            continue
        page = client.get(item["url"])
        assert page.status_code == 200, item["url"]
        ids = Counter(re.findall(r'\sid="([^"]+)"', page.content.decode()))
        assert [i for i, n in ids.items() if n > 1] == [], item["url"]
