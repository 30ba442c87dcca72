"""A week of cases built through the real case services, a frozen clock, and a media folder of the test's own.

The week reported on is 2026-W47 (Monday 11-16 to Sunday 11-22, Asia/Shanghai); the clock ends on Wednesday 11-25
10:00. Office 甲 gets: a case closed on time and satisfied, a case signed late and rated dissatisfied, a returned
and re-dispatched case, a case never signed for (open and overdue by the end), a consultation answered at once;
office 乙 gets one case of its own, which no report of 甲 may count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import _persona
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, Satisfaction
from jiedao.cases.models import Case
from jiedao.categories.services import category_create
from jiedao.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
POINTS = {
    "A1": ("120.005", "30.005"),
    "A2": ("120.015", "30.005"),
    "B1": ("120.025", "30.005"),
    "C1": ("120.035", "30.005"),
}


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


class FrozenClock:
    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def set(self, *args: int) -> dt.datetime:
        self.moment = at(*args)
        return self.moment


@pytest.fixture
def now(monkeypatch):
    frozen = FrozenClock(at(2026, 11, 16, 9, 0))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def urban_handler(world):
    return _persona("urban_handler", "unit_handler", unit=world.unit_urban)


@pytest.fixture
def other_office_dispatcher(world):
    return _persona("far_dispatcher", "dispatcher", place=world.other_office)


@pytest.fixture
def week_history(world, now, dispatcher, unit_handler, urban_handler, other_office_dispatcher) -> dict[str, Case]:
    lamps = category_create(parent=None, name="城乡建设")
    affairs = category_create(parent=None, name="社区事务")

    def register(grid: str, actor: Any = dispatcher, **values: Any) -> Case:
        lng, lat = POINTS[grid]
        fields = {
            "channel": Channel.PHONE,
            "request_type": RequestType.HELP,
            "title": "路灯不亮",
            "content": "小区路灯不亮。",
            "reporter_name": "李四",
            "reporter_phone": "13800138000",
        }
        fields.update(values)
        return services.case_register(actor=actor, lng=lng, lat=lat, **fields)

    def dispatch(case: Case, unit: Any) -> None:
        services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=unit.pk, role="main")

    def close(case: Case, handler: Any, result: str, *, resolved: bool) -> None:
        services.case_reply(case_id=case.pk, actor=handler, result_text="已处理")
        services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)
        services.case_callback(
            case_id=case.pk,
            actor=dispatcher,
            process_satisfaction=result,
            result_satisfaction=result,
            resolved=resolved,
        )

    cases: dict[str, Case] = {}
    cases["good"] = register("A1", category=lamps)
    services.case_accept(case_id=cases["good"].pk, actor=dispatcher)
    dispatch(cases["good"], world.unit_property_a)
    now.set(2026, 11, 16, 9, 30)
    cases["unhappy"] = register("A2", category=lamps, channel=Channel.HOTLINE_12345, upstream_number="GD-1")
    dispatch(cases["unhappy"], world.unit_urban)
    cases["returned"] = register("B1", category=affairs, title="物业不作为")
    dispatch(cases["returned"], world.unit_urban)
    cases["never_signed"] = register("A1", category=affairs, title="楼道堆物")
    dispatch(cases["never_signed"], world.unit_urban)
    cases["elsewhere"] = register("C1", actor=other_office_dispatcher, title="乙街道的诉求")
    now.set(2026, 11, 16, 10, 0)
    services.case_sign(case_id=cases["good"].pk, actor=unit_handler)
    now.set(2026, 11, 17, 9, 0)
    services.case_return(case_id=cases["returned"].pk, actor=urban_handler, reason="wrong_duty", note="属物业")
    services.case_review_return(
        case_id=cases["returned"].pk, actor=dispatcher, approve=True, unit_id=world.unit_property_a.pk
    )
    services.case_sign(case_id=cases["returned"].pk, actor=unit_handler)
    cases["answered"] = register(
        "A2", request_type=RequestType.CONSULTATION, channel=Channel.HOTLINE_12345, upstream_number="GD-2"
    )
    services.case_answer(case_id=cases["answered"].pk, actor=dispatcher, result_text="按政策答复")
    now.set(2026, 11, 17, 10, 0)
    close(cases["good"], unit_handler, Satisfaction.SATISFIED, resolved=True)
    now.set(2026, 11, 18, 9, 0)
    services.case_sign(case_id=cases["unhappy"].pk, actor=urban_handler)  # the deadline was Tuesday 17:30
    now.set(2026, 11, 19, 10, 0)
    close(cases["unhappy"], urban_handler, Satisfaction.DISSATISFIED, resolved=False)
    now.set(2026, 11, 25, 10, 0)
    return {name: Case.objects.get(pk=case.pk) for name, case in cases.items()}
