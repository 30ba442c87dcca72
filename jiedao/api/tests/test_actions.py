"""Every action of the case loop through the API: the happy path, a user who may see the case but not take the
action (403), and a stale `expected_version` (409, nothing written)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from jiedao.cases.models import Case, CaseEvent


@dataclass(frozen=True)
class Row:
    action: str
    state: str  # the Loop method that makes the case
    actor: str  # persona fixture that may act
    body: Callable[[Any, Case], dict[str, Any]]
    after: str  # the state afterwards
    forbidden: str  # persona fixture that sees the case but may not act


def unit(name: str) -> Callable[[Any, Case], dict[str, Any]]:
    return lambda world, case: {"unit_id": getattr(world, name).pk}


def plain(**body: Any) -> Callable[[Any, Case], dict[str, Any]]:
    return lambda world, case: dict(body)


def _answer_supervision(world: Any, case: Case) -> dict[str, Any]:
    return {"supervision_id": case.supervisions.get().pk, "reply": "已加派人手"}


def _merge(world: Any, case: Case) -> dict[str, Any]:
    from jiedao.cases import services

    main = services.case_register(
        actor=world.dispatcher_user,
        channel="phone",
        request_type="help",
        title="同一处路灯",
        content="同一处路灯坏了。",
        place=world.grid_a1,
    )
    return {"into_number": main.number}


ROWS = [
    Row("accept", "registered", "dispatcher", plain(), "accepted", "community_staff"),
    Row("reject", "registered", "dispatcher", plain(reason="litigation", note="已起诉"), "closed", "community_staff"),
    Row("answer", "registered", "dispatcher", plain(result_text="按政策答复"), "callback", "community_staff"),
    Row(
        "dispatch",
        "accepted",
        "dispatcher",
        unit("unit_property_a"),
        "dispatched",
        "community_staff",
    ),
    Row("sign", "dispatched", "unit_handler", plain(), "handling", "dispatcher"),
    Row(
        "return", "dispatched", "unit_handler", plain(reason="wrong_duty", note="不归物业管"), "returned", "dispatcher"
    ),
    Row(
        "redispatch",
        "returned",
        "dispatcher",
        unit("unit_urban"),
        "dispatched",
        "community_staff",
    ),
    Row("refuse_return", "returned", "dispatcher", plain(note="属于物业职责"), "dispatched", "community_staff"),
    Row("contact", "handling", "unit_handler", plain(note="已电话联系"), "handling", "dispatcher"),
    Row("reply", "handling", "unit_handler", plain(result_text="已修好"), "replied", "dispatcher"),
    Row("verify", "replied", "dispatcher", plain(passed=True), "callback", "unit_handler"),
    Row(
        "callback",
        "callback",
        "dispatcher",
        plain(process_satisfaction="satisfied", result_satisfaction="basically", resolved=True),
        "closed",
        "community_staff",
    ),
    Row("rework", "callback", "dispatcher", plain(note="居民说还没修好"), "handling", "community_staff"),
    Row("archive", "closed", "dispatcher", plain(), "archived", "community_staff"),
    Row("suspend", "accepted", "dispatcher", plain(reason="等待业主回来"), "suspended", "community_staff"),
    Row("resume", "suspended", "dispatcher", plain(), "accepted", "community_staff"),
    Row("park", "accepted", "dispatcher", plain(reason="需要专项资金"), "parked", "community_staff"),
    Row("unpark", "parked", "dispatcher", plain(note="资金到位"), "accepted", "community_staff"),
    Row(
        "request_extension",
        "handling",
        "unit_handler",
        plain(amount="2.5", reason="配件未到"),
        "handling",
        "dispatcher",
    ),
    Row("decide_extension", "extension_pending", "deputy_leader", plain(approve=True), "handling", "unit_handler"),
    Row("supervise", "handling", "deputy_leader", plain(content="请加快办理"), "handling", "unit_handler"),
    Row("answer_supervision", "supervised", "unit_handler", _answer_supervision, "handling", "dispatcher"),
    Row("escalate", "accepted", "dispatcher", plain(note="需要街道协调"), "accepted", "grid_worker"),
    Row("merge", "accepted", "dispatcher", _merge, "closed", "community_staff"),
    Row("void", "registered", "dispatcher", plain(note="重复登记"), "closed", "community_staff"),
    Row("request_exclusion", "callback", "dispatcher", plain(reason="诉求不合理"), "callback", "community_staff"),
    Row("decide_exclusion", "exclusion_pending", "deputy_leader", plain(approve=True), "callback", "dispatcher"),
    Row("note", "accepted", "dispatcher", plain(note="备注"), "accepted", "grid_worker"),
]


@pytest.fixture
def setup(request, loop, api_as, world):
    world.dispatcher_user = loop.dispatcher

    def make(row: Row) -> tuple[Case, Any, Any]:
        case = getattr(loop, row.state)()
        actor = request.getfixturevalue(row.actor)
        forbidden = request.getfixturevalue(row.forbidden)
        return case, api_as(actor), api_as(forbidden)

    return make


@pytest.mark.parametrize("row", ROWS, ids=[r.action for r in ROWS])
def test_action_happy_path(row, setup, world):
    # Given a case where the action may happen, when its actor posts it with the version he saw
    case, api, _ = setup(row)
    body = {**row.body(world, case), "expected_version": case.version}
    status, answer = api.post(f"/cases/{case.pk}/actions/{row.action}", body)
    # then the case moved, its version went up, and the history records the action
    assert status == 200, answer
    assert answer["state"] == row.after
    assert answer["version"] > case.version
    assert CaseEvent.objects.filter(case=case, action=row.action).exists()
    assert answer["events"][-1]["action"] in (row.action, "register")  # merge also writes on the main case


@pytest.mark.parametrize("row", ROWS, ids=[r.action for r in ROWS])
def test_action_forbidden_for_others(row, setup, world):
    case, _, api = setup(row)
    status, answer = api.post(f"/cases/{case.pk}/actions/{row.action}", row.body(world, case))
    assert status == 403, answer
    assert answer["code"] == "forbidden"
    assert answer["message"]
    assert Case.objects.get(pk=case.pk).version == case.version


@pytest.mark.parametrize("row", [r for r in ROWS if r.action != "note"], ids=lambda r: r.action)
def test_action_with_a_stale_version_is_a_conflict(row, setup, world):
    case, api, _ = setup(row)
    body = {**row.body(world, case), "expected_version": case.version + 1}
    status, answer = api.post(f"/cases/{case.pk}/actions/{row.action}", body)
    assert status == 409, answer
    assert answer["code"] == "conflict"
    assert Case.objects.get(pk=case.pk).version == case.version


def test_action_not_possible_in_this_state(loop, api_as):
    case = loop.registered()
    status, answer = api_as(loop.handler).post(f"/cases/{case.pk}/actions/sign", {})
    # the handler cannot even see a case that was never dispatched to his unit
    assert status == 404
    status, answer = api_as(loop.dispatcher).post(f"/cases/{case.pk}/actions/archive", {})
    assert status == 409
    assert answer["code"] == "transition_not_allowed"


def test_outsider_gets_404_for_a_case_of_another_community(loop, api_as, outsider):
    case = loop.accepted()
    status, answer = api_as(outsider).post(f"/cases/{case.pk}/actions/note", {"note": "看看"})
    assert status == 404
    assert answer == {"code": "not_found", "message": answer["message"], "field": None}


def test_invalid_input_names_the_field(loop, api_as):
    case = loop.accepted()
    api = api_as(loop.dispatcher)
    status, answer = api.post(f"/cases/{case.pk}/actions/dispatch", {"unit_id": loop.world.unit_other_office.pk})
    assert status == 422
    assert answer["code"] == "invalid"
    assert answer["field"] == "unit_id"
    status, answer = api.post(f"/cases/{case.pk}/actions/void", {"note": "   "})
    assert (status, answer["code"], answer["field"]) == (422, "invalid", "note")


def test_the_whole_loop_through_the_api(loop, api_as, world):
    dispatcher, handler = api_as(loop.dispatcher), api_as(loop.handler)
    status, case = dispatcher.post(
        "/cases",
        {
            "channel": "phone",
            "request_type": "help",
            "title": "楼道灯坏了",
            "content": "3栋2单元楼道灯不亮。",
            "place_id": world.grid_a1.pk,
            "reporter_name": "李四",
            "reporter_phone": "13900001111",
        },
    )
    assert status == 201, case
    steps = [
        (dispatcher, "accept", {}),
        (dispatcher, "dispatch", {"unit_id": world.unit_property_a.pk}),
        (handler, "sign", {}),
        (handler, "contact", {"note": "已联系"}),
        (handler, "reply", {"result_text": "已更换灯泡"}),
        (dispatcher, "verify", {"passed": True}),
        (
            dispatcher,
            "callback",
            {"process_satisfaction": "satisfied", "result_satisfaction": "satisfied", "resolved": True},
        ),
        (dispatcher, "archive", {}),
    ]
    for api, action, body in steps:
        status, case = api.post(f"/cases/{case['id']}/actions/{action}", {**body, "expected_version": case["version"]})
        assert status == 200, (action, case)
    assert case["state"] == "archived"
    assert [e["action"] for e in case["events"]] == ["register", *[s[1] for s in steps]]
