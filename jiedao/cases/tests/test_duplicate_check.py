"""The duplicate finder's reasons, boundaries and ranking, and the "find duplicates" button of a case's page."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, Resolution, State
from jiedao.cases.duplicates import (
    METRES_PER_DEGREE,
    case_duplicate_candidates,
    distance_metres,
    duplicate_candidates,
)
from jiedao.cases.models import Case, CaseEvent

TITLE = "小区路灯不亮"
CONTENT = "柳岸小区3号楼前路灯连续一周不亮，夜间出行不便。"
TYPED = "路灯坏了\n柳岸小区3号楼门口的路灯不亮好几天了"
OTHER = ("楼上漏水", "楼上住户卫生间漏水，天花板渗水发霉")
PHONE = "13812345678"
LAT = 30.005
# Near the east edge of grid A1 (120.00–120.01); grid A2 lies east of it, B1 east of A2.
EDGE_A1 = (Decimal("120.009000"), Decimal("30.005000"))


def _east(point, metres):
    """The point `metres` due east of `point`, in the columns' six decimals."""
    degrees = metres / (METRES_PER_DEGREE * math.cos(math.radians(float(point[1]))))
    return (Decimal(str(float(point[0]) + degrees)).quantize(Decimal("0.000001")), point[1])


def _case(actor, point=EDGE_A1, *, title=TITLE, content=CONTENT, phone="", address="", received_at=None):
    return services.case_register(
        actor=actor,
        channel=Channel.PHONE,
        request_type=RequestType.COMPLAINT,
        title=title,
        content=content,
        lng=point[0],
        lat=point[1],
        address=address,
        reporter_phone=phone,
        received_at=received_at,
    )


def _find(user, now, **probe):
    arguments = {"grid_id": None, "text": TYPED, "phone": "", **probe}
    return duplicate_candidates(user=user, now=now(), **arguments)


def _ids(candidates):
    return [c.case.pk for c in candidates]


def test_the_same_caller_is_the_only_reason_needed(world, dispatcher, now):
    # Given the caller's earlier demand about something else, in another community
    earlier = _case(dispatcher, ("120.025", "30.005"), title=OTHER[0], content=OTHER[1], phone="138 1234 5678")

    [found] = _find(dispatcher, now, grid_id=world.grid_a1.pk, phone=PHONE)

    assert found.case == earlier
    assert found.reasons == ["同一来电人"]


def test_the_same_grid_with_a_similar_text_is_a_reason(world, dispatcher, now):
    lamp = _case(dispatcher)

    [found] = _find(dispatcher, now, grid_id=world.grid_a1.pk)

    assert found.case == lamp
    assert found.reasons == ["同一网格", f"文本相似 {found.percent}%"]
    assert found.percent >= 30


def test_the_same_address_is_found_whatever_its_spacing_and_width(world, dispatcher, now):
    # Given a case filed at an address typed with spaces and full-width digits
    lamp = _case(dispatcher, address="柳岸小区 ３号楼 ２单元")

    # When the same address is typed plainly, with no grid and no point
    [found] = _find(dispatcher, now, address="柳岸小区3号楼2单元")

    assert found.case == lamp
    assert found.reasons == ["同一地址", f"文本相似 {found.percent}%"]
    assert _find(dispatcher, now, address="柳岸小区5号楼") == []


@pytest.mark.parametrize(("metres", "found"), [(199, True), (201, False)])
def test_a_point_within_200_metres_is_the_same_place(world, dispatcher, now, metres, found):
    # Given a similar case across the grid boundary, `metres` east of where the new demand is
    there = _east(EDGE_A1, metres)
    lamp = _case(dispatcher, there)
    assert lamp.grid == world.grid_a2

    candidates = _find(dispatcher, now, grid_id=world.grid_a1.pk, lng=float(EDGE_A1[0]), lat=float(EDGE_A1[1]))

    assert _ids(candidates) == ([lamp.pk] if found else [])
    if found:
        assert candidates[0].reasons == [f"相距 {metres} 米", f"文本相似 {candidates[0].percent}%"]
        assert candidates[0].metres == metres


def test_a_dissimilar_text_in_the_same_place_is_no_candidate(world, dispatcher, now):
    _case(dispatcher, title=OTHER[0], content=OTHER[1], address="柳岸小区3号楼")
    point = {"lng": float(EDGE_A1[0]), "lat": float(EDGE_A1[1])}
    assert _find(dispatcher, now, grid_id=world.grid_a1.pk, address="柳岸小区3号楼", **point) == []


def test_the_haversine_agrees_with_a_known_distance():
    # One degree of latitude on the mean sphere, and a quarter of the equator
    assert distance_metres(120, 30, 120, 31) == pytest.approx(METRES_PER_DEGREE)
    assert distance_metres(0, 0, 90, 0) == pytest.approx(METRES_PER_DEGREE * 90)


def test_the_window_holds_30_days_to_the_second(world, dispatcher, now):
    inside = _case(dispatcher, received_at=now() - dt.timedelta(days=30))
    _case(dispatcher, received_at=now() - dt.timedelta(days=30, seconds=1))

    assert _ids(_find(dispatcher, now, grid_id=world.grid_a1.pk)) == [inside.pk]
    # A shorter window is a parameter
    assert _find(dispatcher, now, grid_id=world.grid_a1.pk, days=29) == []


def test_a_case_finds_repeats_before_and_after_it(world, dispatcher, now):
    # Given a case of ten days ago, one before it and one after it within 30 days, one after beyond
    middle = _case(dispatcher, received_at=now() - dt.timedelta(days=10))
    before = _case(dispatcher, received_at=now() - dt.timedelta(days=39))
    after = _case(dispatcher, received_at=now() - dt.timedelta(days=1))
    _case(dispatcher, received_at=now() - dt.timedelta(days=41))

    found = case_duplicate_candidates(user=dispatcher, case=middle, now=now())

    assert set(_ids(found)) == {before.pk, after.pk}


def test_the_same_caller_ranks_first_then_text_and_nearness(world, dispatcher, now):
    # Given the caller's unrelated demand, a near-identical one 20 m away, a looser one elsewhere in the grid
    caller = _case(dispatcher, ("120.025", "30.005"), title=OTHER[0], content=OTHER[1], phone=PHONE)
    close = _case(dispatcher, _east(EDGE_A1, -20), title="路灯坏了", content="柳岸小区3号楼门口的路灯不亮好几天了")
    loose = _case(dispatcher, ("120.001", "30.001"))

    found = _find(dispatcher, now, grid_id=world.grid_a1.pk, phone=PHONE, lng=float(EDGE_A1[0]), lat=LAT)

    assert _ids(found) == [caller.pk, close.pk, loose.pk]
    assert found[1].score > found[2].score
    assert found[1].reasons[:2] == ["同一网格", "相距 20 米"]


def test_merged_voided_and_the_case_itself_are_left_out(world, dispatcher, now):
    # Given a case and three similar ones: one merged into another case, one voided, one plain
    case = _case(dispatcher)
    main = _case(dispatcher)
    merged = _case(dispatcher)
    services.case_merge(case_id=merged.pk, into_id=main.pk, actor=dispatcher)
    voided = _case(dispatcher)
    services.case_void(case_id=voided.pk, actor=dispatcher, note="重复录入")

    found = case_duplicate_candidates(user=dispatcher, case=case, now=now())

    assert _ids(found) == [main.pk]


def test_an_outsider_sees_no_candidate_from_another_community(world, dispatcher, outsider, now):
    # Given a case in B1 and a similar one 30 m away across the boundary, in community A's grid A2
    mine = _case(dispatcher, ("120.020150", "30.005"), phone=PHONE)
    theirs = _case(dispatcher, ("120.019850", "30.005"), phone=PHONE)
    assert (mine.grid, theirs.grid) == (world.grid_b1, world.grid_a2)

    # Then community B's staff finds nothing for his case, by place or by caller; the office's dispatcher does
    assert case_duplicate_candidates(user=outsider, case=mine, now=now()) == []
    assert _ids(case_duplicate_candidates(user=dispatcher, case=mine, now=now())) == [theirs.pk]


def test_the_outsider_cannot_open_the_check_of_a_case_he_may_not_see(client, world, dispatcher, outsider, now):
    case = _case(dispatcher)
    client.force_login(outsider)
    assert client.get(reverse("cases:case_duplicates", args=[case.pk])).status_code == 404


def test_the_detail_page_offers_the_check(client, world, community_staff, now):
    case = _case(community_staff)
    client.force_login(community_staff)

    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert f"{reverse('cases:case_duplicates', args=[case.pk])}?version={case.version}" in html
    assert "查重" in html


def test_the_check_lists_reasons_without_merge_for_who_may_not_merge(client, world, community_staff, now):
    earlier = _case(community_staff)
    case = _case(community_staff)
    client.force_login(community_staff)

    html = client.get(reverse("cases:case_duplicates", args=[case.pk])).content.decode()

    assert earlier.number in html and "同一网格" in html and "相距 0 米" in html
    assert reverse("cases:act", args=[case.pk, "merge"]) not in html


def test_merging_from_a_candidate_goes_through_the_merge_action(client, world, dispatcher, now):
    # Given an earlier case already dispatched-ready, and a repeat registered a day later
    main = _case(dispatcher, received_at=now() - dt.timedelta(days=1), phone=PHONE)
    repeat = _case(dispatcher, phone=PHONE)
    client.force_login(dispatcher)

    # When the dispatcher checks the repeat for duplicates
    url = reverse("cases:case_duplicates", args=[repeat.pk])
    html = client.get(url, {"version": repeat.version}).content.decode()

    # Then the main case is offered with a merge form carrying the page's version
    assert "同一来电人" in html
    assert f'action="{reverse("cases:act", args=[repeat.pk, "merge"])}"' in html
    assert f'name="merge-into" value="{main.number}"' in html
    assert f'name="version" value="{repeat.version}"' in html

    # And posting it merges the repeat into the main case, with an event on each
    response = client.post(
        reverse("cases:act", args=[repeat.pk, "merge"]),
        {"version": repeat.version, "merge-into": main.number, "merge-note": "同一问题"},
    )
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert (repeat.merged_into, repeat.state, repeat.resolution) == (main, State.CLOSED, Resolution.MERGED)
    assert CaseEvent.objects.get(case=repeat, action="merge").note == "同一问题"
    assert CaseEvent.objects.get(case=main, action="merge").data == {"merged": repeat.number}


def test_a_stale_merge_form_is_refused(client, world, dispatcher, now):
    main = _case(dispatcher)
    repeat = _case(dispatcher)
    stale = repeat.version
    services.case_accept(case_id=repeat.pk, actor=dispatcher)
    client.force_login(dispatcher)

    response = client.post(
        reverse("cases:act", args=[repeat.pk, "merge"]), {"version": stale, "merge-into": main.number}
    )

    repeat.refresh_from_db()
    assert repeat.merged_into is None
    assert any("刚被他人修改" in str(m) for m in get_messages(response.wsgi_request))


def test_a_closed_candidate_is_shown_but_not_offered_for_merging(client, world, dispatcher, now):
    closed = _case(dispatcher)
    services.case_reject(case_id=closed.pk, actor=dispatcher, reason="litigation")
    case = _case(dispatcher)
    client.force_login(dispatcher)

    html = client.get(reverse("cases:case_duplicates", args=[case.pk])).content.decode()

    assert closed.number in html
    assert f'name="merge-into" value="{closed.number}"' not in html


@pytest.mark.parametrize("count", [1, 6])
def test_the_check_takes_the_same_queries_whatever_it_finds(
    client, world, dispatcher, now, django_assert_num_queries, count
):
    for _ in range(count):
        _case(dispatcher, phone=PHONE, address="柳岸小区3号楼")
    case = _case(dispatcher, phone=PHONE, address="柳岸小区3号楼")
    client.force_login(dispatcher)
    url = reverse("cases:case_duplicates", args=[case.pk])

    # session, user, the viewer's roles, the case; by caller, grid, address and point; the merge gate's dispatch
    # facts (active dispatches, open supervision notices); the session's idle clock (savepoint, update, release)
    with django_assert_num_queries(13):
        response = client.get(url, headers={"HX-Request": "true"})  # the fragment the button loads

    assert response.content.decode().count('name="merge-into"') == count


def test_registration_hint_uses_the_address_and_the_point(client, world, dispatcher, now):
    lamp = _case(dispatcher, _east(EDGE_A1, 150), address="柳岸小区3号楼")
    assert lamp.grid == world.grid_a2
    client.force_login(dispatcher)

    response = client.post(
        reverse("cases:duplicates"),
        {
            "title": "路灯坏了",
            "content": TYPED,
            "lng": str(EDGE_A1[0]),
            "lat": str(EDGE_A1[1]),
            "address": "柳岸小区 3号楼",
        },
    )

    html = response.content.decode()
    assert lamp.number in html and "同一地址" in html and "相距 150 米" in html and "同一网格" not in html


def test_bulk_rows_without_an_address_key_are_not_matched_by_an_empty_address(world, dispatcher, now):
    _case(dispatcher, address="")
    assert Case.objects.filter(address_key="").count() == 1
    assert _find(dispatcher, now, address="") == []


def test_the_check_is_a_fragment_for_htmx_and_a_page_when_opened_on_its_own(client, world, dispatcher, now):
    earlier = _case(dispatcher)
    case = _case(dispatcher)
    client.force_login(dispatcher)
    url = reverse("cases:case_duplicates", args=[case.pk])

    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    page = client.get(url).content.decode()

    assert earlier.number in fragment and earlier.number in page
    assert "<html" not in fragment and 'id="mainnav"' not in fragment
    assert "<html" in page and 'id="mainnav"' in page
    assert reverse("cases:detail", args=[case.pk]) in page  # the way back to the case
