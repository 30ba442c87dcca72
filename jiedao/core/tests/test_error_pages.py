"""Error pages speak Chinese, say what was kept and what to do; a locked SQLite database answers 503, not 500."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("jiedao.core.tests.errors_urls")]


@pytest.fixture
def anonymous() -> Client:
    return Client(raise_request_exception=False)


def test_a_missing_page_is_404_in_chinese_with_the_navigation(client, dispatcher):
    client.force_login(dispatcher)
    response = client.get("/cases/99999999/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and 'data-testid="error-page"' in text
    assert 'id="mainnav"' in text  # the logged-in user keeps the way back


def test_a_server_error_is_500_in_chinese_and_says_nothing_was_saved(anonymous):
    response = anonymous.get("/test-crash/")
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()
    assert "没有保存" in response.content.decode()


def test_a_locked_database_is_503_with_retry_after(anonymous):
    response = anonymous.get("/test-locked/", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "15"
    assert "系统繁忙" in response.content.decode()


def test_a_locked_database_answers_a_program_in_json(anonymous):
    response = anonymous.get("/test-locked/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "15"
    assert response.json()["code"] == "busy" and "系统繁忙" in response.json()["message"]


def test_a_locked_database_under_the_rest_api_is_its_json_error(client, dispatcher, monkeypatch):
    from django.db import OperationalError

    from jiedao.cases import actions
    from jiedao.cases.workflow import Action

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setitem(actions.SERVICES, Action.NOTE, locked)
    client.force_login(dispatcher)
    response = client.post("/api/v1/cases/1/actions/note", {"note": "x"}, content_type="application/json")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "15"
    assert response.json() == {"code": "busy", "message": "系统繁忙，没有保存任何内容，请重新发送请求。", "field": None}


def test_other_database_errors_stay_server_errors(anonymous):
    assert anonymous.get("/test-operational/").status_code == 500


@override_settings(CSRF_USE_SESSIONS=False)
def test_an_expired_form_explains_itself_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_an_htmx_request_of_an_ended_session_sends_the_page_to_the_login_form(client):
    response = client.post(
        "/triage/suggest/",
        {"title": "路灯不亮"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/cases/new/?channel=phone"},
    )
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fcases%2Fnew%2F%3Fchannel%3Dphone"


@pytest.mark.parametrize(
    ("current", "next_page"),
    [("//evil.example/phish", "%2Fphish"), ("https://evil.example//evil.example/x", "%2F"), ("", "%2F")],
)
def test_the_login_redirect_never_leaves_the_site(client, current, next_page):
    response = client.get("/cases/", headers={"HX-Request": "true", "HX-Current-URL": current})
    assert response["HX-Redirect"] == f"/accounts/login/?next={next_page}"


def test_a_plain_request_of_an_ended_session_is_redirected_as_usual(client):
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "HX-Redirect" not in response
