from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import translation

from conftest import _persona
from jiedao.cases import services as case_services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.tests.conftest import SHANGHAI, FrozenClock
from jiedao.core import clock


@pytest.fixture
def now(monkeypatch):
    """Monday 2026-11-23 10:00 in Shanghai, an ordinary working day."""
    frozen = FrozenClock(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


@pytest.fixture
def english():
    """Texts in English (the msgids), so assertions do not depend on the translation catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture
def urban_handler(world):
    return _persona("urban_handler", "unit_handler", unit=world.unit_urban)


@pytest.fixture
def other_office_dispatcher(world):
    return _persona("far_dispatcher", "dispatcher", place=world.other_office)


@pytest.fixture
def community_staff_a(world):
    return _persona("staff_a", "community_staff", place=world.community_a)


class Outbox:
    """The FileChannel's files under a temporary VAR_DIR."""

    def __init__(self, root):
        self.root = root

    def lines(self, channel):
        path = self.root / "outbox" / f"{channel}.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return Outbox(tmp_path)


def register(actor, **overrides):
    values = {
        "channel": Channel.PHONE,
        "request_type": RequestType.HELP,
        "title": "楼道灯坏了",
        "content": "3幢2单元楼道灯不亮，晚上看不见。",
        "lng": "120.005",
        "lat": "30.005",
        "reporter_name": "李四",
        "reporter_phone": "13800138000",
    }
    values.update(overrides)
    return case_services.case_register(actor=actor, **values)


def dispatched(world, dispatcher, **overrides):
    """A case registered now, accepted and dispatched to A物业 (5 working days, sign-off within 1)."""
    case = register(dispatcher, **overrides)
    case_services.case_accept(case_id=case.pk, actor=dispatcher)
    return case_services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)


def handling(world, dispatcher, handler, **overrides):
    case = dispatched(world, dispatcher, **overrides)
    return case_services.case_sign(case_id=case.pk, actor=handler)
