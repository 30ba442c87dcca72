"""A small category tree, cases of two offices through the real services, an Open311 source, and readers of
both formats (XML through a real parser)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from defusedxml import ElementTree  # type: ignore[import-untyped]

from conftest import _persona
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.tests.conftest import SHANGHAI, FrozenClock
from jiedao.categories.models import Category
from jiedao.categories.services import categories_seed
from jiedao.core import clock
from jiedao.integrations.choices import SourceKind
from jiedao.integrations.services import source_create

TREE = [
    ("城乡建设", "市政设施", "路灯"),
    ("城乡建设", "市政设施", "道路"),
    ("城乡建设", "环境卫生"),
    ("民生服务", "社会保障", "低保"),
]


@pytest.fixture
def now(monkeypatch):
    """Monday 2026-11-23 10:00 in Shanghai."""
    frozen = FrozenClock(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


@pytest.fixture
def other_office_dispatcher(world):
    return _persona("far_dispatcher", "dispatcher", place=world.other_office)


@pytest.fixture
def tree(db):
    categories_seed(rows=TREE)
    return {c.name: c for c in Category.objects.all()}


@pytest.fixture
def open311_source(world):
    source, raw_key = source_create(
        name="市民随手拍", code="citizen_app", kind=SourceKind.OPEN311, channel=Channel.WECHAT, office=world.office
    )
    source.raw_key = raw_key
    return source


def register(actor, **overrides):
    values = {
        "channel": Channel.PHONE,
        "request_type": RequestType.HELP,
        "title": "路灯不亮",
        "content": "望湖路路灯不亮，晚上看不见。",
        "lng": "120.005",
        "lat": "30.005",
        "address": "望湖路12号3栋2单元501室",
        "reporter_name": "李四",
        "reporter_phone": "13800138000",
    }
    values.update(overrides)
    return services.case_register(actor=actor, **values)


def xml_of(response) -> Any:
    """The parsed document; checks the declaration and the content type on the way."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)


def json_of(response) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def xml_rows(root) -> list[dict[str, str]]:
    """<service_requests><request><field>text… as dicts of text ('' for empty elements)."""
    return [{child.tag: child.text or "" for child in request} for request in root]
