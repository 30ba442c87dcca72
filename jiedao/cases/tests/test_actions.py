"""The screens and the API reach every action through one table: each form and each body fits its service."""

from __future__ import annotations

import inspect
from functools import partial

import pytest

from jiedao.api.routes_actions import ENDPOINTS
from jiedao.cases.actions import SERVICES, form_fields
from jiedao.cases.forms import ACTION_FORMS
from jiedao.cases.workflow import Action


def _parameters(action: str) -> set[str]:
    service = SERVICES[action]
    bound = set(service.keywords) if isinstance(service, partial) else set()
    target = service.func if isinstance(service, partial) else service
    return set(inspect.signature(target).parameters) - bound - {"case_id", "actor", "expected_version"}


def test_every_action_has_a_service_a_form_entry_and_an_endpoint():
    # The rest (register, close, self-handle, viewing personal data…) happen inside other screens' flows.
    assert set(SERVICES) == set(ACTION_FORMS) == set(ENDPOINTS)
    assert set(SERVICES) < set(Action.values)


@pytest.mark.parametrize("action", sorted(SERVICES))
def test_the_screen_form_fields_are_the_service_arguments(action):
    form = ACTION_FORMS[action]
    names = set(form_fields(dict.fromkeys(form.base_fields))) if form is not None else set()
    assert names <= _parameters(action), names - _parameters(action)


@pytest.mark.parametrize("action", sorted(SERVICES))
def test_the_api_body_fields_are_the_service_arguments(action):
    body, _ = ENDPOINTS[action]
    names = set(body.model_fields) - {"expected_version"}
    assert names <= _parameters(action), names - _parameters(action)


def test_a_chosen_row_becomes_its_id(db):
    from jiedao.units.models import Unit

    unit = Unit(pk=7, name="x")
    assert form_fields({"unit": unit, "note": "n", "into": "A1", "supervision": 3}) == {
        "unit_id": 7,
        "note": "n",
        "into_number": "A1",
        "supervision_id": 3,
    }
