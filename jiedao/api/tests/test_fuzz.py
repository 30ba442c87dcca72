"""schemathesis against the whole /api/v1 schema, called on the Django WSGI app in-process, as a token user of
limited scope (community staff of A): no server error on any generated input (valid or not), every error is JSON
with a code, and nothing of another community or office (marked cases, their places, units, reporters) ever
appears in an answer.

Bounded for the 2-core CI (MAX_EXAMPLES per operation, the examples and fuzzing phases) and deterministic (a
fixed seed, derandomised, no example database)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from jiedao.api.api import api_v1
from jiedao.api.tokens import api_token_create
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType

# Per operation; about 2.5 minutes for the 41 operations on the 2-core machine. For a deeper run:
# JIEDAO_FUZZ_EXAMPLES=200 JIEDAO_FUZZ_PHASES=examples,coverage,fuzzing pytest jiedao/api/tests/test_fuzz.py
MAX_EXAMPLES = int(os.environ.get("JIEDAO_FUZZ_EXAMPLES", "10"))
PHASES = os.environ.get("JIEDAO_FUZZ_PHASES", "examples,fuzzing").split(",")
SEED = 20261123
MARKER = "FOREIGN-7Q"
FOREIGN_NAME = "欧阳外来"
FOREIGN_PHONE = "13999990000"


class Foreign:
    """What the fuzzed user must never see: strings, and the ids of the cases they belong to."""

    strings: list[str] = []
    case_ids: set[int] = set()


def _foreign_case(actor: Any, place: Any, n: int) -> int:
    case = services.case_register(
        actor=actor,
        channel=Channel.PHONE,
        request_type=RequestType.COMPLAINT,
        title=f"{MARKER} 噪音扰民 {n}",
        content=f"{MARKER} 夜间施工。",
        place=place,
        address=f"{MARKER}路{n}号",
        reporter_name=FOREIGN_NAME,
        reporter_phone=FOREIGN_PHONE,
    )
    return case.pk


@pytest.fixture
def one_connection():
    """Keep the test's database connection across requests, as Django's test client does: the WSGI handler
    closes it after each request otherwise, and the test's transaction (PostgreSQL) with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world, loop, community_staff, other_office_dispatcher, one_connection):
    # Cases the fuzzed user sees, in many states, so the actions have something to refuse or take.
    for state in ("registered", "accepted", "handling", "returned", "callback", "closed", "suspended", "supervised"):
        getattr(loop, state)()
    # Cases he must never see: community B of his own office, and the other office.
    ids = {_foreign_case(loop.dispatcher, world.grid_b1, n) for n in range(3)}
    ids |= {_foreign_case(other_office_dispatcher, world.grid_c1, n) for n in range(3, 5)}
    foreign = services.case_dispatch(
        case_id=min(ids), actor=loop.dispatcher, unit_id=world.unit_urban.pk
    )  # a dispatch and a unit on a foreign case
    services.case_supervise(case_id=foreign.pk, actor=loop.dispatcher, content=f"{MARKER} 督办")
    Foreign.case_ids = ids
    Foreign.strings = [
        MARKER,
        FOREIGN_NAME,
        FOREIGN_PHONE,
        world.community_b.name,
        world.grid_b1.name,
        world.other_office.name,
        world.community_c.name,
        world.grid_c1.name,
        world.unit_other_office.name,
    ]
    _token, text = api_token_create(user=community_staff, name="fuzz")
    return text


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def no_foreign_data(ctx: Any, response: Any, case: Any) -> bool:
    """Nothing of another community or office in the answer: no marked text, place, unit, reporter, case id."""
    text = response.content.decode("utf-8", errors="replace")
    for marker in Foreign.strings:
        assert marker not in text, f"{marker!r} leaked in {case.method} {case.formatted_path}"
    try:
        body = json.loads(text)
    except ValueError:
        return True
    for obj in _walk(body):
        if "number" in obj and "id" in obj:
            assert obj["id"] not in Foreign.case_ids, f"case {obj['id']} leaked in {case.formatted_path}"
    return True


def errors_are_json_with_a_code(ctx: Any, response: Any, case: Any) -> bool:
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert isinstance(body.get("code"), str) and body["code"], body
        assert isinstance(body.get("message"), str) and body["message"], body
    return True


def _schema() -> Any:
    config = schemathesis.Config()
    config.update(seed=SEED, max_failures=None)
    project = config.projects.default
    project.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        deterministic=True,
        with_security_parameters=False,
        database="none",
    )
    project.phases.update(phases=PHASES)
    return schemathesis.openapi.from_dict(api_v1.get_openapi_schema(path_params={}), config=config)


schema = _schema()


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_fuzz_the_api(case, fuzz_world):
    response = case.call(app=WSGIHandler(), headers={"Authorization": f"Bearer {fuzz_world}"})
    case.validate_response(response, checks=[not_a_server_error, no_foreign_data, errors_are_json_with_a_code])


def test_the_scope_check_catches_a_leak():
    """The custom check is not vacuous: a marker, or a foreign case id in a case-shaped object, fails it."""

    class Answer:
        def __init__(self, body: Any) -> None:
            self.content = json.dumps(body, ensure_ascii=False).encode()
            self.status_code = 200

    class Call:
        method, formatted_path = "GET", "/api/v1/cases"

    Foreign.strings, Foreign.case_ids = [MARKER], {42}
    no_foreign_data(None, Answer({"items": [{"id": 7, "number": "JD2026-000007"}]}), Call())
    with pytest.raises(AssertionError):
        no_foreign_data(None, Answer({"title": f"{MARKER} 噪音"}), Call())
    with pytest.raises(AssertionError):
        no_foreign_data(None, Answer({"items": [{"id": 42, "number": "JD2026-000001"}]}), Call())
