"""Who is told about which case event (rules.recipients_for) and the hook notify_case_event()."""

import pytest

from conftest import _persona
from jiedao.cases import services as case_services
from jiedao.cases.choices import Escalation
from jiedao.cases.models import CaseEvent
from jiedao.notifications import rules
from jiedao.notifications.choices import Kind
from jiedao.notifications.models import Notification
from jiedao.notifications.services import notify_case_event
from jiedao.notifications.tasks import tell_case_event
from jiedao.notifications.tests.conftest import dispatched, handling, register


def _event(case, action):
    return CaseEvent.objects.filter(case=case, action=action).latest("id")


def _told(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_dispatch_tells_the_handlers_of_that_unit_only(
    world, dispatcher, unit_handler, urban_handler, other_office_dispatcher, now, english
):
    case = dispatched(world, dispatcher)
    assert rules.recipients_for(case, Kind.DISPATCHED) == [unit_handler]
    # the dispatch service told them already, in its own transaction; telling again changes nothing
    created = list(Notification.objects.filter(case=case, kind=Kind.DISPATCHED))
    assert notify_case_event(_event(case, "dispatch").pk) == []
    assert [n.recipient for n in created] == [unit_handler]
    (notification,) = created
    assert notification.case == case
    assert notification.title == f"New case for your unit: {case.number} 楼道灯坏了"
    assert notification.body == "Dispatched to A物业; sign for it by 2026-11-24 17:30."
    assert notification.url == f"/cases/{case.pk}/"


def test_a_co_unit_dispatch_tells_the_co_unit(world, dispatcher, unit_handler, urban_handler, now):
    case = dispatched(world, dispatcher)
    case_services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk, role="co")
    co_event = _event(case, "dispatch")
    assert set(Notification.objects.filter(case_event=co_event).values_list("recipient__username", flat=True)) == {
        "urban_handler"
    }


def test_return_tells_the_dispatchers_of_the_office_not_the_other_office(
    world, dispatcher, office_admin, urban_handler, other_office_dispatcher, now, english
):
    case = register(dispatcher)
    case_services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk)
    case_services.case_return(case_id=case.pk, actor=urban_handler, reason="wrong_duty", note="属物业管理范围")
    notify_case_event(_event(case, "return").pk)
    assert _told(Kind.RETURNED) == {"dispatcher"}  # the office admin is not a dispatcher
    body = Notification.objects.get(kind=Kind.RETURNED).body
    assert body == "甲城管科 returned the case (Not our duty); review the return."
    assert "属物业管理范围" not in body  # free text stays on the case page


def test_extension_request_tells_the_dispatchers(world, dispatcher, unit_handler, now):
    case = handling(world, dispatcher, unit_handler)
    case_services.case_extension_request(case_id=case.pk, actor=unit_handler, amount="2", reason="需要采购配件")
    notify_case_event(_event(case, "request_extension").pk)
    assert _told(Kind.EXTENSION_REQUESTED) == {"dispatcher"}


def test_supervision_tells_the_supervised_unit(world, dispatcher, deputy_leader, unit_handler, urban_handler, now):
    case = dispatched(world, dispatcher)
    case_services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk, role="co")
    case_services.case_supervise(case_id=case.pk, actor=deputy_leader, content="请尽快", unit_id=world.unit_urban.pk)
    notify_case_event(_event(case, "supervise").pk)
    assert _told(Kind.SUPERVISED) == {"urban_handler"}
    assert "2026-11-26 17:30" in Notification.objects.get(kind=Kind.SUPERVISED).body


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Escalation.GRID, {"grid_worker"}),  # the grid leader here is bound to the community
        (Escalation.COMMUNITY, {"staff_a", "grid_leader"}),
        (Escalation.DEPARTMENT, {"unit_handler", "dispatcher"}),
        (Escalation.DEPUTY_LEADER, {"deputy_leader"}),
        (Escalation.PRINCIPAL_LEADER, {"principal_leader"}),
    ],
)
def test_escalation_tells_the_rung_of_the_ladder(
    world,
    dispatcher,
    unit_handler,
    grid_worker,
    grid_leader,
    community_staff_a,
    outsider,
    deputy_leader,
    principal_leader,
    now,
    level,
    expected,
):
    case = dispatched(world, dispatcher)
    names = {user.username for user in rules.recipients_for(case, Kind.ESCALATED, level=level)}
    assert names == expected
    assert "outsider" not in names  # community B's staff never hear about community A


def test_an_empty_rung_falls_back_to_the_dispatchers(world, dispatcher, now):
    case = dispatched(world, dispatcher)
    assert rules.recipients_for(case, Kind.ESCALATED, level=Escalation.PRINCIPAL_LEADER) == [dispatcher]


def test_district_dispatchers_are_told_only_when_the_office_has_none(world, now):
    district_dispatcher = _persona("district_dispatcher", "dispatcher", place=world.district)
    case = register(district_dispatcher)
    assert rules.recipients_for(case, Kind.RETURNED) == [district_dispatcher]
    office_dispatcher = _persona("office_dispatcher", "dispatcher", place=world.office)
    assert rules.recipients_for(case, Kind.RETURNED) == [office_dispatcher]


def test_escalation_event_tells_the_rung_reached_and_not_the_actor(world, dispatcher, community_staff_a, now, english):
    case = register(dispatcher)
    case_services.case_escalate(case_id=case.pk, actor=dispatcher, note="呈报社区")
    notify_case_event(_event(case, "escalate").pk)
    assert _told(Kind.ESCALATED) == {"staff_a"}
    assert Notification.objects.get(kind=Kind.ESCALATED).body == "The case has been escalated to: Community."


def test_the_actor_is_not_told_of_his_own_act(world, dispatcher, now):
    case = register(dispatcher)  # no community staff: the rung falls back to the dispatcher, who acted
    case_services.case_escalate(case_id=case.pk, actor=dispatcher, note="呈报")
    assert notify_case_event(_event(case, "escalate").pk) == []
    assert not Notification.objects.exists()


def test_asking_twice_about_one_event_notifies_once(world, dispatcher, unit_handler, now):
    case = dispatched(world, dispatcher)
    event = _event(case, "dispatch")  # the dispatch service has told the unit already
    assert tell_case_event.call_local(event.pk) == 0
    assert notify_case_event(event.pk) == []
    assert Notification.objects.filter(case_event=event).count() == 1


def test_other_actions_and_missing_events_tell_nobody(world, dispatcher, unit_handler, now):
    case = dispatched(world, dispatcher)
    assert notify_case_event(_event(case, "accept").pk) == []
    assert notify_case_event(_event(case, "register").pk) == []
    assert notify_case_event(987654) == []
    assert not Notification.objects.exclude(case_event__action="dispatch").exists()


def test_outbound_channels_follow_the_kind_and_the_configuration(settings):
    assert rules.channels_for(Kind.RED) == ("inapp", "sms", "wecom")
    assert rules.channels_for(Kind.SILENT) == ("inapp", "wecom")
    settings.NOTIFICATION_CHANNELS = {"wecom": "jiedao.notifications.channels.ConsoleChannel"}
    assert rules.channels_for(Kind.RED) == ("inapp", "wecom")
    settings.NOTIFICATION_KIND_CHANNELS = {Kind.RED: ("inapp",)}
    assert rules.channels_for(Kind.RED) == ("inapp",)
