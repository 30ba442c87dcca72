"""The closed loop through the real services, with real working-day deadlines."""

import datetime as dt
from decimal import Decimal

import pytest

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, Resolution, Satisfaction, State, Urgency
from jiedao.cases.errors import Conflict, InvalidInput
from jiedao.cases.models import Case, CaseEvent, Dispatch
from jiedao.cases.tests.conftest import SHANGHAI
from jiedao.cases.workflow import TransitionNotAllowed
from jiedao.core.errors import ActionForbidden, NotFoundOrForbidden


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


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
    return services.case_register(actor=actor, **values)


def test_register_resolves_the_grid_numbers_the_case_and_encrypts_the_reporter(world, dispatcher, now):
    case = register(dispatcher)
    assert (case.grid, case.community, case.office) == (world.grid_a1, world.community_a, world.office)
    assert case.scope_code == world.grid_a1.code
    assert case.number == "JD2026-000001"
    assert register(dispatcher, title="另一件").number == "JD2026-000002"
    assert case.state == State.REGISTERED
    assert case.reporter_phone_last4 == "8000"
    stored = Case.objects.filter(pk=case.pk).values_list("reporter_phone", flat=True).get()
    assert stored == "13800138000"  # the field decrypts; the raw column is checked in core tests
    assert CaseEvent.objects.filter(case=case, action="register").count() == 1


def test_register_is_idempotent_by_channel_and_upstream_number(world, dispatcher, now):
    first = register(dispatcher, channel=Channel.HOTLINE_12345, upstream_number="GD20261123001")
    again = register(dispatcher, channel=Channel.HOTLINE_12345, upstream_number="GD20261123001", title="重复")
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    other_channel = register(dispatcher, channel=Channel.DEPARTMENT, upstream_number="GD20261123001")
    assert other_channel.pk != first.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"content": ""}, "content"),
        ({"channel": "fax"}, "channel"),
        ({"request_type": "gossip"}, "request_type"),
        ({"urgency": "whenever"}, "urgency"),
        ({"lng": "120.005", "lat": ""}, "lat"),
        ({"lng": "abc", "lat": "30"}, "lng"),
        ({"lng": "200", "lat": "30"}, "lng"),
        ({"reporter_phone": "call me"}, "reporter_phone"),
        ({"lng": None, "lat": None}, "place"),
    ],
)
def test_register_rejects_bad_input_naming_the_field_and_writes_nothing(world, dispatcher, now, overrides, field):
    with pytest.raises(InvalidInput) as excinfo:
        register(dispatcher, **overrides)
    assert excinfo.value.field == field
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_grid_worker_registers_in_his_grid_only(world, grid_worker, now):
    assert register(grid_worker, channel=Channel.GRID).grid == world.grid_a1
    with pytest.raises(ActionForbidden):
        register(grid_worker, lng="120.025", lat="30.005")  # grid B1
    assert Case.objects.count() == 1


def test_the_whole_loop_with_deadlines_and_events(world, dispatcher, unit_handler, now):
    # Given a 12345 order received on Monday 2026-11-23 10:00 with an upstream deadline on Friday noon
    case = register(
        dispatcher, channel=Channel.HOTLINE_12345, upstream_number="A1", upstream_deadline=at(2026, 11, 27, 12, 0)
    )
    case = services.case_accept(case_id=case.pk, actor=dispatcher)
    # then the 5-working-day limit would end next Monday 17:30, but the earlier upstream deadline wins
    assert case.finish_deadline == at(2026, 11, 27, 12, 0)
    case = services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    assert case.state == State.DISPATCHED
    assert case.sign_deadline == at(2026, 11, 24, 17, 30)  # 1 working day
    now.advance(hours=2)
    case = services.case_sign(case_id=case.pk, actor=unit_handler)
    assert (case.state, case.signed_at, case.sign_deadline) == (State.HANDLING, now(), None)
    case = services.case_contact(case_id=case.pk, actor=unit_handler, note="已电话联系居民")
    assert case.contacted_at == now() and case.contact_deadline is None
    now.advance(days=1)
    case = services.case_reply(case_id=case.pk, actor=unit_handler, result_text="已更换灯泡")
    assert case.state == State.REPLIED
    case = services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)
    assert case.state == State.CALLBACK
    assert case.callback_deadline == at(2026, 11, 27, 17, 30)  # 3 working days from Tuesday
    case = services.case_callback(
        case_id=case.pk,
        actor=dispatcher,
        process_satisfaction=Satisfaction.SATISFIED,
        result_satisfaction=Satisfaction.SATISFIED,
        resolved=True,
    )
    assert (case.state, case.resolution, case.closed_at) == (State.CLOSED, Resolution.HANDLED, now())
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["register", "accept", "dispatch", "sign", "contact", "reply", "verify", "callback"]
    assert all(e.actor_id for e in case.events.all())
    assert case.version == len(actions) - 1


def test_return_and_redispatch_and_refusal(world, dispatcher, unit_handler, urban_handler, now):
    case = register(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk)
    with pytest.raises(InvalidInput):
        services.case_return(case_id=case.pk, actor=urban_handler, reason="wrong_duty", note="")
    case = services.case_return(case_id=case.pk, actor=urban_handler, reason="wrong_duty", note="属物业管理范围")
    assert (case.state, case.main_unit, case.return_count) == (State.RETURNED, None, 1)
    case = services.case_review_return(
        case_id=case.pk, actor=dispatcher, approve=True, unit_id=world.unit_property_a.pk
    )
    assert (case.state, case.main_unit) == (State.DISPATCHED, world.unit_property_a)
    case = services.case_return(case_id=case.pk, actor=unit_handler, reason="wrong_place", note="不在本小区")
    case = services.case_review_return(case_id=case.pk, actor=dispatcher, approve=False, note="经核实属本小区")
    assert (case.state, case.main_unit) == (State.DISPATCHED, world.unit_property_a)
    assert Dispatch.objects.filter(case=case).count() == 3
    assert Dispatch.objects.filter(case=case, active=True).count() == 1


def test_extension_moves_the_deadline_and_suspension_stops_the_clock(world, dispatcher, unit_handler, now):
    case = register(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    case = services.case_sign(case_id=case.pk, actor=unit_handler)
    assert case.finish_deadline == at(2026, 11, 30, 17, 30)  # 5 working days from Monday
    services.case_extension_request(case_id=case.pk, actor=unit_handler, amount="2", reason="需要采购配件")
    with pytest.raises(Conflict):
        services.case_extension_request(case_id=case.pk, actor=unit_handler, amount="1", reason="再次申请")
    case = services.case_extension_decide(case_id=case.pk, actor=dispatcher, approve=True)
    assert case.finish_deadline == at(2026, 12, 2, 17, 30)
    assert case.extensions.get().deadline_before == at(2026, 11, 30, 17, 30)
    # suspended Tuesday 10:00 to Thursday 10:00: two working days of clock stop
    now.set(2026, 11, 24, 10, 0)
    case = services.case_suspend(case_id=case.pk, actor=dispatcher, reason="等待居民提供材料")
    assert (case.state, case.finish_deadline) == (State.SUSPENDED, None)
    with pytest.raises(TransitionNotAllowed):
        services.case_reply(case_id=case.pk, actor=unit_handler, result_text="x")
    now.set(2026, 11, 26, 10, 0)
    case = services.case_resume(case_id=case.pk, actor=dispatcher)
    assert case.state == State.HANDLING
    assert case.finish_deadline == at(2026, 12, 4, 17, 30)


def test_dissatisfied_callback_sends_the_case_back_with_a_rework_limit(world, dispatcher, unit_handler, now):
    case = register(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    services.case_sign(case_id=case.pk, actor=unit_handler)
    services.case_reply(case_id=case.pk, actor=unit_handler, result_text="已处理")
    services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)
    case = services.case_callback(
        case_id=case.pk,
        actor=dispatcher,
        process_satisfaction=Satisfaction.BASICALLY,
        result_satisfaction=Satisfaction.DISSATISFIED,
        resolved=False,
        rework=True,
        note="灯还是不亮",
    )
    assert (case.state, case.rework_count) == (State.HANDLING, 1)
    assert case.finish_deadline == at(2026, 11, 26, 17, 30)  # 3 working days of rework, no upstream cap
    services.case_reply(case_id=case.pk, actor=unit_handler, result_text="更换了线路")
    services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)
    case = services.case_callback(
        case_id=case.pk,
        actor=dispatcher,
        process_satisfaction=Satisfaction.SATISFIED,
        result_satisfaction=Satisfaction.SATISFIED,
        resolved=True,
    )
    assert case.state == State.CLOSED
    assert list(case.callbacks.values_list("is_latest", flat=True)) == [False, True]


def test_failed_verification_is_rework(world, dispatcher, unit_handler, now):
    case = register(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    services.case_sign(case_id=case.pk, actor=unit_handler)
    services.case_reply(case_id=case.pk, actor=unit_handler, result_text="已处理")
    with pytest.raises(InvalidInput):
        services.case_verify(case_id=case.pk, actor=dispatcher, passed=False, note="")
    case = services.case_verify(case_id=case.pk, actor=dispatcher, passed=False, note="现场未整改")
    assert (case.state, case.rework_count) == (State.HANDLING, 1)


def test_answer_at_once_without_a_phone_closes(world, dispatcher, now):
    case = register(dispatcher, request_type=RequestType.CONSULTATION, reporter_phone="")
    case = services.case_answer(case_id=case.pk, actor=dispatcher, result_text="社保卡补办请到社保所窗口")
    assert (case.state, case.resolution) == (State.CLOSED, Resolution.ANSWERED)
    with_phone = register(dispatcher, request_type=RequestType.CONSULTATION)
    assert services.case_answer(case_id=with_phone.pk, actor=dispatcher, result_text="答复").state == State.CALLBACK


def test_reject_and_void_need_reasons(world, dispatcher, now):
    case = register(dispatcher)
    with pytest.raises(InvalidInput):
        services.case_reject(case_id=case.pk, actor=dispatcher, reason="bored")
    case = services.case_reject(case_id=case.pk, actor=dispatcher, reason="litigation")
    assert (case.state, case.resolution) == (State.CLOSED, Resolution.NOT_ACCEPTED)
    other = register(dispatcher)
    with pytest.raises(InvalidInput):
        services.case_void(case_id=other.pk, actor=dispatcher, note=" ")
    assert services.case_void(case_id=other.pk, actor=dispatcher, note="重复录入").resolution == Resolution.VOIDED


def test_merge_points_to_the_main_case_and_its_resident_is_called_back(world, dispatcher, unit_handler, now):
    main = register(dispatcher)
    repeat = register(dispatcher, reporter_phone="13900139000")
    version = main.version
    merged = services.case_merge(case_id=repeat.pk, into_id=main.pk, actor=dispatcher)
    assert (merged.state, merged.resolution, merged.merged_into) == (State.CLOSED, Resolution.MERGED, main)
    assert main.events.filter(action="merge").exists()
    main.refresh_from_db()
    assert main.version == version + 1  # a form showing the main case before the merge is now stale
    with pytest.raises(InvalidInput):
        services.case_merge(case_id=main.pk, into_id=main.pk, actor=dispatcher)
    services.case_callback(
        case_id=merged.pk,
        actor=dispatcher,
        process_satisfaction=Satisfaction.SATISFIED,
        result_satisfaction=Satisfaction.SATISFIED,
        resolved=True,
    )
    assert merged.callbacks.count() == 1


def test_supervision_notice_and_answer(world, dispatcher, deputy_leader, unit_handler, urban_handler, now):
    case = register(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    case = services.case_supervise(case_id=case.pk, actor=deputy_leader, content="请尽快办理")
    notice = case.supervisions.get()
    assert notice.deadline == at(2026, 11, 26, 17, 30)
    with pytest.raises(NotFoundOrForbidden):  # the case was never with his unit: he cannot even see it
        services.case_supervision_answer(case_id=case.pk, supervision_id=notice.pk, actor=urban_handler, reply="x")
    services.case_supervision_answer(case_id=case.pk, supervision_id=notice.pk, actor=unit_handler, reply="已安排")
    notice.refresh_from_db()
    assert notice.replied_at == now()


def test_escalation_climbs_the_ladder_and_stops_at_the_top(world, dispatcher, now):
    case = register(dispatcher)
    for level in range(1, 5):
        assert services.case_escalate(case_id=case.pk, actor=dispatcher, note="呈报").escalation == level
    with pytest.raises(Conflict):
        services.case_escalate(case_id=case.pk, actor=dispatcher, note="再呈报")
    assert case.state == State.REGISTERED  # escalation is not a state


def test_exclusion_needs_a_leader(world, dispatcher, principal_leader, unit_handler, now):
    case = register(dispatcher, reporter_phone="")
    case = services.case_answer(case_id=case.pk, actor=dispatcher, result_text="已答复")
    services.case_exclusion_request(case_id=case.pk, actor=dispatcher, reason="诉求不合理")
    with pytest.raises(ActionForbidden):
        services.case_exclusion_decide(case_id=case.pk, actor=dispatcher, approve=True)
    case = services.case_exclusion_decide(case_id=case.pk, actor=principal_leader, approve=True)
    assert case.excluded_from_scoring


def test_people_outside_the_case_cannot_act(
    world, dispatcher, outsider, grid_worker, urban_handler, other_office_dispatcher, now
):
    case = register(dispatcher)
    with pytest.raises(NotFoundOrForbidden):
        services.case_accept(case_id=case.pk, actor=outsider)
    with pytest.raises(NotFoundOrForbidden):
        services.case_accept(case_id=case.pk, actor=other_office_dispatcher)
    with pytest.raises(ActionForbidden):
        services.case_dispatch(case_id=case.pk, actor=grid_worker, unit_id=world.unit_urban.pk)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    with pytest.raises(NotFoundOrForbidden):
        services.case_sign(case_id=case.pk, actor=urban_handler)  # the case is not with his unit
    with pytest.raises(NotFoundOrForbidden):
        services.case_accept(case_id=999_999, actor=dispatcher)
    assert case.events.count() == 2


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, dispatcher, now):
    case = register(dispatcher)
    services.case_accept(case_id=case.pk, actor=dispatcher, expected_version=0)
    with pytest.raises(Conflict):
        services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk, expected_version=0)
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_a_second_main_dispatch_is_a_conflict_and_co_units_are_added(
    world, dispatcher, unit_handler, urban_handler, now
):
    case = register(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    with pytest.raises(Conflict):
        services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk)
    case = services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk, role="co")
    assert case.dispatches.filter(active=True).count() == 2
    case = services.case_sign(case_id=case.pk, actor=urban_handler)
    assert case.state == State.DISPATCHED  # a co-unit's sign-off does not start the handling
    services.case_sign(case_id=case.pk, actor=unit_handler)
    with pytest.raises(ActionForbidden):  # only the main unit replies
        services.case_reply(case_id=case.pk, actor=urban_handler, result_text="x")


def test_urgent_cases_run_on_calendar_hours(world, dispatcher, now):
    now.set(2026, 11, 28, 22, 0)  # Saturday night
    case = register(dispatcher, urgency=Urgency.URGENT)
    case = services.case_accept(case_id=case.pk, actor=dispatcher)
    assert case.finish_deadline == at(2026, 11, 29, 0, 0)
    assert case.finish_limit == Decimal("2.00")


def test_a_bulk_registration_takes_its_numbers_in_one_block_and_gives_back_what_it_did_not_use(world, dispatcher, now):
    from django.db import transaction

    from jiedao.cases.models import CaseSequence
    from jiedao.cases.services.intake import numbers_reserved

    register(dispatcher)  # JD2026-000001
    with transaction.atomic(), numbers_reserved({(world.office, 2026): 5}):
        assert CaseSequence.objects.get(office=world.office, year=2026).last == 6
        numbers = [register(dispatcher, title=f"第{i}件").number for i in range(3)]
    assert numbers == ["JD2026-000002", "JD2026-000003", "JD2026-000004"]
    assert CaseSequence.objects.get(office=world.office, year=2026).last == 4
    assert register(dispatcher, title="之后").number == "JD2026-000005"
    # An error inside rolls the reservation back with the cases
    with pytest.raises(RuntimeError), transaction.atomic(), numbers_reserved({(world.office, 2026): 5}):
        register(dispatcher, title="回滚")
        raise RuntimeError("the file is refused")
    assert CaseSequence.objects.get(office=world.office, year=2026).last == 5
    assert register(dispatcher, title="再之后").number == "JD2026-000006"
