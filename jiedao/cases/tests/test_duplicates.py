"""The hint of possible duplicates on the registration form: the selector and its htmx endpoint."""

import datetime as dt

import pytest
from django.urls import reverse

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.duplicates import SIMILARITY_THRESHOLD, bigrams, duplicate_candidates, similarity
from jiedao.core.scope import scope_of

TITLE = "小区路灯不亮"
CONTENT = "柳岸小区3号楼前路灯连续一周不亮，夜间出行不便。"
TYPED = "路灯坏了\n柳岸小区3号楼门口的路灯不亮好几天了"
PHONE = "13812345678"
# Points inside the test grids (0.01° squares along latitude 30).
A1, A2, C1 = ("120.005", "30.005"), ("120.015", "30.005"), ("120.035", "30.005")


def _case(actor, point=A1, *, title=TITLE, content=CONTENT, phone="", received_at=None):
    return services.case_register(
        actor=actor,
        channel=Channel.PHONE,
        request_type=RequestType.COMPLAINT,
        title=title,
        content=content,
        lng=point[0],
        lat=point[1],
        reporter_phone=phone,
        received_at=received_at,
    )


def _ids(candidates):
    return [c.case.pk for c in candidates]


def test_similarity_separates_the_same_problem_from_another():
    same = similarity(bigrams(TYPED), bigrams(f"{TITLE}\n{CONTENT}"))
    other = similarity(bigrams(TYPED), bigrams("垃圾未清运\n小区门口垃圾堆放三天未清运"))
    assert other < SIMILARITY_THRESHOLD <= same
    assert similarity(bigrams(""), bigrams(TITLE)) == 0.0


def test_similar_text_in_the_same_grid_is_found_with_its_similarity(world, dispatcher, now):
    # Given a case about a street lamp in grid A1 and an unrelated one in the same grid
    lamp = _case(dispatcher)
    _case(dispatcher, title="垃圾未清运", content="小区门口垃圾堆放三天未清运")

    # When the dispatcher types the lamp again in A1
    found = duplicate_candidates(user=dispatcher, grid_id=world.grid_a1.pk, text=TYPED, phone="", now=now())

    # Then only the lamp is offered, as similar text and not as the same caller
    assert _ids(found) == [lamp.pk]
    assert found[0].similar_text and not found[0].same_phone
    assert 30 <= found[0].percent <= 100


def test_most_similar_comes_first_and_the_limit_holds(world, dispatcher, now):
    close = _case(dispatcher, title="柳岸小区3号楼路灯不亮", content="柳岸小区3号楼门口的路灯不亮好几天了")
    farther = _case(dispatcher)
    found = duplicate_candidates(user=dispatcher, grid_id=world.grid_a1.pk, text=TYPED, phone="", now=now())
    assert _ids(found) == [close.pk, farther.pk]
    assert found[0].similarity > found[1].similarity
    assert (
        len(duplicate_candidates(user=dispatcher, grid_id=world.grid_a1.pk, text=TYPED, phone="", now=now(), limit=1))
        == 1
    )


def test_other_grid_old_and_dissimilar_cases_are_left_out(world, dispatcher, now):
    _case(dispatcher, A2)
    _case(dispatcher, received_at=now() - dt.timedelta(days=31))
    _case(dispatcher, title="楼上漏水", content="楼上住户卫生间漏水，天花板渗水发霉")
    recent = _case(dispatcher, received_at=now() - dt.timedelta(days=29))

    found = duplicate_candidates(user=dispatcher, grid_id=world.grid_a1.pk, text=TYPED, phone="", now=now())

    assert _ids(found) == [recent.pk]


def test_cases_the_user_may_not_see_are_left_out(world, dispatcher, outsider, other_office_dispatcher, now):
    # Given a lamp case in A1 (office 甲) and one in C1 (office 乙), both from the same caller
    mine = _case(dispatcher, phone=PHONE)
    theirs = _case(other_office_dispatcher, C1, phone=PHONE)

    # Then the staff of community B sees neither, by grid or by phone
    assert duplicate_candidates(user=outsider, grid_id=world.grid_a1.pk, text=TYPED, phone=PHONE, now=now()) == []
    # And office 甲's dispatcher does not see office 乙's case, even asking for its grid
    found = duplicate_candidates(user=dispatcher, grid_id=world.grid_c1.pk, text=TYPED, phone=PHONE, now=now())
    assert _ids(found) == [mine.pk]
    assert theirs.pk not in _ids(found)


def test_the_same_caller_is_found_anywhere_and_ranks_first(world, dispatcher, now):
    # Given the caller's earlier demand in community B, about something else, and a similar one in A1
    earlier = _case(dispatcher, ("120.025", "30.005"), title="楼上漏水", content="卫生间漏水", phone="138-1234-5678")
    similar = _case(dispatcher)

    found = duplicate_candidates(user=dispatcher, grid_id=world.grid_a1.pk, text=TYPED, phone=PHONE, now=now())

    assert _ids(found) == [earlier.pk, similar.pk]
    assert found[0].same_phone and not found[0].similar_text
    assert duplicate_candidates(user=dispatcher, grid_id=None, text="", phone="13912345678", now=now()) == []


def test_phone_and_text_together_mark_both_reasons(world, dispatcher, now):
    both = _case(dispatcher, phone=PHONE)
    [found] = duplicate_candidates(user=dispatcher, grid_id=world.grid_a1.pk, text=TYPED, phone=PHONE, now=now())
    assert found.case == both and found.similar_text and found.same_phone


@pytest.mark.parametrize(
    ("grid", "text", "phone"),
    [(None, TYPED, ""), ("a1", "路灯", ""), ("a1", "", "1381"), (None, "", "")],
    ids=["no grid", "too short", "phone incomplete", "nothing"],
)
def test_missing_input_gives_nothing_without_a_query(
    world, dispatcher, now, django_assert_num_queries, grid, text, phone
):
    _case(dispatcher, phone=PHONE)
    grid_id = world.grid_a1.pk if grid else None
    with django_assert_num_queries(0):
        assert duplicate_candidates(user=dispatcher, grid_id=grid_id, text=text, phone=phone, now=now()) == []


@pytest.mark.parametrize("cases", [1, 8])
def test_query_count_does_not_grow_with_the_cases(world, dispatcher, now, django_assert_num_queries, cases):
    for _ in range(cases):
        _case(dispatcher, phone=PHONE)
    scope_of(dispatcher)  # the user's scope is read once per request, before any selector
    with django_assert_num_queries(2):  # the grid's recent cases, the caller's recent cases
        found = duplicate_candidates(user=dispatcher, grid_id=world.grid_a1.pk, text=TYPED, phone=PHONE, now=now())
    assert len(found) == min(cases, 5)


def test_the_fragment_lists_the_candidates_with_links_and_reasons(client, world, dispatcher, now):
    lamp = _case(dispatcher, phone=PHONE)
    client.force_login(dispatcher)

    response = client.post(
        reverse("cases:duplicates"),
        {"title": "路灯坏了", "content": "柳岸小区3号楼门口的路灯不亮好几天了", "lng": A1[0], "lat": A1[1]},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert reverse("cases:detail", args=[lamp.pk]) in html and lamp.number in html
    assert "同一网格" in html and "文本相似" in html and "同一来电人" not in html
    # The chosen place stands for the grid when there is no point; the phone alone finds the caller
    by_place = client.post(
        reverse("cases:duplicates"), {"title": "路灯坏了", "content": TYPED, "place": world.grid_a1.pk}
    )
    assert lamp.number in by_place.content.decode()
    by_phone = client.post(reverse("cases:duplicates"), {"reporter_phone": PHONE})
    assert "同一来电人" in by_phone.content.decode()
    # The phone is personal data: it is never asked for in a URL.
    assert client.get(reverse("cases:duplicates"), {"reporter_phone": PHONE}).status_code == 405


@pytest.mark.parametrize(
    "params",
    [{}, {"lng": "abc", "lat": "30"}, {"lng": "999", "lat": "30", "title": TITLE}, {"place": "x", "content": TYPED}],
    ids=["nothing", "bad number", "out of range", "bad place"],
)
def test_the_fragment_is_empty_for_missing_or_bad_input(client, world, dispatcher, now, params):
    _case(dispatcher)
    client.force_login(dispatcher)
    response = client.post(reverse("cases:duplicates"), params)
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_anonymous_visitors_are_sent_to_log_in(client, world, now):
    response = client.post(reverse("cases:duplicates"), {"title": TITLE})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_form_carries_the_hint_and_the_map(client, world, dispatcher, now):
    client.force_login(dispatcher)
    html = client.get(reverse("cases:new")).content.decode()
    assert reverse("cases:duplicates") in html and reverse("places:resolve") in html
    assert html.count('data-duplicate-source=""') == 7  # title, content, address, place, lng, lat, phone
    assert "<script>" not in html  # the CSP forbids inline scripts
