"""The leaders' hot-spot page through the test client: who may read it, what it shows, the refresh, the queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiedao.hotspots.models import HotSpot
from jiedao.hotspots.services import hotspots_refresh
from jiedao.hotspots.tasks import refresh_hotspots, weeks_to_refresh
from jiedao.hotspots.tests.conftest import GARBAGE, LAMP, LAMP_OTHER, SHANGHAI, WEEK, at, register
from jiedao.web.navigation import items_for

INDEX = reverse("hotspots:index")


def history(dispatcher, lamps=4):
    for n in range(lamps):
        register(dispatcher, LAMP if n % 2 else LAMP_OTHER, received_at=at(WEEK, 9 + n), n=n)
    for n in range(3):
        register(dispatcher, GARBAGE, received_at=at(WEEK, 8, n), n=n)


@pytest.mark.parametrize("persona", ["dispatcher", "office_admin", "deputy_leader", "principal_leader"])
def test_leaders_dispatchers_and_admins_read_the_page(request, client, world, now, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert 'data-nav="hotspots"' in response.content.decode()
    assert "hotspots" in [item["key"] for item in items_for(user)]


@pytest.mark.parametrize("persona", ["grid_worker", "grid_leader", "community_staff", "unit_handler", "outsider"])
def test_everyone_else_finds_no_page(request, client, world, dispatcher, now, persona):
    history(dispatcher)
    [spot, *_rest] = hotspots_refresh(office=world.office, week_start=WEEK)
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(INDEX).status_code == 404
    assert client.get(reverse("hotspots:detail", args=[spot.pk])).status_code == 404
    response = client.post(reverse("hotspots:refresh"), {"office": world.office.pk, "week": WEEK.isoformat()})
    assert response.status_code == 404
    assert "hotspots" not in [item["key"] for item in items_for(user)]


def test_the_other_offices_dispatcher_sees_nothing_of_this_office(
    client, world, dispatcher, other_office_dispatcher, now
):
    history(dispatcher)
    [spot, *_rest] = hotspots_refresh(office=world.office, week_start=WEEK)
    client.force_login(other_office_dispatcher)
    assert client.get(INDEX, {"office": world.office.pk}).status_code == 404
    assert client.get(reverse("hotspots:detail", args=[spot.pk])).status_code == 404
    response = client.get(INDEX)
    assert response.context["office"] == world.other_office
    assert response.context["rising"] == [] and response.context["spot"] is None


def test_the_page_shows_the_rising_problem_its_map_and_cases_in_few_queries(
    client, world, dispatcher, deputy_leader, now, django_assert_max_num_queries
):
    # Given a rising lamp problem this week and three garbage cases, refreshed
    history(dispatcher)
    hotspots_refresh(office=world.office, week_start=WEEK)
    client.force_login(deputy_leader)
    client.get(INDEX)  # warm the session and the process caches

    # When the leader opens the page
    with django_assert_max_num_queries(14) as counted:
        response = client.get(INDEX, {"week": WEEK.isoformat()})
    page = response.content.decode()

    # Then both are listed as rising, the first is open with its map data and cases linked to their pages
    rising = response.context["rising"]
    assert [spot.this_week for spot, _spark, _query in rising] == [4, 3]
    chosen = response.context["spot"]
    assert "路灯" in chosen.label and chosen.label in page
    assert "data-sparkline" in page and 'data-values="0,0,0,0,4"' in page
    assert f'id="hotspot-layer-{chosen.pk}"' in page and "data-hotspot-map" in page
    assert [f["properties"]["count"] for f in response.context["layer"]["features"]][:2] == [4, 0]
    assert len(response.context["cases"]) == 4
    assert reverse("cases:detail", args=[response.context["cases"][0].pk]) in page
    assert "<script>" not in page  # the CSP forbids inline scripts: data goes through json_script

    # And more cases cost no more queries
    history(dispatcher, lamps=8)
    hotspots_refresh(office=world.office, week_start=WEEK)
    with django_assert_max_num_queries(len(counted)):
        client.get(INDEX, {"week": WEEK.isoformat()})


def test_the_detail_fragment_and_the_week_picker(client, world, dispatcher, now):
    history(dispatcher)
    spot = hotspots_refresh(office=world.office, week_start=WEEK)[1]
    client.force_login(dispatcher)
    fragment = client.get(reverse("hotspots:detail", args=[spot.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and fragment.context["spot"] == spot
    assert "<html" not in fragment.content.decode()
    chosen = client.get(INDEX, {"hotspot": spot.pk})
    assert chosen.context["spot"] == spot
    previous = client.get(INDEX, {"week": "2026-11-16"})
    assert previous.context["week"].isoformat() == "2026-11-16" and previous.context["computed"] is None
    assert client.get(INDEX, {"week": "2026-11-18"}).context["week"] == WEEK  # not a Monday: this week
    assert client.get(INDEX, {"office": "x"}).status_code == 404


def test_leaders_refresh_on_demand_and_dispatchers_may_not(client, world, dispatcher, deputy_leader, now):
    history(dispatcher)
    client.force_login(dispatcher)
    assert "hotspot-refresh" not in client.get(INDEX).content.decode()
    client.post(reverse("hotspots:refresh"), {"office": world.office.pk, "week": WEEK.isoformat()})
    assert not HotSpot.objects.exists()

    client.force_login(deputy_leader)
    response = client.post(reverse("hotspots:refresh"), {"office": world.office.pk, "week": WEEK.isoformat()})
    assert response.status_code == 302 and f"week={WEEK.isoformat()}" in response.url
    assert HotSpot.objects.filter(office=world.office, week_start=WEEK).count() == 2


def test_the_nightly_task_is_registered_and_refreshes_every_office(world, dispatcher, now):
    import datetime as dt

    history(dispatcher)
    from huey.contrib.djhuey import HUEY

    assert "refresh_hotspots" in [type(t).__name__ for t in HUEY._registry.periodic_tasks]
    task = refresh_hotspots.s()
    # huey matches crontabs in UTC: 18:30 UTC is 02:30 in Shanghai
    assert task.validate_datetime(dt.datetime(2026, 11, 24, 18, 30))
    assert not task.validate_datetime(dt.datetime(2026, 11, 24, 2, 30))
    assert refresh_hotspots.call_local() == 2
    assert set(HotSpot.objects.values_list("office_id", "week_start")) == {(world.office.pk, WEEK)}
    # The night after a Sunday also completes the week just ended
    monday_night = dt.datetime(2026, 11, 30, 2, 30, tzinfo=SHANGHAI)
    assert weeks_to_refresh(monday_night) == [WEEK, dt.date(2026, 11, 30)]
    assert weeks_to_refresh(monday_night + dt.timedelta(days=1)) == [dt.date(2026, 11, 30)]


@pytest.mark.parametrize(
    ("moment", "opened"),
    [
        ((2026, 11, 30, 0, 5), WEEK),  # Monday just after midnight in Shanghai: last week
        ((2026, 12, 1, 23, 59), WEEK),  # Tuesday evening: still last week
        ((2026, 12, 2, 0, 0), WEEK + dt.timedelta(weeks=1)),  # Wednesday: this week
        ((2026, 12, 6, 22, 0), WEEK + dt.timedelta(weeks=1)),  # Sunday
    ],
)
def test_the_weekly_review_opens_on_last_week_until_this_week_has_two_whole_days(
    client, world, dispatcher, deputy_leader, now, moment, opened
):
    # Given the lamp problem rose in the week of 23 November and was refreshed
    history(dispatcher)
    hotspots_refresh(office=world.office, week_start=WEEK)
    client.force_login(deputy_leader)

    # When the leader opens the page without choosing a week, at the moment given
    now.set(*moment)
    response = client.get(INDEX)
    page = response.content.decode()

    # Then it opens on the week expected; on last week, it says why and links to this week
    assert response.context["week"] == opened
    this_week = WEEK + dt.timedelta(weeks=1)
    assert response.context["weeks"][0] == this_week
    if opened == WEEK:
        assert 'data-testid="hotspot-early-week"' in page and f"week={this_week.isoformat()}" in page
        assert "上周上升的问题" in page and len(response.context["rising"]) == 2
    else:
        assert 'data-testid="hotspot-early-week"' not in page and "本周上升的问题" in page
    # And a week asked for is shown as asked, without the notice
    asked = client.get(INDEX, {"week": this_week.isoformat()})
    assert asked.context["week"] == this_week and 'data-testid="hotspot-early-week"' not in asked.content.decode()
