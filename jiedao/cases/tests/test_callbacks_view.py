"""The callback queue (回访): who sees it, which residents wait in it and in what order, the quick-entry form
that posts to the case action endpoint, the masked reporter with the audited reveal, and its queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiedao.audit.models import AuditEvent
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, State
from jiedao.cases.models import Callback, Case

QUEUE = reverse("cases:callbacks")
PHONE = "13712345678"


def _case(actor, **extra):
    values = {
        "channel": Channel.PHONE,
        "request_type": RequestType.HELP,
        "title": "垃圾未清运",
        "content": "小区门口垃圾堆放三天未清运",
        "lng": "120.005",
        "lat": "30.005",
        "reporter_name": "王五",
        "reporter_phone": PHONE,
    }
    values.update(extra)
    return services.case_register(actor=actor, **values)


def _to_callback(case, dispatcher, handler, unit, result="已清运"):
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=unit.pk)
    services.case_sign(case_id=case.pk, actor=handler)
    services.case_reply(case_id=case.pk, actor=handler, result_text=result)
    services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)
    return Case.objects.get(pk=case.pk)


def _numbers(response):
    return [row.case.number for row in response.context["rows"]]


def _quick_form(response, case):
    """What the browser posts from the row's quick-entry form (field names prefixed "callback-")."""
    row = next(r for r in response.context["rows"] if r.case.pk == case.pk)
    assert row.form.prefix == "callback"
    return {"version": str(row.case.version)}


# --- who may see it ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dispatcher", "office_admin"])
def test_dispatchers_and_admins_open_the_queue(request, client, world, now, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(QUEUE).status_code == 200


@pytest.mark.parametrize(
    "persona", ["grid_worker", "grid_leader", "community_staff", "unit_handler", "deputy_leader", "outsider"]
)
def test_everyone_else_finds_no_queue(request, client, world, now, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(QUEUE).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302 and reverse("accounts:login") in response.url


# --- who waits in it ---------------------------------------------------------------------------------------------


def test_the_queue_holds_callbacks_and_merged_residents_of_closed_or_waiting_main_cases(
    client, world, dispatcher, unit_handler, now
):
    # Given a case waiting for callback, a case still handled, and merged repeats of both
    waiting = _case(dispatcher, title="等待回访")
    handled = _case(dispatcher, title="办理中")
    repeat_of_waiting = _case(dispatcher, title="重复来电", reporter_phone="13900001111")
    repeat_of_handled = _case(dispatcher, title="重复来电二", reporter_phone="13900002222")
    no_phone_repeat = _case(dispatcher, title="无电话重复", reporter_phone="", reporter_name="匿名")
    services.case_merge(case_id=repeat_of_waiting.pk, into_id=waiting.pk, actor=dispatcher)
    services.case_merge(case_id=no_phone_repeat.pk, into_id=waiting.pk, actor=dispatcher)
    services.case_merge(case_id=repeat_of_handled.pk, into_id=handled.pk, actor=dispatcher)
    now.advance(hours=1)
    waiting = _to_callback(waiting, dispatcher, unit_handler, world.unit_property_a)
    services.case_dispatch(case_id=handled.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)

    # When the dispatcher opens the queue
    client.force_login(dispatcher)
    listed = set(_numbers(client.get(QUEUE)))

    # Then the case in callback and the resident merged into it are there; the others are not
    assert listed == {waiting.number, repeat_of_waiting.number}


def test_a_merged_resident_leaves_the_queue_once_called_back_and_stays_while_the_main_is_closed(
    client, world, dispatcher, unit_handler, now
):
    main = _case(dispatcher, title="主单")
    repeat = _case(dispatcher, title="重复来电", reporter_phone="13900001111")
    services.case_merge(case_id=repeat.pk, into_id=main.pk, actor=dispatcher)
    main = _to_callback(main, dispatcher, unit_handler, world.unit_property_a)
    services.case_callback(
        case_id=main.pk,
        actor=dispatcher,
        process_satisfaction="satisfied",
        result_satisfaction="satisfied",
        resolved=True,
    )
    client.force_login(dispatcher)
    # the main case is closed: its merged resident still waits
    assert _numbers(client.get(QUEUE)) == [repeat.number]
    row = client.get(QUEUE).context["rows"][0]
    assert row.main.pk == main.pk and "rework" not in row.form.fields
    services.case_callback(
        case_id=repeat.pk,
        actor=dispatcher,
        process_satisfaction="satisfied",
        result_satisfaction="satisfied",
        resolved=True,
    )
    assert _numbers(client.get(QUEUE)) == []


def test_oldest_deadline_first_and_merged_residents_of_closed_cases_last(client, world, dispatcher, unit_handler, now):
    # Given three cases verified on three different days, and a merged resident of a closed case
    late = _case(dispatcher, title="最晚")
    early = _case(dispatcher, title="最早")
    middle = _case(dispatcher, title="居中")
    closed_main = _case(dispatcher, title="已办结主单")
    repeat = _case(dispatcher, title="重复来电", reporter_phone="13900001111")
    services.case_merge(case_id=repeat.pk, into_id=closed_main.pk, actor=dispatcher)
    closed_main = _to_callback(closed_main, dispatcher, unit_handler, world.unit_property_a)
    services.case_callback(
        case_id=closed_main.pk,
        actor=dispatcher,
        process_satisfaction="satisfied",
        result_satisfaction="satisfied",
        resolved=True,
    )
    early = _to_callback(early, dispatcher, unit_handler, world.unit_property_a)
    now.advance(days=1)
    middle = _to_callback(middle, dispatcher, unit_handler, world.unit_property_a)
    now.advance(days=1)
    late = _to_callback(late, dispatcher, unit_handler, world.unit_property_a)
    assert early.callback_deadline < middle.callback_deadline < late.callback_deadline

    # When the dispatcher opens the queue, the oldest deadline comes first
    client.force_login(dispatcher)
    response = client.get(QUEUE)
    assert _numbers(response) == [early.number, middle.number, late.number, repeat.number]
    assert [row.due for row in response.context["rows"]] == [
        early.callback_deadline,
        middle.callback_deadline,
        late.callback_deadline,
        None,
    ]


def test_another_offices_dispatcher_sees_none_of_these(
    client, world, dispatcher, unit_handler, other_office_dispatcher, now
):
    mine = _to_callback(_case(dispatcher), dispatcher, unit_handler, world.unit_property_a)
    client.force_login(other_office_dispatcher)
    assert _numbers(client.get(QUEUE)) == []
    client.force_login(dispatcher)
    assert _numbers(client.get(QUEUE)) == [mine.number]


# --- what a row shows --------------------------------------------------------------------------------------------


def test_a_row_shows_the_summary_the_masked_phone_and_the_reveal_button(client, world, dispatcher, unit_handler, now):
    case = _to_callback(_case(dispatcher), dispatcher, unit_handler, world.unit_property_a, result="已派车清运完毕")
    client.force_login(dispatcher)
    response = client.get(QUEUE)
    html = response.content.decode()
    assert case.number in html and "垃圾未清运" in html and "已派车清运完毕" in html and "A物业" in html
    assert PHONE not in html and "137****5678" in html and "王五" not in html
    assert f'hx-post="{reverse("cases:reveal", args=[case.pk])}"' in html
    act = reverse("cases:act", args=[case.pk, "callback"])
    assert f'action="{act}"' in html and f'hx-post="{act}"' in html
    for name in ("process_satisfaction", "result_satisfaction", "resolved", "note", "rework"):
        assert f'name="callback-{name}"' in html
    assert f'name="version" value="{case.version}"' in html
    row = response.context["rows"][0]
    assert row.light == "green" and row.due == case.callback_deadline


def test_the_light_turns_red_past_the_callback_deadline(client, world, dispatcher, unit_handler, now):
    case = _to_callback(_case(dispatcher), dispatcher, unit_handler, world.unit_property_a)
    now.moment = case.callback_deadline
    now.advance(minutes=1)
    client.force_login(dispatcher)
    response = client.get(QUEUE)
    assert response.context["rows"][0].light == "red"
    assert 'data-light="red"' in response.content.decode()


def test_the_reveal_from_the_queue_is_audited(client, world, dispatcher, unit_handler, now):
    case = _to_callback(_case(dispatcher), dispatcher, unit_handler, world.unit_property_a)
    client.force_login(dispatcher)
    response = client.post(reverse("cases:reveal", args=[case.pk]), HTTP_HX_REQUEST="true")
    assert PHONE in response.content.decode()
    assert AuditEvent.objects.filter(action="pii_view", object_id=str(case.pk), actor=dispatcher).count() == 1


# --- the quick entry ---------------------------------------------------------------------------------------------


def test_the_quick_form_closes_a_satisfied_case_through_the_action_endpoint(
    client, world, dispatcher, unit_handler, now
):
    case = _to_callback(_case(dispatcher), dispatcher, unit_handler, world.unit_property_a)
    client.force_login(dispatcher)
    data = _quick_form(client.get(QUEUE), case)
    data.update(
        {
            "callback-process_satisfaction": "satisfied",
            "callback-result_satisfaction": "basically",
            "callback-resolved": "1",
            "callback-note": "居民表示满意",
        }
    )
    client.post(reverse("cases:act", args=[case.pk, "callback"]), data)
    case.refresh_from_db()
    assert case.state == State.CLOSED
    callback = Callback.objects.get(case=case)
    assert (callback.result_satisfaction, callback.resolved, callback.note) == ("basically", True, "居民表示满意")
    assert _numbers(client.get(QUEUE)) == []


def test_the_quick_form_with_rework_sends_the_case_back(client, world, dispatcher, unit_handler, now):
    case = _to_callback(_case(dispatcher), dispatcher, unit_handler, world.unit_property_a)
    client.force_login(dispatcher)
    data = _quick_form(client.get(QUEUE), case)
    data.update(
        {
            "callback-process_satisfaction": "dissatisfied",
            "callback-result_satisfaction": "dissatisfied",
            "callback-resolved": "0",
            "callback-note": "问题仍在",
            "callback-rework": "on",
        }
    )
    client.post(reverse("cases:act", args=[case.pk, "callback"]), data)
    case.refresh_from_db()
    assert case.state == State.HANDLING and case.rework_count == 1
    assert _numbers(client.get(QUEUE)) == []


# --- queries -----------------------------------------------------------------------------------------------------


def test_the_queue_uses_a_bounded_number_of_queries(client, world, dispatcher, unit_handler, now):
    client.force_login(dispatcher)

    def add_a_case_and_a_merged_repeat(n):
        main = _to_callback(_case(dispatcher, title=f"第{n}件"), dispatcher, unit_handler, world.unit_property_a)
        repeat = _case(dispatcher, title=f"第{n}件重复", reporter_phone=f"1390000{n:04d}")
        services.case_merge(case_id=repeat.pk, into_id=main.pk, actor=dispatcher)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE)
        assert response.status_code == 200
        return len(queries), len(response.context["rows"])

    add_a_case_and_a_merged_repeat(0)
    few, rows = measure()
    assert rows == 2
    for n in range(1, 6):
        add_a_case_and_a_merged_repeat(n)
    assert measure() == (few, 12)


def test_the_to_call_back_queue_links_to_the_callback_queue(client, world, dispatcher, now):
    client.force_login(dispatcher)
    link = f'href="{QUEUE}" data-testid="callback-queue-link"'
    assert link in client.get(reverse("cases:list"), {"queue": "to_call_back"}).content.decode()
    assert link not in client.get(reverse("cases:list"), {"queue": "all"}).content.decode()
