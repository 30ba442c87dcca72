"""Two people acting on one case at the same moment, with real threads and database connections.

Only PostgreSQL has row locks to test: SQLite serialises every writing transaction anyway.
"""

import threading

import pytest
from django.db import connection, connections

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, State
from jiedao.cases.models import Case, CaseEvent, Dispatch
from jiedao.core.errors import DomainError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def _race(*calls):
    """Run the calls at the same moment in threads with their own connections; return results and errors."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except DomainError as exc:
            outcomes[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _case(world, dispatcher):
    case = services.case_register(
        actor=dispatcher,
        channel=Channel.PHONE,
        request_type=RequestType.HELP,
        title="路灯不亮",
        content="小区门口路灯坏了",
        lng="120.005",
        lat="30.005",
    )
    return services.case_accept(case_id=case.pk, actor=dispatcher)


def test_two_dispatchers_at_once_one_wins(world, dispatcher, office_admin, now):
    case = _case(world, dispatcher)
    outcomes = _race(
        lambda: services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk),
        lambda: services.case_dispatch(case_id=case.pk, actor=office_admin, unit_id=world.unit_property_a.pk),
    )
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert error.code == "conflict"
    assert Dispatch.objects.filter(case=case, active=True).count() == 1
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1
    assert Case.objects.get(pk=case.pk).version == 2


def test_sign_and_return_at_once_one_wins(world, dispatcher, unit_handler, now):
    case = _case(world, dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    outcomes = _race(
        lambda: services.case_sign(case_id=case.pk, actor=unit_handler),
        lambda: services.case_return(case_id=case.pk, actor=unit_handler, reason="wrong_duty", note="不归我们管"),
    )
    assert sorted(kind for kind, _value in outcomes) == ["error", "ok"], outcomes
    final = Case.objects.get(pk=case.pk)
    assert final.state in (State.HANDLING, State.RETURNED)
    events = set(CaseEvent.objects.filter(case=case, action__in=["sign", "return"]).values_list("action", flat=True))
    assert len(events) == 1
    dispatch = Dispatch.objects.get(case=case)
    # nothing half-written: the dispatch row agrees with the state that won
    assert (dispatch.signed_at is not None) == (final.state == State.HANDLING)
    assert (dispatch.returned_at is not None) == (final.state == State.RETURNED)
