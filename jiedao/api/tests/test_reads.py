"""The reads: scoped like the screens, masked like the screens, paged and capped; the OpenAPI document."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiedao.analytics import rollups
from jiedao.analytics.selectors import kpi_summary
from jiedao.analytics.terms import SHANGHAI
from jiedao.analytics.views import PeriodKind, calendar_period, period_of
from jiedao.audit.models import AuditEvent
from jiedao.cases import services
from jiedao.core import clock


def test_case_list_and_detail_are_scoped(loop, api_as, world, outsider, other_office_dispatcher):
    mine = loop.accepted()
    status, page = api_as(outsider).get("/cases", queue="all")
    assert status == 200
    assert mine.pk not in [c["id"] for c in page["items"]]
    assert api_as(outsider).get(f"/cases/{mine.pk}")[0] == 404
    assert api_as(other_office_dispatcher).get(f"/cases/{mine.pk}")[0] == 404
    status, page = api_as(loop.dispatcher).get("/cases", queue="all")
    assert [c["id"] for c in page["items"]] == [mine.pk]
    assert page["count"] == 1 and page["capped"] is False


def test_case_list_filters_and_pages(loop, api_as):
    cases = [loop.registered(title=f"第{n}件") for n in range(5)]
    api = api_as(loop.dispatcher)
    status, page = api.get("/cases", queue="to_dispatch", page_size=2, page=2)
    assert status == 200
    assert (page["count"], len(page["items"]), page["queue"]) == (5, 2, "to_dispatch")
    status, page = api.get("/cases", queue="all", q=cases[3].number)
    assert [c["id"] for c in page["items"]] == [cases[3].pk]
    status, page = api.get("/cases", queue="all", page=99)
    assert (status, page["items"]) == (200, [])
    status, error = api.get("/cases", queue="to_sign")  # a unit handler's queue, not a dispatcher's
    assert (status, error["field"]) == (422, "queue")
    status, error = api.get("/cases", page_size=1000)
    assert (status, error["code"], error["field"]) == (422, "validation_error", "page_size")
    assert error["errors"][0]["message"] == "不能大于 100。"


def test_case_list_query_count_does_not_grow_with_the_page(loop, api_as):
    api = api_as(loop.dispatcher)
    loop.handling()
    api.get("/cases", queue="all")  # the token's scope and the first queries are warm now
    with CaptureQueriesContext(connection) as one:
        api.get("/cases", queue="all")
    for _ in range(5):
        loop.handling()
    with CaptureQueriesContext(connection) as six:
        status, page = api.get("/cases", queue="all")
    assert status == 200 and len(page["items"]) == 6
    assert len(six) == len(one)


def test_detail_masks_the_reporter_like_the_screen(loop, api_as):
    case = loop.dispatched()
    status, seen_by_unit = api_as(loop.handler).get(f"/cases/{case.pk}")
    assert status == 200
    assert seen_by_unit["reporter"] == {
        "name": "张*",
        "phone": "138****5678",
        "confidential": False,
        "may_reveal": False,
    }
    assert seen_by_unit["address"] == "望湖路12号*栋*单元***室"
    status, seen_by_office = api_as(loop.dispatcher).get(f"/cases/{case.pk}")
    assert seen_by_office["reporter"]["may_reveal"] is True
    assert seen_by_office["address"] == "望湖路12号3栋2单元501室"
    assert [d["unit"]["name"] for d in seen_by_office["dispatches"]] == ["A物业"]
    assert {a["action"] for a in seen_by_office["actions"]} >= {"supervise", "void", "merge"}


def test_a_confidential_reporter_is_hidden_from_the_unit(loop, api_as, world):
    case = loop.registered(confidential=True)
    services.case_dispatch(case_id=case.pk, actor=loop.dispatcher, unit_id=world.unit_property_a.pk)
    _status, detail = api_as(loop.handler).get(f"/cases/{case.pk}")
    assert detail["reporter"]["name"] == "" and detail["reporter"]["phone"] == ""
    assert "13812345678" not in str(detail) and "张三" not in str(detail)


def test_revealing_the_reporter_is_audited_and_refused_to_units(loop, api_as):
    case = loop.dispatched()
    status, full = api_as(loop.dispatcher).post(f"/cases/{case.pk}/reporter")
    assert (status, full) == (200, {"name": "张三", "phone": "13812345678"})
    event = AuditEvent.objects.get(action="pii_view")
    assert (event.actor, event.object_id, event.field) == (loop.dispatcher, str(case.pk), "reporter")
    status, refused = api_as(loop.handler).post(f"/cases/{case.pk}/reporter")
    assert (status, refused["code"]) == (403, "forbidden")
    assert AuditEvent.objects.filter(action="pii_view").count() == 1


def test_register_through_the_api_is_idempotent_per_upstream_number(api_as, dispatcher, world):
    api = api_as(dispatcher)
    body = {
        "channel": "12345",
        "request_type": "complaint",
        "title": "噪音",
        "content": "夜间施工噪音。",
        "place_id": world.community_a.pk,
        "upstream_number": "GD2026-1",
        "upstream_deadline": "2026-12-01T18:00:00",
    }
    first = api.post("/cases", body)
    again = api.post("/cases", body)
    assert (first[0], again[0]) == (201, 200)
    assert first[1]["id"] == again[1]["id"]
    # a time without an offset is Shanghai time: 18:00 there is 10:00 UTC
    assert first[1]["upstream_deadline"] in ("2026-12-01T10:00:00Z", "2026-12-01T18:00:00+08:00")


def test_register_refuses_a_place_outside_the_user_area(api_as, community_staff, world):
    status, error = api_as(community_staff).post(
        "/cases",
        {"channel": "visit", "request_type": "help", "title": "t", "content": "c", "place_id": world.grid_b1.pk},
    )
    assert (status, error["code"], error["field"]) == (422, "invalid", "place_id")


def test_reference_reads_are_scoped(api_as, community_staff, world):
    api = api_as(community_staff)
    status, places = api.get("/places")
    names = {p["name"] for p in places}
    assert world.community_a.name in names and world.grid_a1.name in names
    assert world.community_b.name not in names and world.other_office.name not in names
    status, units = api.get("/units")
    assert world.unit_other_office.pk not in {u["id"] for u in units}
    assert api.get("/categories")[0] == 200
    status, error = api.get("/kpis")
    assert (status, error["code"]) == (403, "forbidden")


def test_kpis_for_a_leader(api_as, deputy_leader, loop, world):
    loop.closed()
    status, kpis = api_as(deputy_leader).get("/kpis", period="year")
    assert status == 200
    by_kpi = {f["kpi"]: f for f in kpis["figures"]}
    assert by_kpi["satisfaction"]["denominator"] == "1" or by_kpi["satisfaction"]["denominator"] == 1
    status, error = api_as(deputy_leader).get("/kpis", period="custom", start="2026-01-01")
    assert (status, error["code"]) == (422, "invalid")
    status, error = api_as(deputy_leader).get("/kpis", place_id=world.community_c.pk)
    assert (status, error["field"]) == (422, "place_id")


def test_kpis_read_from_the_daily_rollups_are_the_live_figures(api_as, deputy_leader, loop, world):
    # Given a closed case and the daily rollups built (the closing day is today: counted live on top of them)
    loop.closed()
    rollups.rebuild()
    year = calendar_period(PeriodKind.YEAR, clock.now().astimezone(SHANGHAI).date())
    live = kpi_summary(user=deputy_leader, period=period_of(*year))
    # When a leader asks for the year's KPIs
    with CaptureQueriesContext(connection) as queries:
        status, kpis = api_as(deputy_leader).get("/kpis", period="year")
    # Then they are the live selectors' figures, read with the rollups
    assert status == 200
    got = {f["kpi"]: (str(f["numerator"]), str(f["denominator"])) for f in kpis["figures"]}
    assert got == {f.kpi: (str(f.numerator), str(f.denominator)) for f in live}
    assert any("analytics_" in q["sql"] and "count" in q["sql"] for q in queries)


def test_notifications_are_the_users_own(api_as, loop, world):
    loop.dispatched()  # the dispatch tells the unit's handlers
    api = api_as(loop.handler)
    status, page = api.get("/notifications")
    assert status == 200 and page["unread"] >= 1
    first = page["items"][0]
    status, read = api.post(f"/notifications/{first['id']}/read")
    assert status == 200 and read["read_at"]
    assert api_as(loop.dispatcher).post(f"/notifications/{first['id']}/read")[0] == 404


def test_the_openapi_document_is_valid_and_public(db):
    import schemathesis

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema
    assert "/api/v1/cases/{case_id}/actions/dispatch" in document["paths"]
    broken = {**document, "paths": {"/x": {"get": {"responses": "none"}}}}
    with pytest.raises(Exception):  # noqa: B017  (the validator's own error type)
        schemathesis.openapi.from_dict(broken).validate()
    assert {"TokenAuth", "CsrfSessionAuth"} <= set(document["components"]["securitySchemes"])


def test_the_docs_page_uses_local_files_only(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in html and "api/docs.js" in html
    assert "http://" not in html and "https://" not in html
    assert "<script>" not in html  # no inline script (the CSP forbids them)
