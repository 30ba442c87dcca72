"""The dashboard: its numbers are the KPI selectors' (same code), its parts add up, every number lists exactly the
cases it counts, each viewer sees only his cases, and the page costs a bounded number of queries."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from jiedao.analytics.dashboard import (
    TREND_KPIS,
    Bucket,
    Measure,
    buckets,
    by_category,
    by_channel,
    by_request_type,
    dashboard_cases,
    grid_counts,
    kpi_trend,
    volume_bucket,
    volume_series,
    warnings_now,
)
from jiedao.analytics.selectors import KpiFilter, kpi_summary
from jiedao.analytics.tests.conftest import ALL, W1, W3, Builder, at
from jiedao.analytics.views import period_of
from jiedao.cases.models import Case
from jiedao.core.scope import scope_of
from jiedao.web.navigation import items_for

DASHBOARD = reverse("analytics:dashboard")
CASES = reverse("analytics:cases")
EVERYTHING = {"period": "custom", "start": "2026-11-01", "end": "2026-12-31"}


def triples(figures):
    return {f.kpi: (f.numerator, f.denominator, f.value) for f in figures}


def listed(client, url):
    """The number of cases the drill-down list says it holds."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


# --- the numbers are the KPI selectors' -----------------------------------------------------------------------------


def test_the_tiles_are_kpi_summary_for_the_same_filter(client, history, dispatcher, world):
    client.force_login(dispatcher)
    for query, filters in (
        (EVERYTHING, KpiFilter()),
        ({**EVERYTHING, "place": world.community_a.pk}, KpiFilter(place_prefix=world.community_a.prefix)),
        ({**EVERYTHING, "unit": world.unit_urban.pk}, KpiFilter(unit_id=world.unit_urban.pk)),
        ({**EVERYTHING, "channel": "phone"}, KpiFilter(channel="phone")),
    ):
        response = client.get(DASHBOARD, query)
        assert response.status_code == 200
        shown = [card.figure for card in response.context["cards"]]
        expected = kpi_summary(user=dispatcher, period=ALL_DAYS, filters=filters)
        assert triples(shown) == triples(expected)


ALL_DAYS = period_of(*(at(2026, 11, 1).date(), at(2026, 12, 31).date()))


def test_each_trend_point_is_kpi_summary_of_its_week(history, dispatcher, world):
    for filters in (KpiFilter(), KpiFilter(place_prefix=world.community_b.prefix)):
        points = kpi_trend(user=dispatcher, period=ALL, filters=filters, bucket=Bucket.WEEK)
        assert [p.period for p in points] == buckets(ALL, Bucket.WEEK)
        assert any(p.figures[TREND_KPIS[0]].denominator for p in points)
        for point in points:
            expected = kpi_summary(user=dispatcher, period=point.period, filters=filters, kpis=TREND_KPIS)
            assert triples(point.figures.values()) == triples(expected)


def test_the_trend_is_one_query_over_the_cases_without_rollups(history, dispatcher, django_assert_num_queries):
    scope_of(dispatcher)
    with django_assert_num_queries(2):  # whether the rollups exist (not yet), then one pass over the cases
        kpi_trend(user=dispatcher, period=ALL, bucket=Bucket.DAY)


def test_buckets_follow_the_calendar_of_shanghai():
    weeks = buckets(ALL, Bucket.WEEK)
    assert weeks[0].start == at(2026, 11, 1) and weeks[0].end == at(2026, 11, 2)  # a Sunday, then Mondays
    assert weeks[1].start == at(2026, 11, 2) and weeks[-1].end == at(2027, 1, 1)
    assert [m.start for m in buckets(ALL, Bucket.MONTH)] == [at(2026, 11, 1), at(2026, 12, 1)]
    assert len(buckets(W1, Bucket.DAY)) == 7
    assert volume_bucket(W1) == Bucket.DAY and volume_bucket(ALL) == Bucket.WEEK


# --- the parts add up ---------------------------------------------------------------------------------------------


def test_volume_by_channel_type_category_and_day_sums_to_the_total(history, dispatcher):
    total = Case.objects.exclude(resolution__in=["merged", "voided"]).count()
    assert total == 16
    assert sum(count for _p, count in volume_series(user=dispatcher, period=ALL)) == total
    assert sum(count for _p, count in volume_series(user=dispatcher, period=ALL, bucket=Bucket.DAY)) == total
    assert sum(s.count for s in by_channel(user=dispatcher, period=ALL)) == total
    assert sum(s.count for s in by_request_type(user=dispatcher, period=ALL)) == total
    assert sum(s.count for s in by_category(user=dispatcher, period=ALL, limit=None)) == total
    assert sum(s.count for s in by_category(user=dispatcher, period=ALL, level=2, limit=None)) == total
    assert sum(grid_counts(user=dispatcher, period=ALL).values()) == total


def test_top_categories_name_levels_one_and_two(history, dispatcher, categories):
    level1 = {s.key: (s.label, s.count) for s in by_category(user=dispatcher, period=ALL)}
    assert level1["01"] == ("城乡建设", 5) and level1[None][1] == 5
    level2 = {s.key: s.count for s in by_category(user=dispatcher, period=ALL, level=2)}
    assert level2 == {"0101": 5, "0201": 3, None: 8}  # the consultations sit at level 1 only


def test_overdue_and_due_soon_use_the_light_function(history, dispatcher, now):
    # At the end of the history three running clocks are past their deadline
    red = dashboard_cases(user=dispatcher, measure=Measure.OVERDUE, period=ALL)
    assert warnings_now(user=dispatcher)[Measure.OVERDUE] == red.count() == 3
    assert set(red) == set(Case.objects.overdue(now()))
    assert warnings_now(user=dispatcher)[Measure.YELLOW] == 0
    # The next Monday morning, the case of a week ago has used most of its limit (due at 17:30): yellow
    now.set(2026, 12, 14, 10, 0)
    assert warnings_now(user=dispatcher)[Measure.YELLOW] == 1
    assert list(dashboard_cases(user=dispatcher, measure=Measure.YELLOW, period=ALL)) == [history["future"]]


# --- every number lists its cases --------------------------------------------------------------------------------


def _links(html):
    return [unescape(href) for href in re.findall(r'href="(/analytics/cases/\?[^"]+)"', html)]


def test_every_number_lists_exactly_its_cases_with_the_same_filters(client, history, dispatcher, world):
    client.force_login(dispatcher)
    query = {**EVERYTHING, "place": str(world.community_a.pk)}
    response = client.get(DASHBOARD, query)
    context = response.context
    # the headline figures
    for name in ("received", "overdue", "yellow"):
        figure = context[name]
        assert dict(parse_qsl(urlsplit(figure["url"]).query)).items() >= query.items()
        assert listed(client, figure["url"]) == figure["count"]
    # the tiles: numerators and denominators of every KPI but the notices (the list shows their cases)
    for card in context["cards"]:
        if card.figure.kpi in ("supervision", "handling_time", "composite"):
            continue
        for link in (card.numerator, card.denominator, *card.extra):
            if link is not None and "." not in link.count:
                assert dict(parse_qsl(urlsplit(link.url).query)).items() >= query.items()
                assert listed(client, link.url) == int(link.count), (card.figure.kpi, link.part)
    # the bars and slices, the volume points, the heat-map cells
    charts = context["charts"]
    for chart in ("channel", "type", "category", "subcategory", "volume"):
        for url, value in zip(charts[chart]["urls"], charts[chart]["values"], strict=True):
            if url:
                assert listed(client, url) == value, (chart, url)
    for feature in context["layer"]["features"]:
        assert listed(client, feature["properties"]["url"]) == feature["properties"]["count"]
    assert {f["properties"]["name"] for f in context["layer"]["features"]} >= {world.grid_a1.name}
    # the ranking rows: the composite's cell lists the numerators of its components
    for ranking in context["rankings"]:
        for row in ranking["rows"]:
            response_cell = row["cells"][1]
            numerator = int(response_cell["fraction"].split(" / ")[0])
            assert listed(client, response_cell["url"]) == numerator


def test_the_drill_down_exports_to_excel(client, history, dispatcher):
    client.force_login(dispatcher)
    context = client.get(DASHBOARD, EVERYTHING).context
    response = client.get(context["received"]["url"] + "&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dashboard-received-')


def test_the_page_links_every_number(client, history, dispatcher):
    client.force_login(dispatcher)
    html = client.get(DASHBOARD, EVERYTHING).content.decode()
    links = _links(html)
    assert any("measure=received" in link for link in links)
    assert any("kpi=response&part=numerator" in link for link in links)
    assert any("by=grid" in link for link in links) and any("by=unit" in link for link in links)
    assert 'id="dash-volume"' in html and 'id="dash-layer"' in html
    assert "<script>" not in html  # the content security policy allows no inline script


# --- who sees what ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["dispatcher", "office_admin", "deputy_leader", "principal_leader", "community_staff", "unit_handler"]
)
def test_the_dashboard_is_in_the_navigation_of_its_readers(request, client, history, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert "dashboard" in [item["key"] for item in items_for(user)]
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert 'data-nav="dashboard"' in response.content.decode()


@pytest.mark.parametrize("persona", ["grid_worker", "grid_leader"])
def test_grid_workers_find_no_dashboard(request, client, world, now, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 404
    assert client.get(CASES, {"measure": "received"}).status_code == 404
    assert "dashboard" not in [item["key"] for item in items_for(user)]


def test_the_outsider_sees_nothing_of_community_a(client, history, dispatcher, outsider, world):
    client.force_login(outsider)
    mine = client.get(DASHBOARD, EVERYTHING).context
    office_b = KpiFilter(place_prefix=world.community_b.prefix)
    assert triples(c.figure for c in mine["cards"]) == triples(
        kpi_summary(user=dispatcher, period=ALL_DAYS, filters=office_b)
    )
    received_b = Case.objects.filter(scope_code__startswith=world.community_b.prefix).exclude(
        resolution__in=["merged", "voided"]
    )
    assert mine["received"]["count"] == received_b.count()
    assert {f["properties"]["id"] for f in mine["layer"]["features"]} == {world.grid_b1.pk}
    assert [row["label"] for row in mine["rankings"][1]["rows"]] == [world.community_b.name]
    # naming community A is refused, not answered with A's figures
    assert client.get(DASHBOARD, {**EVERYTHING, "place": world.community_a.pk}).status_code == 400
    listed_ids = set(
        client.get(CASES, {**EVERYTHING, "measure": "received"})
        .context["page"]
        .paginator.object_list.values_list("pk", flat=True)
    )
    assert listed_ids == set(received_b.values_list("pk", flat=True))
    assert (
        client.get(CASES, {**EVERYTHING, "measure": "received", "by": "grid", "key": world.grid_a1.pk}).status_code
        == 404
    )


def test_a_unit_handler_sees_only_his_units_cases(client, history, unit_handler, world):
    client.force_login(unit_handler)
    context = client.get(DASHBOARD, EVERYTHING).context
    names = {case.pk: name for name, case in history.items()}
    ever_dispatched = ["excluded", "good", "returned", "third_week"]
    assert context["received"]["count"] == len(ever_dispatched)
    listed_cases = client.get(context["received"]["url"]).context["page"].paginator.object_list
    assert sorted(names[pk] for pk in listed_cases.values_list("pk", flat=True)) == ever_dispatched
    assert sum(context["charts"]["channel"]["values"]) == len(ever_dispatched)


# --- cost and modes --------------------------------------------------------------------------------------------------


def test_the_page_costs_a_bounded_number_of_queries(client, history, dispatcher, world, django_assert_num_queries):
    # Session, user and its save (5), KPIs (2), volume (1), warnings (2), trend (1), heat map (2), channels, types
    # and two category levels (6), three rankings (9), hot spots (1), the form's places and units (4), the header (1),
    # whether the daily rollups exist (1: not here, so every count is live)
    client.force_login(dispatcher)
    with django_assert_num_queries(36):
        response = client.get(DASHBOARD, EVERYTHING)
    assert response.status_code == 200
    # Given more cases in other grids, channels and categories, the page costs the same
    for point in ("A2", "B1"):
        Builder(world, {"dispatcher": dispatcher}).register(point, channel="wechat")
    with django_assert_num_queries(36):
        client.get(DASHBOARD, EVERYTHING)


def test_the_large_screen_mode_renders_dark_and_refreshes(client, history, principal_leader):
    client.force_login(principal_leader)
    response = client.get(DASHBOARD, {**EVERYTHING, "screen": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="dash-screen"' in html and 'data-refresh-seconds="300"' in html
    assert 'name="screen" value="1"' in html  # the filter form keeps the mode
    assert 'data-dash-chart="volume"' in html and "data-dash-map" in html
    normal = client.get(DASHBOARD, EVERYTHING).content.decode()
    assert 'data-testid="dash-screen-link"' in normal and 'dash-screen"' not in normal


def test_a_bad_period_is_refused(client, world, now, dispatcher):
    client.force_login(dispatcher)
    response = client.get(DASHBOARD, {"period": "custom", "start": "2026-12-01", "end": "2026-11-01"})
    assert response.status_code == 400


def test_a_week_dashboard_draws_days(client, history, dispatcher):
    client.force_login(dispatcher)
    context = client.get(DASHBOARD, {"period": "custom", "start": "2026-11-30", "end": "2026-12-06"}).context
    assert len(context["charts"]["volume"]["values"]) == 7
    assert sum(context["charts"]["volume"]["values"]) == volume_series(user=dispatcher, period=W3)[0][1] + sum(
        count for _p, count in volume_series(user=dispatcher, period=W3)[1:]
    )


def test_the_rising_hot_spots_of_the_periods_last_week_link_to_their_page(
    client, world, now, dispatcher, principal_leader, unit_handler
):
    # Given four alike demands in the week of 11-16 and one unrelated, and the office's week refreshed
    from jiedao.hotspots.services import hotspots_refresh

    builder = Builder(world, {"dispatcher": dispatcher})
    for n, grid in enumerate(("A1", "A2", "B1", "A1")):
        builder.register(grid, title="电梯经常故障停运", content=f"{n + 1}号楼电梯本周又故障停运，老人上下楼困难。")
    builder.register("B1", title="咨询社保卡补办", content="社保卡丢失，询问补办需要带哪些材料。")
    hotspots_refresh(office=world.office, week_start=at(2026, 11, 16).date())

    # When the leader opens the dashboard for that week, the rising problem is listed with a link to it
    client.force_login(principal_leader)
    context = client.get(DASHBOARD, {"period": "custom", "start": "2026-11-16", "end": "2026-11-22"}).context
    [(spot, url)] = context["hotspots"]
    assert "电梯" in spot["label"] and spot["this_week"] == 4
    assert url.startswith(reverse("hotspots:index")) and f"hotspot={spot['id']}" in url
    assert client.get(url).status_code == 200
    # A unit handler reads no hot spots
    client.force_login(unit_handler)
    week = {"period": "custom", "start": "2026-11-16", "end": "2026-11-22"}
    assert client.get(DASHBOARD, week).context["hotspots"] == []


def test_on_a_monday_this_months_dashboard_shows_last_weeks_rising_hot_spots(
    client, world, now, dispatcher, principal_leader
):
    # Given the lift problem rose in the week of 11-16 and was refreshed
    from jiedao.hotspots.services import hotspots_refresh

    builder = Builder(world, {"dispatcher": dispatcher})
    for n, grid in enumerate(("A1", "A2", "B1", "A1")):
        builder.register(grid, title="电梯经常故障停运", content=f"{n + 1}号楼电梯本周又故障停运，老人上下楼困难。")
    hotspots_refresh(office=world.office, week_start=at(2026, 11, 16).date())
    client.force_login(principal_leader)

    # When the leader opens this month's dashboard on Monday 11-23 (this week has barely begun), it shows them
    now.moment = at(2026, 11, 23, 9, 0)
    [(spot, _url)] = client.get(DASHBOARD, {"period": "month"}).context["hotspots"]
    assert "电梯" in spot["label"] and spot["week_start"] == "2026-11-16"
    # and from Wednesday on, this week's (nothing has risen yet)
    now.moment = at(2026, 11, 25, 9, 0)
    assert client.get(DASHBOARD, {"period": "month"}).context["hotspots"] == []


def test_a_point_of_fewer_days_than_its_week_or_a_point_still_running_says_so(client, history, dispatcher, now):
    # Given the clock after the fixture's history, on Wednesday 2026-12-09
    client.force_login(dispatcher)
    # When the dashboard draws November by weeks (it starts on a Sunday and ends on a Monday)
    november = client.get(DASHBOARD, {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}).context
    # Then the clipped first and last weeks say how many days they hold
    labels = november["charts"]["trend"]["labels"]
    assert labels == ["11-01（1天）", "11-02", "11-09", "11-16", "11-23", "11-30（1天）"]
    # When it draws December so far: the week running now says so, and so does today's bar of the volume chart
    december = client.get(DASHBOARD, {"period": "custom", "start": "2026-12-01", "end": "2026-12-31"}).context
    assert december["charts"]["trend"]["labels"][:2] == ["12-01（6天）", "12-07（至今）"]
    assert "12-09（至今）" in december["charts"]["volume"]["labels"]
    assert "12-08" in december["charts"]["volume"]["labels"]
