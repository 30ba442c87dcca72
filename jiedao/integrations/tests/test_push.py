"""The push API through HTTP: auth, idempotency, validation errors, rate limits, status of one's own orders."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from jiedao.cases import services
from jiedao.cases.choices import Channel, State
from jiedao.cases.models import Case
from jiedao.categories.models import Category
from jiedao.integrations.models import IdempotencyRecord, Source

ORDERS = "/integrations/push/v1/orders"


def order(**changes: Any) -> dict[str, Any]:
    body = {
        "upstream_number": "GA20261123001",
        "title": "小区门口占道经营",
        "content": "每天傍晚有摊贩在A小区北门占道经营，影响通行。",
        "request_type": "complaint",
        "urgency": "normal",
        "received_at": "2026-11-23T09:30:00+08:00",
        "deadline": "2026-11-30T18:00:00+08:00",
        "address": "A小区北门",
        "lng": "120.005",
        "lat": "30.005",
        "reporter_name": "张三",
        "reporter_phone": "13812345678",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def push(client, key: str | None, body: Any, *, idempotency_key: str | None = "k-1", raw: bytes | None = None):
    headers = {}
    if key is not None:
        headers["HTTP_X_API_KEY"] = key
    if idempotency_key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    data = raw if raw is not None else json.dumps(body)
    return client.post(ORDERS, data=data, content_type="application/json", **headers)


def status_of(client, key: str, number: str):
    return client.get(f"{ORDERS}/{number}", HTTP_X_API_KEY=key)


@pytest.mark.parametrize("key", [None, "", "jd_0000000000_" + "0" * 48, "nonsense"])
def test_push_without_a_valid_key_is_401_with_a_json_error(client, police, key):
    response = push(client, key, order())
    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"loc": ["header", "X-Api-Key"], "msg": "API 密钥缺失、错误或已失效。", "type": "unauthorized"}]
    }
    assert not Case.objects.exists()


def test_push_registers_the_order_as_the_sources_service_user(client, world, police):
    response = push(client, police.key, order())

    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get()
    assert body == {
        "number": case.number,
        "upstream_number": "GA20261123001",
        "state": State.REGISTERED,
        "created": True,
        "status_url": "http://testserver/integrations/push/v1/orders/GA20261123001",
    }
    assert case.channel == Channel.DEPARTMENT
    assert case.upstream_number == "police:GA20261123001"  # a shared channel: prefixed by the source's code
    assert case.grid == world.grid_a1 and case.office == world.office
    assert case.reporter_phone == "13812345678" and case.reporter_name == "张三"
    assert case.received_at.isoformat() == "2026-11-23T01:30:00+00:00"
    assert case.upstream_deadline is not None
    event = case.events.get()
    assert event.actor == police.source.service_user and event.action == "register"


def test_the_12345_channel_keeps_the_upstream_number_as_sent(client, hotline):
    assert push(client, hotline.key, order(upstream_number="2026112300042")).status_code == 201
    assert Case.objects.get().upstream_number == "2026112300042"


def test_two_departments_with_the_same_number_make_two_cases(client, police, market):
    assert push(client, police.key, order(), idempotency_key="a").status_code == 201
    assert push(client, market.key, order(), idempotency_key="a").status_code == 201
    assert sorted(Case.objects.values_list("upstream_number", flat=True)) == [
        "market:GA20261123001",
        "police:GA20261123001",
    ]


def test_the_same_idempotency_key_and_body_replays_the_stored_response(client, police):
    first = push(client, police.key, order())
    # The same JSON, keys in another order and other spacing: the same body.
    again = push(client, police.key, None, raw=json.dumps(order(), indent=2, sort_keys=True).encode())

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(client, police):
    push(client, police.key, order())
    response = push(client, police.key, order(title="另一件事"))

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == ["header", "Idempotency-Key"]
    assert error["type"] == "idempotency_key_reused"
    assert "不同" in error["msg"]
    assert Case.objects.get().title == "小区门口占道经营"


def test_a_new_key_for_an_order_already_pushed_gives_the_same_case(client, police):
    first = push(client, police.key, order(), idempotency_key="one").json()
    response = push(client, police.key, order(), idempotency_key="two")
    assert response.status_code == 200
    assert response.json() == {**first, "created": False}
    assert Case.objects.count() == 1


def test_the_idempotency_key_is_required(client, police):
    response = push(client, police.key, order(), idempotency_key=None)
    assert response.status_code == 400
    assert response.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "kind", "message"),
    [
        ({"title": None}, "title", "missing", "此项必填。"),
        ({"title": "   "}, "title", "string_too_short", "此项不能为空。"),
        (
            {"reporter_phone": "call me"},
            "reporter_phone",
            "string_pattern_mismatch",
            "电话号码只能包含数字、空格和连字符（7–20位）。",
        ),
        (
            {"received_at": "2026-11-23T09:30:00"},
            "received_at",
            "timezone_aware",
            "时间须带时区，例如 2026-05-01T09:30:00+08:00。",
        ),
        ({"received_at": "yesterday"}, "received_at", "datetime_from_date_parsing", None),
        ({"request_type": "rant"}, "request_type", "enum", None),
        ({"lat": "91"}, "lat", "less_than_equal", "不能大于 91。".replace("91", "90")),
        ({"attachments": ["http://x/1.jpg"]}, "attachments", "extra_forbidden", "订单中没有此字段。"),
        ({"upstream_number": "GA/1"}, "upstream_number", "string_pattern_mismatch", None),
    ],
)
def test_validation_errors_name_the_field_in_chinese(client, police, changes, field, kind, message):
    response = push(client, police.key, order(**changes))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"loc": ["body", "order", field], "type": kind} == {k: errors[0][k] for k in ("loc", "type")}
    if message is not None:
        assert errors[0]["msg"] == message
    assert all(not error["msg"].isascii() for error in errors)  # translated, never pydantic's English
    assert not Case.objects.exists()
    assert not IdempotencyRecord.objects.exists()  # the corrected order may use the same key


def test_a_body_that_is_not_json_is_refused(client, police):
    response = push(client, police.key, None, raw=b"{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["msg"] == "请求体不是有效的 JSON。"


def test_a_failed_order_leaves_the_key_free_for_the_corrected_one(client, police):
    assert push(client, police.key, order(lng="120.005", lat=None)).status_code == 422
    assert push(client, police.key, order()).status_code == 201


def test_the_case_services_refusal_names_the_field(client, police):
    response = push(client, police.key, order(lat=None))  # a longitude without a latitude
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "order", "lat"]


def test_an_order_in_another_office_is_refused(client, world, police):
    response = push(client, police.key, order(lng="120.035", lat="30.005"))  # inside grid C1, office 乙
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["type"] == "outside_office" and error["loc"] == ["body", "order", "lng"]
    assert not Case.objects.exists()


def test_place_and_category_codes_are_checked(client, world, police):
    category = Category.objects.create(level=1, code="01", name="城市管理")
    response = push(client, police.key, order(lng=None, lat=None, place_code=world.grid_c1.code))
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "order", "place_code"]
    response = push(client, police.key, order(category_code="99"))
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "order", "category_code"]

    response = push(client, police.key, order(lng=None, lat=None, place_code=world.grid_a2.code, category_code="01"))
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.grid == world.grid_a2 and case.category == category


def test_a_received_time_in_the_future_is_refused(client, police):
    response = push(client, police.key, order(received_at="2026-11-24T10:00:00+08:00", deadline=None))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "order", "received_at"]


def test_over_the_rate_limit_is_429_with_retry_after(client, police, now):
    Source.objects.filter(pk=police.source.pk).update(rate_limit_per_minute=2)
    assert push(client, police.key, order(), idempotency_key="1").status_code == 201
    assert status_of(client, police.key, "GA20261123001").status_code == 200

    response = push(client, police.key, order(upstream_number="GA2"), idempotency_key="2")

    assert response.status_code == 429
    # Three requests (the refused one counts) half a minute into the window: one more fits the last sixty seconds
    # once two thirds of them have slid out, 70 seconds from now
    assert response["Retry-After"] == "70"
    assert response.json()["errors"][0]["type"] == "rate_limited"
    assert Case.objects.count() == 1
    now.advance(seconds=70)
    assert push(client, police.key, order(upstream_number="GA2"), idempotency_key="2").status_code == 201


def test_the_status_of_ones_own_order_follows_the_case(client, world, police, dispatcher, now):
    push(client, police.key, order())
    case = Case.objects.get()
    now.advance(hours=1)
    services.case_dispatch(case_id=case.pk, unit_id=world.unit_urban.pk, actor=dispatcher)

    response = status_of(client, police.key, "GA20261123001")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == case.number
    assert body["state"] == State.DISPATCHED and body["state_label"] == "已派单待签收"
    assert body["unit"] == "甲城管科"
    assert [(h["action"], h["to_state"]) for h in body["history"]] == [
        ("register", "registered"),
        ("dispatch", "dispatched"),
    ]
    assert "reporter_phone" not in body and "13812345678" not in response.content.decode()


def test_another_sources_order_looks_missing(client, police, market):
    push(client, police.key, order())
    for key, number in ((market.key, "GA20261123001"), (police.key, "nope"), (police.key, "a:b")):
        response = status_of(client, key, number)
        assert response.status_code == 404
        assert response.json()["errors"][0]["loc"] == ["path", "upstream_number"]


def test_the_push_api_has_its_own_openapi_document(client):
    document = client.get(reverse("integrations:push:openapi-json")).json()
    assert set(document["paths"]) == {"/integrations/push/v1/orders", "/integrations/push/v1/orders/{upstream_number}"}
    assert "X-Api-Key" in json.dumps(document["components"]["securitySchemes"])


def test_the_docs_page_is_served_without_a_key(client):
    response = client.get("/integrations/push/v1/docs")
    assert response.status_code == 200
    assert reverse("integrations:push:openapi-json") in response.content.decode()
