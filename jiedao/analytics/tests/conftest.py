"""A frozen clock and a small history of cases built through the real services, across three weeks.

The weeks (Asia/Shanghai, Mondays): W1 = [11-16, 11-23), W2 = [11-23, 11-30), W3 = [11-30, 12-07), 2026.
The clock ends on Wednesday 12-09 10:00. Sign-off 1 working day, finishing 5 (consultations 1), rework 3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from conftest import World, _persona
from jiedao.analytics.terms import Period
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, Satisfaction
from jiedao.cases.models import Case
from jiedao.categories.models import Category
from jiedao.categories.services import category_create
from jiedao.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
POINTS = {"A1": ("120.005", "30.005"), "A2": ("120.015", "30.005"), "B1": ("120.025", "30.005")}


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


W1 = Period(at(2026, 11, 16), at(2026, 11, 23))
W2 = Period(at(2026, 11, 23), at(2026, 11, 30))
W3 = Period(at(2026, 11, 30), at(2026, 12, 7))
ALL = Period(at(2026, 11, 1), at(2027, 1, 1))
END = at(2026, 12, 9, 10, 0)


class FrozenClock:
    """A clock the test moves by hand; services and selectors read it through jiedao.core.clock.now()."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def set(self, *args: int) -> dt.datetime:
        moment = at(*args)
        assert moment >= self.moment, "the history only moves forward"
        self.moment = moment
        return moment


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Monday 2026-11-16 09:00 in Shanghai, an ordinary working day."""
    frozen = FrozenClock(at(2026, 11, 16, 9, 0))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


@pytest.fixture
def english() -> Iterator[None]:
    """Messages in English (the msgids), whatever the deployment's language and the .po files hold."""
    with translation.override("en"):
        yield


@pytest.fixture
def urban_handler(world: World) -> Any:
    return _persona("urban_handler", "unit_handler", unit=world.unit_urban)


@dataclass
class Categories:
    city: Category  # 01 城乡建设
    lamps: Category  # 010101 路灯
    community_affairs: Category  # 02 社区事务
    property: Category  # 0201 物业管理
    consultation: Category  # 03 政策咨询


@pytest.fixture
def categories(db: Any) -> Categories:
    city = category_create(parent=None, name="城乡建设")
    lamps = category_create(parent=category_create(parent=city, name="市容环境"), name="路灯")
    affairs = category_create(parent=None, name="社区事务")
    return Categories(
        city,
        lamps,
        affairs,
        category_create(parent=affairs, name="物业管理"),
        category_create(parent=None, name="政策咨询"),
    )


class Builder:
    """Shorthands over the real services, one actor each, as the office would act."""

    def __init__(self, world: World, people: dict[str, Any]) -> None:
        self.world = world
        self.p = people

    def register(self, grid: str, *, category: Category | None = None, **values: Any) -> Case:
        lng, lat = POINTS[grid]
        defaults = {
            "channel": Channel.PHONE,
            "request_type": RequestType.HELP,
            "title": "诉求",
            "content": "居民反映的问题。",
            "reporter_name": "李四",
            "reporter_phone": "13800138000",
        }
        defaults.update(values)
        return services.case_register(actor=self.p["dispatcher"], lng=lng, lat=lat, category=category, **defaults)

    def accept(self, case: Case) -> None:
        services.case_accept(case_id=case.pk, actor=self.p["dispatcher"])

    def dispatch(self, case: Case, unit: str, role: str = "main") -> None:
        target = self.world.unit_urban if unit == "urban" else self.world.unit_property_a
        services.case_dispatch(case_id=case.pk, actor=self.p["dispatcher"], unit_id=target.pk, role=role)

    def handler(self, unit: str) -> Any:
        return self.p["urban_handler"] if unit == "urban" else self.p["unit_handler"]

    def sign(self, case: Case, unit: str) -> None:
        services.case_sign(case_id=case.pk, actor=self.handler(unit))

    def reply_and_verify(self, case: Case, unit: str, *, passed: bool = True) -> None:
        services.case_reply(case_id=case.pk, actor=self.handler(unit), result_text="已处理")
        note = "" if passed else "未整改"
        services.case_verify(case_id=case.pk, actor=self.p["dispatcher"], passed=passed, note=note)

    def callback(self, case: Case, process: str, result: str, *, resolved: bool, rework: bool = False) -> None:
        services.case_callback(
            case_id=case.pk,
            actor=self.p["dispatcher"],
            process_satisfaction=process,
            result_satisfaction=result,
            resolved=resolved,
            rework=rework,
        )

    def supervise(self, case: Case) -> None:
        services.case_supervise(case_id=case.pk, actor=self.p["deputy_leader"], content="请加快办理")


S, B, D = Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.DISSATISFIED


@pytest.fixture
def history(
    world: World,
    categories: Categories,
    now: FrozenClock,
    dispatcher: Any,
    unit_handler: Any,
    urban_handler: Any,
    deputy_leader: Any,
    principal_leader: Any,
) -> dict[str, Case]:
    """Eighteen cases: on time, late, reworked, returned, extended, excluded, merged, voided, refused, answered
    at once, never signed, suspended, a refused return, pending, waiting, and two in the last weeks."""
    people = {
        "dispatcher": dispatcher,
        "unit_handler": unit_handler,
        "urban_handler": urban_handler,
        "deputy_leader": deputy_leader,
        "principal_leader": principal_leader,
    }
    b = Builder(world, people)
    c = categories
    cases: dict[str, Case] = {}

    # Monday 11-16
    cases["good"] = b.register("A1", category=c.lamps)
    b.accept(cases["good"])
    b.dispatch(cases["good"], "property")
    b.dispatch(cases["good"], "urban", role="co")
    now.set(2026, 11, 16, 9, 30)
    cases["late"] = b.register("A2", category=c.property, channel=Channel.GRID, request_type=RequestType.COMPLAINT)
    b.dispatch(cases["late"], "urban")
    now.set(2026, 11, 16, 10, 0)
    cases["rework"] = b.register("B1", category=c.lamps, request_type=RequestType.COMPLAINT)
    b.accept(cases["rework"])
    b.dispatch(cases["rework"], "urban")
    now.set(2026, 11, 16, 10, 10)
    b.sign(cases["good"], "urban")  # the co-unit: not a response of the main unit
    now.set(2026, 11, 16, 11, 0)
    b.sign(cases["good"], "property")
    services.case_contact(case_id=cases["good"].pk, actor=unit_handler, note="已电话联系")
    b.sign(cases["rework"], "urban")
    now.set(2026, 11, 16, 11, 30)
    cases["returned"] = b.register("A1", category=c.property, channel=Channel.RESIDENT)
    b.accept(cases["returned"])
    b.dispatch(cases["returned"], "urban")
    now.set(2026, 11, 16, 12, 0)
    cases["merged"] = b.register("A1", reporter_phone="13900139000")
    services.case_merge(case_id=cases["merged"].pk, into_id=cases["good"].pk, actor=dispatcher)

    # Tuesday 11-17
    now.set(2026, 11, 17, 9, 0)
    services.case_return(case_id=cases["returned"].pk, actor=urban_handler, reason="wrong_duty", note="属物业")
    cases["extended"] = b.register("B1")
    b.accept(cases["extended"])
    b.dispatch(cases["extended"], "urban")
    now.set(2026, 11, 17, 10, 0)
    services.case_review_return(
        case_id=cases["returned"].pk, actor=dispatcher, approve=True, unit_id=world.unit_property_a.pk
    )
    b.sign(cases["extended"], "urban")
    cases["excluded"] = b.register("A1", category=c.lamps, request_type=RequestType.COMPLAINT)
    b.accept(cases["excluded"])
    b.dispatch(cases["excluded"], "property")
    now.set(2026, 11, 17, 14, 0)
    cases["voided"] = b.register("A2")
    b.dispatch(cases["voided"], "urban")
    services.case_void(case_id=cases["voided"].pk, actor=dispatcher, note="重复录入")

    # Wednesday 11-18
    now.set(2026, 11, 18, 9, 0)
    b.sign(cases["late"], "urban")  # the deadline was Tuesday 17:30
    cases["refused"] = b.register("B1", request_type=RequestType.REPORT)
    services.case_reject(case_id=cases["refused"].pk, actor=dispatcher, reason="litigation")
    now.set(2026, 11, 18, 10, 0)
    b.reply_and_verify(cases["good"], "property")
    b.sign(cases["excluded"], "property")
    cases["answered"] = b.register(
        "A2",
        category=c.consultation,
        channel=Channel.HOTLINE_12345,
        upstream_number="U-1",
        request_type=RequestType.CONSULTATION,
    )
    services.case_answer(case_id=cases["answered"].pk, actor=dispatcher, result_text="按政策答复")
    now.set(2026, 11, 18, 11, 0)
    b.callback(cases["good"], S, S, resolved=True)
    b.callback(cases["merged"], S, S, resolved=True)  # the merged resident: never counted

    # Thursday 11-19
    now.set(2026, 11, 19, 9, 0)
    cases["answered_no_phone"] = b.register(
        "B1", category=c.consultation, channel=Channel.WECHAT, request_type=RequestType.CONSULTATION, reporter_phone=""
    )
    b.accept(cases["answered_no_phone"])
    services.case_answer(case_id=cases["answered_no_phone"].pk, actor=dispatcher, result_text="已答复")
    now.set(2026, 11, 19, 10, 0)
    b.sign(cases["returned"], "property")  # the re-dispatch's deadline was Wednesday 17:30
    b.reply_and_verify(cases["rework"], "urban")
    b.callback(cases["rework"], D, D, resolved=False, rework=True)
    b.callback(cases["answered"], S, S, resolved=True)
    now.set(2026, 11, 19, 11, 0)
    b.reply_and_verify(cases["excluded"], "property")
    b.callback(cases["excluded"], D, D, resolved=False)
    services.case_exclusion_request(case_id=cases["excluded"].pk, actor=dispatcher, reason="诉求不合理")

    # Friday 11-20
    now.set(2026, 11, 20, 9, 0)
    services.case_exclusion_decide(case_id=cases["excluded"].pk, actor=principal_leader, approve=True)
    now.set(2026, 11, 20, 10, 0)
    services.case_extension_request(case_id=cases["extended"].pk, actor=urban_handler, amount="2", reason="采购")
    services.case_extension_decide(case_id=cases["extended"].pk, actor=dispatcher, approve=True)

    # Monday 11-23
    now.set(2026, 11, 23, 9, 0)
    cases["never_signed"] = b.register("A2", category=c.lamps)
    b.dispatch(cases["never_signed"], "urban")
    now.set(2026, 11, 23, 10, 0)
    b.reply_and_verify(cases["rework"], "urban")
    b.callback(cases["rework"], B, S, resolved=True)
    cases["suspended"] = b.register("B1")
    b.dispatch(cases["suspended"], "urban")
    now.set(2026, 11, 23, 11, 0)
    b.sign(cases["suspended"], "urban")

    # Tuesday 11-24
    now.set(2026, 11, 24, 9, 0)
    cases["return_refused"] = b.register("B1", category=c.property, channel=Channel.RESIDENT)
    b.accept(cases["return_refused"])
    b.dispatch(cases["return_refused"], "urban")
    now.set(2026, 11, 24, 10, 0)
    b.reply_and_verify(cases["late"], "urban")
    b.callback(cases["late"], B, B, resolved=True)
    b.supervise(cases["returned"])
    b.supervise(cases["never_signed"])
    services.case_suspend(case_id=cases["suspended"].pk, actor=dispatcher, reason="等待居民材料")
    now.set(2026, 11, 24, 11, 0)
    services.case_return(case_id=cases["return_refused"].pk, actor=urban_handler, reason="wrong_place", note="不在辖区")
    now.set(2026, 11, 24, 14, 0)
    services.case_review_return(case_id=cases["return_refused"].pk, actor=dispatcher, approve=False, note="属辖区")

    # Wednesday 11-25
    now.set(2026, 11, 25, 9, 0)
    b.sign(cases["return_refused"], "urban")
    cases["pending"] = b.register("A1", request_type=RequestType.SUGGESTION)
    now.set(2026, 11, 25, 9, 30)
    cases["waiting"] = b.register("B1", category=c.consultation, request_type=RequestType.SUGGESTION)
    b.accept(cases["waiting"])
    now.set(2026, 11, 25, 10, 0)
    b.reply_and_verify(cases["extended"], "urban")
    b.callback(cases["extended"], S, B, resolved=False)

    # Thursday 11-26 to Monday 11-30: a failed verification, then the callback
    now.set(2026, 11, 26, 10, 0)
    b.reply_and_verify(cases["return_refused"], "urban", passed=False)
    now.set(2026, 11, 27, 10, 0)
    services.case_reply(case_id=cases["return_refused"].pk, actor=urban_handler, result_text="已整改")
    now.set(2026, 11, 30, 10, 0)
    services.case_verify(case_id=cases["return_refused"].pk, actor=dispatcher, passed=True)
    b.callback(cases["return_refused"], S, S, resolved=True)

    # Tuesday 12-01 and Wednesday 12-02
    now.set(2026, 12, 1, 9, 0)
    cases["third_week"] = b.register("A1", category=c.lamps, channel=Channel.GRID)
    b.dispatch(cases["third_week"], "property")
    now.set(2026, 12, 1, 10, 0)
    b.sign(cases["third_week"], "property")
    b.supervise(cases["returned"])
    now.set(2026, 12, 2, 10, 0)
    b.reply_and_verify(cases["third_week"], "property")
    b.callback(cases["third_week"], S, B, resolved=True)

    # Monday 12-07: still running when the clock stops on Wednesday 12-09
    now.set(2026, 12, 7, 9, 0)
    cases["future"] = b.register("B1")
    b.dispatch(cases["future"], "urban")
    now.set(2026, 12, 9, 10, 0)
    return {name: Case.objects.get(pk=case.pk) for name, case in cases.items()}
