"""The case screens through the test client: queues, registration, detail, actions, export, unmasking."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jiedao.audit.models import AuditEvent
from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, State
from jiedao.cases.models import Case
from jiedao.web import drafts


def _case(actor, **extra):
    values = {
        "channel": Channel.PHONE,
        "request_type": RequestType.HELP,
        "title": "垃圾未清运",
        "content": "小区门口垃圾堆放三天未清运",
        "lng": "120.005",
        "lat": "30.005",
        "reporter_name": "王五",
        "reporter_phone": "13712345678",
    }
    values.update(extra)
    return services.case_register(actor=actor, **values)


def test_register_through_the_form(client, world, dispatcher, now):
    client.force_login(dispatcher)
    form = client.get(reverse("cases:new"))
    assert form.status_code == 200 and f'data-draft="{drafts.REGISTER}" data-draft-restore' in form.content.decode()
    response = client.post(
        reverse("cases:new"),
        {
            "channel": "phone",
            "request_type": "complaint",
            "urgency": "normal",
            "title": "噪音扰民",
            "content": "夜间施工",
            "lng": "120.005",
            "lat": "30.005",
            "reporter_phone": "13700000000",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert case.grid == world.grid_a1
    # The page after it tells the browser to drop the form's draft (web/drafts.py)
    page = client.get(response.url).content.decode()
    assert f'data-draft-done="{drafts.REGISTER}"' in page
    assert f'data-draft="case-{case.pk}-accept" data-draft-restore' in page


@pytest.mark.parametrize("who", ["unit_handler", "deputy_leader"])
def test_who_does_not_register_gets_no_button_and_a_403_form(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    assert 'data-testid="new-case"' not in client.get(reverse("cases:list")).content.decode()
    response = client.get(reverse("cases:new"))
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()
    assert client.post(reverse("cases:new"), {"title": "x"}).status_code == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["dispatcher", "community_staff", "grid_worker"])
def test_who_registers_gets_the_button(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    assert 'data-testid="new-case"' in client.get(reverse("cases:list")).content.decode()
    assert client.get(reverse("cases:new")).status_code == 200


def test_register_form_shows_the_field_with_the_error_and_writes_nothing(client, world, dispatcher, now):
    client.force_login(dispatcher)
    response = client.post(
        reverse("cases:new"),
        {
            "channel": "phone",
            "request_type": "complaint",
            "urgency": "normal",
            "title": "噪音",
            "content": "夜间施工",
            "lng": "120.005",
            "lat": "",
            "reporter_phone": "abc",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Case.objects.exists()


def test_a_form_sent_back_with_an_error_shows_the_picked_category_by_its_path(client, world, dispatcher, now):
    from jiedao.categories.models import Category

    root = Category.objects.create(level=1, name="城乡建设", code="01")
    category = Category.objects.create(level=2, name="供水", code="0101", parent=root)
    client.force_login(dispatcher)
    data = {"channel": "phone", "request_type": "help", "urgency": "normal", "title": "", "content": "夜间施工"}
    response = client.post(reverse("cases:new"), {**data, "category": category.pk})
    assert response.status_code == 200 and "title" in response.context["form"].errors
    page = response.content.decode()
    assert f"data-category-chosen>{category.path}</output>" in page
    assert f'name="category" value="{category.pk}"' in page


def test_queues_show_the_right_cases_to_each_role(client, world, dispatcher, unit_handler, now):
    waiting = _case(dispatcher, title="待派单的")
    dispatched = _case(dispatcher, title="已派给物业的")
    services.case_dispatch(case_id=dispatched.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    client.force_login(dispatcher)
    html = client.get(reverse("cases:list"), {"queue": "to_dispatch"}).content.decode()
    assert waiting.number in html and dispatched.number not in html
    client.force_login(unit_handler)
    html = client.get(reverse("cases:list"), {"queue": "to_sign"}).content.decode()
    assert dispatched.number in html and waiting.number not in html


def test_queue_filters_and_an_unknown_queue_falls_back(client, world, dispatcher, now):
    _case(dispatcher, title="路灯", channel=Channel.GRID)
    _case(dispatcher, title="噪音")
    client.force_login(dispatcher)
    html = client.get(reverse("cases:list"), {"queue": "all", "channel": "grid"}).content.decode()
    assert "路灯" in html and "噪音" not in html
    assert client.get(reverse("cases:list"), {"queue": "nope"}).status_code == 200


def test_queue_page_uses_a_bounded_number_of_queries(client, world, dispatcher, now):
    client.force_login(dispatcher)
    _case(dispatcher)
    url = reverse("cases:list") + "?queue=all"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        _case(dispatcher, title=f"第{n}件")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_detail_masks_the_reporter_and_offers_only_allowed_actions(client, world, dispatcher, unit_handler, now):
    case = _case(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    client.force_login(unit_handler)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert "13712345678" not in html and "137****5678" in html
    assert [a["action"] for a in response.context["actions"]][:2] == ["sign", "return"]
    assert 'hx-post="/cases/' not in html  # units may not unmask


def test_sign_is_offered_until_the_unit_has_signed(client, world, dispatcher, unit_handler, now):
    from conftest import _persona

    # Given a case dispatched to the handler's unit, with 甲城管科 co-handling
    case = _case(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_urban.pk, role="co")
    co_handler = _persona("co_handler", "unit_handler", unit=world.unit_urban)

    def offered(user) -> list[str]:
        client.force_login(user)
        return [a["action"] for a in client.get(reverse("cases:detail", args=[case.pk])).context["actions"]]

    # When the main unit has signed, its handler is no longer offered 签收 (it would only be refused)
    services.case_sign(case_id=case.pk, actor=unit_handler)
    assert "sign" not in offered(unit_handler) and "reply" in offered(unit_handler)
    # and the co-handling unit, which has not, still is; once it signs, no more
    assert "sign" in offered(co_handler)
    services.case_sign(case_id=case.pk, actor=co_handler)
    assert "sign" not in offered(co_handler)


def test_confidential_reporter_is_hidden_from_the_unit(client, world, dispatcher, unit_handler, now):
    case = _case(dispatcher, confidential=True, request_type=RequestType.REPORT)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    client.force_login(unit_handler)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "王*" not in html and "5678" not in html


def test_reveal_is_audited_and_refused_to_units(client, world, dispatcher, unit_handler, now):
    case = _case(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    client.force_login(unit_handler)
    assert client.post(reverse("cases:reveal", args=[case.pk])).status_code == 403
    client.force_login(dispatcher)
    response = client.post(reverse("cases:reveal", args=[case.pk]))
    assert "13712345678" in response.content.decode()
    assert AuditEvent.objects.filter(action="pii_view", object_id=str(case.pk), actor=dispatcher).count() == 1


def test_actions_through_the_endpoint(client, world, dispatcher, unit_handler, now):
    case = _case(dispatcher)
    client.force_login(dispatcher)
    act = lambda action: reverse("cases:act", args=[case.pk, action])  # noqa: E731
    client.post(
        act("dispatch"),
        {"dispatch-unit": world.unit_property_a.pk, "dispatch-role": "main", "dispatch-note": "", "version": "0"},
    )
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED
    # a stale version is refused with a message and changes nothing
    response = client.post(
        act("dispatch"),
        {"dispatch-unit": world.unit_urban.pk, "dispatch-role": "co", "dispatch-note": "", "version": "0"},
        follow=True,
    )
    assert Case.objects.get(pk=case.pk).dispatches.count() == 1
    assert list(response.context["messages"])
    client.force_login(unit_handler)
    client.post(act("sign"), {})
    refused = client.post(act("reply"), {"reply-result_text": ""}, follow=True)  # invalid: nothing happens
    assert Case.objects.get(pk=case.pk).state == State.HANDLING
    assert f'data-draft-done="case-{case.pk}-reply"' not in refused.content.decode()  # the typed reply stays kept
    done = client.post(act("reply"), {"reply-result_text": "已清运"}, follow=True)
    assert Case.objects.get(pk=case.pk).state == State.REPLIED
    assert f'data-draft-done="case-{case.pk}-reply"' in done.content.decode()


def test_outsiders_get_404(client, world, dispatcher, outsider, now):
    case = _case(dispatcher)
    client.force_login(outsider)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("cases:act", args=[case.pk, "accept"])).status_code == 404
    assert client.post(reverse("cases:reveal", args=[case.pk])).status_code == 404


def test_export_applies_the_filters(client, world, dispatcher, now):
    _case(dispatcher, title='=HYPERLINK("x")', channel=Channel.GRID)
    _case(dispatcher, title="不导出")
    client.force_login(dispatcher)
    response = client.get(reverse("cases:list"), {"queue": "all", "channel": "grid", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "channel=grid" in rows[0][1]
    titles = [row[1] for row in rows[2:]]
    assert titles == ['\'=HYPERLINK("x")']


@pytest.mark.parametrize("persona", ["grid_worker", "community_staff", "unit_handler", "principal_leader"])
def test_every_role_has_a_queue_page(request, client, world, persona, now):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("cases:list")).status_code == 200


def test_an_empty_queue_says_so(client, world, dispatcher, now):
    client.force_login(dispatcher)
    html = client.get(reverse("cases:list"), {"queue": "to_dispatch"}).content.decode()
    assert "该队列暂无工单。" in html


def _home_count(html, key):
    import re

    found = re.search(rf'data-queue="{key}" data-count="(\d+)" class="([^"]*)"', html)
    return (int(found.group(1)), found.group(2).split()) if found else None


def test_the_home_page_counts_the_work_waiting_in_each_queue(client, world, dispatcher, unit_handler, now):
    # Given two registered cases, one of them dispatched to the handler's unit
    _case(dispatcher)
    case = _case(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=unit_handler.role_assignments.get().unit_id)

    # Then the dispatcher's home counts one to dispatch, and nothing overdue yet
    client.force_login(dispatcher)
    html = client.get(reverse("web:home")).content.decode()
    assert _home_count(html, "to_dispatch") == (1, ["waiting"])
    assert _home_count(html, "overdue") == (0, [])
    assert f'href="{reverse("cases:list")}?queue=to_dispatch"' in html
    assert _home_count(html, "all") is None  # the broad lists are not work

    # and the handler's counts one to sign for
    client.force_login(unit_handler)
    assert _home_count(client.get(reverse("web:home")).content.decode(), "to_sign") == (1, ["waiting"])

    # When the deadline passes, the overdue tile turns red for both
    now.advance(days=60)
    for user in (dispatcher, unit_handler):
        client.force_login(user)
        assert _home_count(client.get(reverse("web:home")).content.decode(), "overdue") == (1, ["waiting", "late"])


def test_the_home_page_lists_the_nearest_deadlines_of_the_waiting_work_first(
    client, world, dispatcher, unit_handler, now
):
    import datetime as dt

    # Given, for the dispatcher: a case to dispatch due in three days, one overdue by a day, one due tomorrow that
    # is also under supervision, one without a deadline, and a closed-looking case he has no work on
    unit_id = unit_handler.role_assignments.get().unit_id
    later, overdue, supervised, undated = (_case(dispatcher) for _ in range(4))
    services.case_dispatch(case_id=supervised.pk, actor=dispatcher, unit_id=unit_id)
    services.case_sign(case_id=supervised.pk, actor=unit_handler)
    services.case_supervise(case_id=supervised.pk, actor=dispatcher, content="请尽快办理")
    Case.objects.filter(pk=later.pk).update(finish_deadline=now() + dt.timedelta(days=3))
    Case.objects.filter(pk=overdue.pk).update(finish_deadline=now() - dt.timedelta(days=1))
    Case.objects.filter(pk=supervised.pk).update(finish_deadline=now() + dt.timedelta(days=1))
    Case.objects.filter(pk=undated.pk).update(finish_deadline=None)

    # When he opens his home page
    client.force_login(dispatcher)
    response = client.get(reverse("web:home"))

    # Then 先办这些 lists them overdue first, then by deadline, undated last, each once with the queues it waits in
    rows = response.context["first_things"]
    assert [w.case.pk for w in rows] == [overdue.pk, supervised.pk, later.pk, undated.pk]
    assert [str(q) for q in rows[0].queues] == ["待派单", "超期"]
    assert [str(q) for q in rows[1].queues] == ["办理中", "督办中"]
    assert all(hasattr(w.case, "light") for w in rows)  # each row with its traffic light, as the queues show
    html = response.content.decode()
    assert "先办这些" in html and html.index(overdue.number) < html.index(later.number)

    # And the handler sees only the case of his unit; a user with no waiting work gets no such list
    client.force_login(unit_handler)
    assert [w.case.pk for w in client.get(reverse("web:home")).context["first_things"]] == [supervised.pk]
    Case.objects.all().delete()
    client.force_login(dispatcher)
    response = client.get(reverse("web:home"))
    assert response.context["first_things"] == [] and 'data-testid="first-things"' not in response.content.decode()


def test_the_home_page_lists_at_most_eight_cases_first(client, world, dispatcher, now):
    for _ in range(10):
        _case(dispatcher)
    client.force_login(dispatcher)
    response = client.get(reverse("web:home"))
    assert len(response.context["first_things"]) == 8


@pytest.mark.parametrize("sort", ["", "deadline"])
def test_a_state_queue_lists_the_nearest_deadline_first_and_no_deadline_last(client, world, dispatcher, now, sort):
    import datetime as dt

    later, sooner, none = _case(dispatcher), _case(dispatcher), _case(dispatcher)
    Case.objects.filter(pk=later.pk).update(finish_deadline=now() + dt.timedelta(days=2))
    Case.objects.filter(pk=sooner.pk).update(finish_deadline=now() + dt.timedelta(days=1))
    Case.objects.filter(pk=none.pk).update(finish_deadline=None)
    client.force_login(dispatcher)

    html = client.get(reverse("cases:list"), {"queue": "to_dispatch", "sort": sort}).content.decode()

    positions = [html.index(c.number) for c in (sooner, later, none)]
    assert positions == sorted(positions)

    # and the API lists the queue in the same order (one selector orders both)
    api = client.get("/api/v1/cases", {"queue": "to_dispatch", **({"sort": sort} if sort else {})}).json()
    assert [item["number"] for item in api["items"]] == [sooner.number, later.number, none.number]


def test_a_request_is_offered_only_while_none_waits_for_a_decision(
    client, world, dispatcher, unit_handler, deputy_leader, now
):
    from jiedao.cases.selectors import available_actions

    def offered(user) -> list[str]:
        return available_actions(user, Case.objects.get(pk=case.pk))

    # Given a case being handled by the handler's unit
    case = _case(dispatcher)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    services.case_sign(case_id=case.pk, actor=unit_handler)
    assert "request_extension" in offered(unit_handler)

    # When he asks for an extension, he is not offered a second request while it waits; the office decides it
    services.case_extension_request(case_id=case.pk, actor=unit_handler, amount=2, reason="需联合执法")
    assert "request_extension" not in offered(unit_handler) and "decide_extension" in offered(dispatcher)
    services.case_extension_decide(case_id=case.pk, actor=dispatcher, approve=True)
    assert "request_extension" in offered(unit_handler) and "decide_extension" not in offered(dispatcher)

    # And at the callback an exclusion from scoring is asked for once, and not again once granted
    services.case_reply(case_id=case.pk, actor=unit_handler, result_text="已清运")
    services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)
    assert "request_exclusion" in offered(dispatcher)
    services.case_exclusion_request(case_id=case.pk, actor=dispatcher, reason="诉求不合理")
    assert "request_exclusion" not in offered(dispatcher)
    services.case_exclusion_decide(case_id=case.pk, actor=deputy_leader, approve=True)
    assert Case.objects.get(pk=case.pk).excluded_from_scoring and "request_exclusion" not in offered(dispatcher)


def test_the_dispatch_form_offers_only_the_role_the_service_accepts(client, world, dispatcher, unit_handler, now):
    case = _case(dispatcher)
    client.force_login(dispatcher)

    def roles() -> list[str]:
        page = client.get(reverse("cases:detail", args=[case.pk]))
        form = next(a["form"] for a in page.context["actions"] if a["action"] == "dispatch")
        return [value for value, _label in form.fields["role"].choices]

    # A fresh case gets its main unit first; once it has one, a dispatch adds a co-handling unit
    assert roles() == ["main"]
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    services.case_sign(case_id=case.pk, actor=unit_handler)
    assert roles() == ["co"]
    version = str(Case.objects.get(pk=case.pk).version)
    response = client.post(
        reverse("cases:act", args=[case.pk, "dispatch"]),
        {"dispatch-unit": world.unit_urban.pk, "dispatch-role": "co", "version": version},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).dispatches.filter(role="co", unit=world.unit_urban, active=True).exists()


def test_the_repeats_of_a_case_are_found_by_an_index_even_after_analyze(world, dispatcher, now):
    """Almost no case is merged: with statistics, SQLite once judged the plain index on merged_into useless and
    scanned every case for each case page (34 ms at 100,000 cases). The partial index of the merged ones is used."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the planner's choice checked is SQLite's; PostgreSQL keeps a NULL fraction in its statistics")
    main = _case(dispatcher)
    for _n in range(30):
        _case(dispatcher)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # The statistics of an office of 100,000 cases: every figure scaled from these 31 cases'
        scale = 100_000 / 31
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'cases_case'")
        for index, stat in cursor.fetchall():
            scaled = " ".join(str(max(1, round(int(n) * scale))) for n in stat.split() if n.isdigit())
            cursor.execute("UPDATE sqlite_stat1 SET stat = %s WHERE tbl = 'cases_case' AND idx IS %s", [scaled, index])
        cursor.execute("ANALYZE sqlite_schema")  # reload them
        sql, params = main.merged.order_by().only("id", "number", "title").query.sql_with_params()  # as the page asks
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "case_merged_into" in plan and "SCAN" not in plan, plan
