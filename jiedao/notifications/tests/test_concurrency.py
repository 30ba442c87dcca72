"""Two workers running the warning job at the same moment, with real threads and database connections.

Only PostgreSQL has row locks (and SKIP LOCKED) to test: SQLite serialises every writing transaction anyway.
"""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from jiedao.cases.choices import Satisfaction
from jiedao.cases.models import Case, Supervision
from jiedao.notifications.models import Notification, WarningMark
from jiedao.notifications.system import system_user
from jiedao.notifications.tests.conftest import dispatched, handling
from jiedao.notifications.tests.test_warnings import _called_back
from jiedao.notifications.warnings import WarningReport, run_warnings

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # the test reports it below
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_workers_at_once_warn_supervise_and_escalate_once(
    world, dispatcher, unit_handler, deputy_leader, community_staff_a, now
):
    # Given overdue cases, an unsigned dispatch and a case dissatisfied twice (both overdue as well)
    overdue = [handling(world, dispatcher, unit_handler, title=f"超期{index}") for index in range(6)]
    unsigned = dispatched(world, dispatcher, title="未签收")
    unhappy = handling(world, dispatcher, unit_handler, title="不满意")
    overdue += [unsigned, unhappy]
    for _time in range(2):
        _called_back(unhappy, dispatcher, unit_handler, Satisfaction.DISSATISFIED, rework=True)
    system_user()  # both workers find the account (its creation race is Django's get_or_create)
    now.set(2026, 12, 1, 16, 0)

    # When two workers run the job at the same moment
    first, second = _race(lambda: run_warnings(now()), lambda: run_warnings(now()))

    # Then between them every warning was given once
    assert isinstance(first, WarningReport) and isinstance(second, WarningReport), (first, second)
    assert first.red + second.red == len(overdue)
    assert first.unsigned + second.unsigned == 1
    assert first.dissatisfied + second.dissatisfied == 1
    assert Supervision.objects.filter(automatic=True).count() == len(overdue)
    escalations = dict(Case.objects.values_list("pk", "escalation"))
    assert all(escalations[case.pk] == 1 for case in overdue if case != unhappy)
    assert escalations[unhappy.pk] == 2  # once for being overdue, once for the second 不满意
    told = Counter(Notification.objects.values_list("recipient_id", "kind", "case_id"))
    assert max(told.values()) == 1, [key for key, times in told.items() if times > 1]
    marks = Counter(WarningMark.objects.values_list("case_id", "kind"))
    assert max(marks.values()) == 1
    # and a third run finds nothing left
    assert run_warnings(now()) == WarningReport()
