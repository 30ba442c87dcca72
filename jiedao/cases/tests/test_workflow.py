import pytest

from jiedao.cases.choices import State
from jiedao.cases.workflow import OPEN_STATES, TRANSITIONS, Action, TransitionNotAllowed, allowed_actions, require


def test_every_state_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(State.values)


def test_every_target_is_a_state_and_every_action_is_known():
    for state, row in TRANSITIONS.items():
        for action, targets in row.items():
            assert action in Action.values, (state, action)
            assert targets <= set(State.values), (state, action)


def test_archived_cases_allow_nothing():
    assert allowed_actions(State.ARCHIVED) == frozenset()
    with pytest.raises(TransitionNotAllowed):
        require(State.ARCHIVED, Action.NOTE)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.CLOSED, Action.DISPATCH),
        (State.REGISTERED, Action.SIGN),
        (State.HANDLING, Action.RETURN),
        (State.DISPATCHED, Action.REPLY),
        (State.CALLBACK, Action.SUSPEND),
        (State.SUSPENDED, Action.SIGN),
    ],
)
def test_require_refuses_actions_the_table_does_not_allow(state, action):
    with pytest.raises(TransitionNotAllowed) as excinfo:
        require(state, action)
    assert excinfo.value.code == "transition_not_allowed"


def test_require_checks_the_target_when_given():
    assert require(State.REPLIED, Action.VERIFY, State.CALLBACK)
    with pytest.raises(TransitionNotAllowed):
        require(State.REPLIED, Action.VERIFY, State.ARCHIVED)


def test_every_open_state_can_end():
    for state in OPEN_STATES - {State.REPLIED, State.CALLBACK}:
        assert {Action.MERGE, Action.VOID} & allowed_actions(state), state
