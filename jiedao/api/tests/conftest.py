"""An API client for a persona (through a personal token), and cases brought to each state through the services."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from jiedao.api.tokens import api_token_create
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, Satisfaction
from jiedao.cases.models import Case

API = "/api/v1"


@dataclass
class ApiClient:
    """Calls the API with `Authorization: Bearer <token>`; answers are (status, JSON body)."""

    client: Client
    token: str

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        response = self.client.get(f"{API}{path}", data=params, **self._headers())
        return response.status_code, response.json()

    def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        response = self.client.post(
            f"{API}{path}", data=json.dumps(body or {}), content_type="application/json", **self._headers()
        )
        return response.status_code, response.json()


@pytest.fixture
def api_as(db: Any) -> Callable[[Any], ApiClient]:
    def make(user: Any) -> ApiClient:
        _token, text = api_token_create(user=user, name=f"test {user.username}")
        return ApiClient(Client(), text)

    return make


@dataclass
class Loop:
    """The personas of the loop and a way to bring a fresh case of community A to any state."""

    world: Any
    dispatcher: Any
    handler: Any
    leader: Any

    def registered(self, **more: Any) -> Case:
        fields: dict[str, Any] = {
            "channel": Channel.PHONE,
            "request_type": RequestType.HELP,
            "title": "路灯不亮",
            "content": "A社区1号楼门口的路灯坏了一周。",
            "place": self.world.grid_a1,
            "address": "望湖路12号3栋2单元501室",
            "reporter_name": "张三",
            "reporter_phone": "13812345678",
        }
        return services.case_register(actor=self.dispatcher, **{**fields, **more})

    def accepted(self) -> Case:
        return services.case_accept(case_id=self.registered().pk, actor=self.dispatcher)

    def dispatched(self) -> Case:
        case = self.accepted()
        return services.case_dispatch(case_id=case.pk, actor=self.dispatcher, unit_id=self.world.unit_property_a.pk)

    def handling(self) -> Case:
        return services.case_sign(case_id=self.dispatched().pk, actor=self.handler)

    def returned(self) -> Case:
        case = self.dispatched()
        return services.case_return(case_id=case.pk, actor=self.handler, reason="wrong_duty", note="不归物业管")

    def replied(self) -> Case:
        return services.case_reply(case_id=self.handling().pk, actor=self.handler, result_text="已修好")

    def callback(self) -> Case:
        return services.case_verify(case_id=self.replied().pk, actor=self.dispatcher, passed=True)

    def closed(self) -> Case:
        return services.case_callback(
            case_id=self.callback().pk,
            actor=self.dispatcher,
            process_satisfaction=Satisfaction.SATISFIED,
            result_satisfaction=Satisfaction.SATISFIED,
            resolved=True,
        )

    def suspended(self) -> Case:
        return services.case_suspend(case_id=self.accepted().pk, actor=self.dispatcher, reason="等待业主回来")

    def parked(self) -> Case:
        return services.case_park(case_id=self.accepted().pk, actor=self.dispatcher, reason="需要专项资金")

    def extension_pending(self) -> Case:
        return services.case_extension_request(
            case_id=self.handling().pk, actor=self.handler, amount=2, reason="配件未到"
        )

    def supervised(self) -> Case:
        return services.case_supervise(case_id=self.handling().pk, actor=self.leader, content="请加快办理")

    def exclusion_pending(self) -> Case:
        return services.case_exclusion_request(case_id=self.callback().pk, actor=self.dispatcher, reason="诉求不合理")


@pytest.fixture
def loop(world: Any, dispatcher: Any, unit_handler: Any, deputy_leader: Any) -> Loop:
    return Loop(world, dispatcher, unit_handler, deputy_leader)


@pytest.fixture
def other_office_dispatcher(world: Any) -> Any:
    from conftest import _persona

    return _persona("far_dispatcher", "dispatcher", place=world.other_office)
