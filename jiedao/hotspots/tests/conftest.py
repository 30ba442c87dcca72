from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from jiedao.cases import services as case_services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.tests.conftest import FrozenClock
from jiedao.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The reference week of the tests: Monday 2026-11-23 (Asia/Shanghai).
WEEK = dt.date(2026, 11, 23)
# Points inside the test grids (0.01° squares along latitude 30): A1, A2 (community A), B1 (B), C1 (other office).
A1, A2, B1, C1 = ("120.005", "30.005"), ("120.015", "30.005"), ("120.025", "30.005"), ("120.035", "30.005")

LAMP = ("小区路灯不亮", "柳岸小区{n}号楼前路灯连续一周不亮，夜间出行不便，老人摔倒过。")
LAMP_OTHER = ("路灯坏了晚上很黑", "柳岸小区{n}号楼门口路灯不亮好几天了，晚上出行不便。")
GARBAGE = ("垃圾未清运", "小区门口垃圾桶满了{n}天没人清运，气味很大，苍蝇多。")
NOISE = ("夜间施工噪音扰民", "工地{n}号塔吊夜间施工到凌晨，噪音扰民，影响休息。")
WATER = ("楼上漏水", "楼上住户卫生间漏水{n}次，天花板渗水发霉。")


@pytest.fixture
def now(monkeypatch):
    """Wednesday 2026-11-25 10:00 in Shanghai, in the reference week."""
    frozen = FrozenClock(dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def register(actor, text, *, point=A1, received_at=None, n=1):
    title, content = text
    return case_services.case_register(
        actor=actor,
        channel=Channel.PHONE,
        request_type=RequestType.COMPLAINT,
        title=title,
        content=content.format(n=n),
        lng=point[0],
        lat=point[1],
        received_at=received_at,
    )


@pytest.fixture
def other_office_dispatcher(world):
    """The dispatcher of office 乙: another office altogether."""
    from conftest import _persona

    return _persona("far_dispatcher", "dispatcher", place=world.other_office)
