"""The resident's pages: submission with the challenge and the rate limit, tracking, rating."""

import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from jiedao.cases import services
from jiedao.cases.choices import State
from jiedao.cases.models import Case
from jiedao.cases.public_views import CHALLENGE_SALT


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _challenge(answer=7, age=10):
    return signing.dumps({"answer": answer, "issued": time.time() - age}, salt=CHALLENGE_SALT)


def _post(client, world, **overrides):
    data = {
        "request_type": "help",
        "community": world.community_a.pk,
        "title": "楼道堆物",
        "content": "5幢楼道堆满杂物，存在消防隐患",
        "reporter_phone": "13698765432",
        "answer": "7",
        "challenge": _challenge(),
        "website": "",
    }
    data.update(overrides)
    return client.post(reverse("public:submit"), data)


def test_a_resident_submits_and_gets_a_number(client, world, now):
    assert client.get(reverse("public:submit")).status_code == 200
    response = _post(client, world)
    case = Case.objects.get()
    assert case.number in response.content.decode()
    assert (case.channel, case.community, case.reporter_phone_last4) == ("resident", world.community_a, "5432")
    assert case.events.get().actor is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"answer": "8"},
        {"website": "http://spam"},
        {"challenge": "forged"},
        {"reporter_phone": ""},
        {"reporter_phone": "call me"},
    ],
)
def test_bad_submissions_are_refused_and_write_nothing(client, world, now, overrides):
    response = _post(client, world, **overrides)
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_a_form_sent_at_once_is_refused(client, world, now):
    _post(client, world, challenge=_challenge(age=0))
    assert not Case.objects.exists()


def test_submissions_are_rate_limited_per_address(client, world, now):
    for n in range(5):
        _post(client, world, title=f"第{n}件")
    assert _post(client, world, title="第六件").status_code == 429
    assert Case.objects.count() == 5


def _replied_case(world, dispatcher, unit_handler):
    case = services.case_submit_by_resident(
        title="路灯", content="路灯不亮", request_type="help", community=world.community_a, reporter_phone="13698765432"
    )
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    services.case_sign(case_id=case.pk, actor=unit_handler)
    services.case_reply(case_id=case.pk, actor=unit_handler, result_text="已修复")
    return services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)


def test_tracking_needs_the_right_phone_digits(client, world, dispatcher, unit_handler, now):
    case = _replied_case(world, dispatcher, unit_handler)
    wrong = client.get(reverse("public:track"), {"number": case.number, "phone_last4": "0000"})
    assert wrong.context["error"] and "case" not in wrong.context
    right = client.get(reverse("public:track"), {"number": case.number, "phone_last4": "5432"})
    assert right.context["case"] == case
    assert "已修复" in right.content.decode()
    assert "13698765432" not in right.content.decode()


def test_a_satisfied_resident_rating_closes_the_case(client, world, dispatcher, unit_handler, now):
    case = _replied_case(world, dispatcher, unit_handler)
    url = reverse("public:track") + f"?number={case.number}&phone_last4=5432"
    client.post(url, {"process_satisfaction": "satisfied", "result_satisfaction": "satisfied", "resolved": "1"})
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert case.callbacks.get().by is None


def test_a_dissatisfied_rating_waits_for_the_callback_team(client, world, dispatcher, unit_handler, now):
    case = _replied_case(world, dispatcher, unit_handler)
    url = reverse("public:track") + f"?number={case.number}&phone_last4=5432"
    client.post(url, {"process_satisfaction": "basically", "result_satisfaction": "dissatisfied", "resolved": "0"})
    case.refresh_from_db()
    assert case.state == State.CALLBACK
    assert case.callbacks.get().result_satisfaction == "dissatisfied"
    # rating twice is not possible once closed; here it stays open for the team, whose callback decides
    services.case_callback(
        case_id=case.pk,
        actor=dispatcher,
        process_satisfaction="basically",
        result_satisfaction="dissatisfied",
        resolved=False,
        rework=True,
        note="居民不满意",
    )
    assert Case.objects.get(pk=case.pk).state == State.HANDLING
