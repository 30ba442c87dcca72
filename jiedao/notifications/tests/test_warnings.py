"""The periodic warning and escalation job, on cases built through the real services and a frozen clock.

A case registered Monday 2026-11-23 10:00 and dispatched at once: sign-off by Tuesday 17:30, finishing by
Monday 2026-11-30 17:30 (5 working days, 43.5 office hours; 80 % is reached on Friday 27th after 16:18).
"""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiedao.cases import services as case_services
from jiedao.cases.choices import Satisfaction
from jiedao.cases.models import Case, CaseEvent, Supervision
from jiedao.notifications.choices import Kind, WarningKind
from jiedao.notifications.models import Notification, WarningMark
from jiedao.notifications.system import SYSTEM_USERNAME
from jiedao.notifications.tasks import issue_warnings
from jiedao.notifications.tests.conftest import dispatched, handling, register
from jiedao.notifications.warnings import WarningReport, run_warnings


def _told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _state():
    """Everything the job may change, to compare two runs."""
    return {
        "notifications": sorted(Notification.objects.values_list("recipient_id", "kind", "case_id")),
        "marks": WarningMark.objects.count(),
        "supervisions": Supervision.objects.count(),
        "escalations": sorted(Case.objects.values_list("pk", "escalation")),
        "events": CaseEvent.objects.count(),
    }


def test_yellow_goes_to_the_unit_once_per_deadline(world, dispatcher, unit_handler, now):
    case = handling(world, dispatcher, unit_handler)
    now.set(2026, 11, 27, 16, 0)  # 79 % used
    assert run_warnings(now()).yellow == 0
    now.set(2026, 11, 27, 17, 0)  # 82 % used
    assert run_warnings(now()).yellow == 1
    assert _told(Kind.YELLOW) == ["unit_handler"]
    assert run_warnings(now()).yellow == 0
    # an approved extension gives a new deadline: green again, then yellow again near it
    case_services.case_extension_request(case_id=case.pk, actor=unit_handler, amount="2", reason="需要采购配件")
    case_services.case_extension_decide(case_id=case.pk, actor=dispatcher, approve=True)
    assert run_warnings(now()).yellow == 0
    now.set(2026, 12, 1, 17, 0)
    assert run_warnings(now()).yellow == 1
    assert _told(Kind.YELLOW) == ["unit_handler", "unit_handler"]
    assert WarningMark.objects.filter(kind=WarningKind.YELLOW).count() == 2


def test_yellow_goes_to_the_dispatchers_while_no_unit_has_the_case(world, dispatcher, now):
    case = register(dispatcher)
    case_services.case_accept(case_id=case.pk, actor=dispatcher)
    now.set(2026, 11, 27, 17, 0)
    assert run_warnings(now()).yellow == 1
    assert _told(Kind.YELLOW) == ["dispatcher"]


def test_red_tells_supervises_and_escalates_once(world, dispatcher, unit_handler, community_staff_a, now):
    case = handling(world, dispatcher, unit_handler)
    now.set(2026, 11, 30, 17, 30)  # the deadline itself is not past it
    assert run_warnings(now()).red == 0
    now.set(2026, 12, 1, 9, 0)
    report = run_warnings(now())
    assert report.red == 1
    assert _told(Kind.RED) == ["dispatcher", "unit_handler"]
    notice = Supervision.objects.get(case=case)
    assert notice.automatic and notice.unit == world.unit_property_a
    assert notice.issued_by is not None and notice.issued_by.username == SYSTEM_USERNAME
    case.refresh_from_db()
    assert case.escalation == 1
    # the rung reached (community A) and the supervised unit hear about the automatic actions
    assert _told(Kind.ESCALATED) == ["staff_a"]
    assert _told(Kind.SUPERVISED) == ["unit_handler"]
    before = _state()
    assert run_warnings(now()) == WarningReport()
    assert _state() == before


def test_red_is_not_given_to_suspended_or_replied_cases(world, dispatcher, unit_handler, now):
    suspended = handling(world, dispatcher, unit_handler)
    case_services.case_suspend(case_id=suspended.pk, actor=dispatcher, reason="等待居民提供材料")
    replied = handling(world, dispatcher, unit_handler, title="路灯不亮")
    case_services.case_reply(case_id=replied.pk, actor=unit_handler, result_text="已修复")
    now.set(2026, 12, 1, 9, 0)
    assert run_warnings(now()).red == 0
    assert not Supervision.objects.exists()


def test_red_on_an_undispatched_case_escalates_without_a_notice(world, dispatcher, now):
    case = register(dispatcher)
    case_services.case_accept(case_id=case.pk, actor=dispatcher)
    now.set(2026, 12, 1, 9, 0)
    assert run_warnings(now()).red == 1
    assert _told(Kind.RED) == ["dispatcher"]
    assert not Supervision.objects.exists()
    assert Case.objects.get(pk=case.pk).escalation == 1


def test_red_stops_escalating_at_the_top_of_the_ladder(world, dispatcher, unit_handler, now):
    case = handling(world, dispatcher, unit_handler)
    for _rung in range(4):
        case_services.case_escalate(case_id=case.pk, actor=dispatcher, note="呈报")
    now.set(2026, 12, 1, 9, 0)
    assert run_warnings(now()).red == 1
    assert Case.objects.get(pk=case.pk).escalation == 4
    assert Supervision.objects.filter(case=case).count() == 1


def test_unsigned_after_24_hours_tells_the_unit_and_dispatchers_once_per_dispatch(
    world, dispatcher, unit_handler, urban_handler, now
):
    case = dispatched(world, dispatcher)
    case_services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk, role="co")
    now.set(2026, 11, 24, 9, 59)
    assert run_warnings(now()).unsigned == 0
    case_services.case_sign(case_id=case.pk, actor=unit_handler)  # the main unit signs in time
    now.set(2026, 11, 24, 10, 0)
    assert run_warnings(now()).unsigned == 1
    assert _told(Kind.UNSIGNED) == ["dispatcher", "urban_handler"]
    assert run_warnings(now()).unsigned == 0


def test_silence_of_three_days_tells_the_dispatchers_once_per_silence(world, dispatcher, now):
    case = register(dispatcher)
    now.set(2026, 11, 26, 10, 0)
    assert run_warnings(now()).silent == 0
    now.set(2026, 11, 26, 10, 1)
    assert run_warnings(now()).silent == 1
    assert _told(Kind.SILENT) == ["dispatcher"]
    assert run_warnings(now()).silent == 0
    case_services.case_note(case_id=case.pk, actor=dispatcher, note="已电话联系，等待回复")
    now.advance(days=3, minutes=1)
    assert run_warnings(now()).silent == 1
    assert _told(Kind.SILENT) == ["dispatcher", "dispatcher"]


def _called_back(case, dispatcher, handler, satisfaction, *, rework):
    case_services.case_reply(case_id=case.pk, actor=handler, result_text="已处理")
    case_services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)
    return case_services.case_callback(
        case_id=case.pk,
        actor=dispatcher,
        process_satisfaction=Satisfaction.BASICALLY,
        result_satisfaction=satisfaction,
        resolved=not rework,
        rework=rework,
    )


def test_two_dissatisfied_callbacks_tell_the_leaders_and_escalate_once(
    world, dispatcher, unit_handler, deputy_leader, principal_leader, now
):
    case = handling(world, dispatcher, unit_handler)
    _called_back(case, dispatcher, unit_handler, Satisfaction.DISSATISFIED, rework=True)
    assert run_warnings(now()).dissatisfied == 0
    _called_back(case, dispatcher, unit_handler, Satisfaction.DISSATISFIED, rework=True)
    assert run_warnings(now()).dissatisfied == 1
    assert _told(Kind.DISSATISFIED) == ["deputy_leader", "principal_leader"]
    assert Case.objects.get(pk=case.pk).escalation == 1
    assert run_warnings(now()).dissatisfied == 0
    assert Case.objects.get(pk=case.pk).escalation == 1


def test_a_closed_case_dissatisfied_twice_tells_the_leaders_without_escalating(
    world, dispatcher, unit_handler, deputy_leader, now
):
    case = handling(world, dispatcher, unit_handler)
    _called_back(case, dispatcher, unit_handler, Satisfaction.DISSATISFIED, rework=True)
    case = _called_back(case, dispatcher, unit_handler, Satisfaction.DISSATISFIED, rework=False)
    assert case.state == "closed"
    assert run_warnings(now()).dissatisfied == 1
    assert _told(Kind.DISSATISFIED) == ["deputy_leader"]
    assert Case.objects.get(pk=case.pk).escalation == 0


def test_running_twice_changes_nothing_the_second_time(
    world, dispatcher, unit_handler, urban_handler, deputy_leader, community_staff_a, now
):
    # Given one case of every kind of trouble
    overdue = handling(world, dispatcher, unit_handler)
    now.set(2026, 11, 26, 10, 0)
    due_soon = handling(world, dispatcher, unit_handler, title="井盖松动")
    unsigned = dispatched(world, dispatcher, title="垃圾未清运")
    unhappy = handling(world, dispatcher, unit_handler, title="噪音扰民")
    for _time in range(2):
        _called_back(unhappy, dispatcher, unit_handler, Satisfaction.DISSATISFIED, rework=True)
    now.set(2026, 12, 1, 16, 0)
    # When the job runs twice
    first = run_warnings(now())
    state = _state()
    second = run_warnings(now())
    # Then the first run gave every warning and the second nothing at all
    assert (first.red, first.yellow, first.unsigned, first.dissatisfied) == (1, 1, 1, 1)
    assert first.silent >= 1
    assert second == WarningReport() and second.total == 0
    assert _state() == state
    assert {overdue.pk, due_soon.pk, unsigned.pk, unhappy.pk} <= set(
        WarningMark.objects.values_list("case_id", flat=True)
    )


def test_queries_do_not_grow_with_the_number_of_quiet_cases(world, dispatcher, unit_handler, now):
    handling(world, dispatcher, unit_handler)
    run_warnings(now())  # creates the system account
    with CaptureQueriesContext(connection) as one_case:
        assert run_warnings(now()).total == 0
    for index in range(5):
        handling(world, dispatcher, unit_handler, title=f"安静的案件{index}")
    with CaptureQueriesContext(connection) as six_cases:
        assert run_warnings(now()).total == 0
    assert len(six_cases) == len(one_case)


def test_the_periodic_task_runs_every_ten_minutes_and_counts(world, dispatcher, now):
    case = register(dispatcher)
    case_services.case_accept(case_id=case.pk, actor=dispatcher)
    now.set(2026, 12, 1, 9, 0)
    assert issue_warnings.call_local() == 2  # red and silent
    assert issue_warnings.call_local() == 0
    task = issue_warnings.s()
    assert task.validate_datetime(dt.datetime(2026, 12, 1, 9, 10))
    assert not task.validate_datetime(dt.datetime(2026, 12, 1, 9, 15))
