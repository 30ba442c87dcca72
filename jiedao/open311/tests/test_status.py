from jiedao.cases.choices import State
from jiedao.cases.querysets import NOT_ENDED
from jiedao.open311 import status


def test_every_state_is_mapped_to_open_or_closed():
    assert set(status.STATUS_BY_STATE) == set(State.values)
    assert set(status.STATUS_BY_STATE.values()) <= set(status.STATUSES)
    for state in State.values:
        assert status.status_of(state) in ("open", "closed")


def test_open_is_exactly_the_states_where_the_loop_has_not_ended():
    assert status.states_with("open") == sorted(NOT_ENDED)
    assert status.states_with("closed") == sorted([State.ARCHIVED, State.CLOSED])
