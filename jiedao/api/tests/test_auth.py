"""Personal tokens (valid, wrong, revoked, expired, inactive user), the session with CSRF, the token page, the
command, and the JSON shape of errors."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from jiedao.api.models import ApiToken
from jiedao.api.tokens import MAX_ACTIVE, api_token_create, api_token_revoke
from jiedao.audit.choices import AuditAction
from jiedao.audit.models import AuditEvent
from jiedao.cases.errors import InvalidInput
from jiedao.core import crypto

ME = "/api/v1/me"


def _get(token: str, path: str = ME):
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code, response.json()


def test_a_valid_token_acts_as_its_user(dispatcher):
    token, text = api_token_create(user=dispatcher, name="script")
    status, me = _get(text)
    assert status == 200
    assert me["username"] == "dispatcher"
    assert me["roles"] == ["dispatcher"]
    assert me["token"] == f"jd_{token.prefix}"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_keyed_hash_of_the_token_is_stored(dispatcher):
    token, text = api_token_create(user=dispatcher, name="script")
    assert text.startswith(f"jd_{token.prefix}_")
    assert token.secret_hash == crypto.keyed_hash(text)
    assert text.split("_")[-1] not in json.dumps(list(ApiToken.objects.values()), default=str)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # wrong secret, right prefix
        lambda t: "jd_00000000_" + "a" * 64,  # unknown prefix
        lambda t: "not-a-token",
        lambda t: "",
    ],
    ids=["wrong-secret", "unknown", "malformed", "empty"],
)
def test_a_wrong_token_is_refused(dispatcher, mangle):
    _token, text = api_token_create(user=dispatcher, name="script")
    status, body = _get(mangle(text))
    assert status == 401
    assert body["code"] in ("invalid_token", "unauthenticated")
    assert body["message"]


def test_a_revoked_token_is_refused(dispatcher):
    token, text = api_token_create(user=dispatcher, name="script")
    api_token_revoke(token_id=token.pk, actor=dispatcher)
    assert _get(text) == (401, {"code": "token_revoked", "message": _get(text)[1]["message"], "field": None})


def test_an_expired_token_is_refused(dispatcher):
    token, text = api_token_create(user=dispatcher, name="script", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at - dt.timedelta(seconds=1))
    status, body = _get(text)
    assert (status, body["code"]) == (401, "token_expired")


def test_a_token_of_an_inactive_user_is_refused(dispatcher):
    _token, text = api_token_create(user=dispatcher, name="script")
    dispatcher.is_active = False
    dispatcher.save()
    assert _get(text)[0] == 401


def test_no_credentials_is_401_json():
    response = Client().get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_users_revoke_only_their_own_tokens(dispatcher, outsider):
    token, _text = api_token_create(user=dispatcher, name="script")
    from jiedao.core.errors import NotFoundOrForbidden

    with pytest.raises(NotFoundOrForbidden):
        api_token_revoke(token_id=token.pk, actor=outsider)


def test_token_creation_refuses_bad_input(dispatcher):
    with pytest.raises(InvalidInput) as blank:
        api_token_create(user=dispatcher, name="  ")
    assert blank.value.field == "name"
    with pytest.raises(InvalidInput) as long:
        api_token_create(user=dispatcher, name="x", days=366)
    assert long.value.field == "days"
    for n in range(MAX_ACTIVE):
        api_token_create(user=dispatcher, name=f"t{n}")
    with pytest.raises(InvalidInput):
        api_token_create(user=dispatcher, name="one too many")


def test_session_auth_needs_csrf_for_unsafe_methods(dispatcher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dispatcher)
    assert client.get(ME).status_code == 200
    refused = client.post("/api/v1/notifications/read-all")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    client.get("/api/tokens/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    allowed = client.post("/api/v1/notifications/read-all", HTTP_X_CSRFTOKEN=csrf)
    assert allowed.status_code == 200
    assert allowed.json() == {"marked": 0}


def test_a_token_needs_no_csrf(dispatcher):
    _token, text = api_token_create(user=dispatcher, name="script")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/notifications/read-all", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert response.status_code == 200


def test_the_token_page_shows_the_secret_once_and_revokes(dispatcher):
    client = Client()
    client.force_login(dispatcher)
    made = client.post("/api/tokens/", {"name": "12345 同步", "days": 30})
    assert made.status_code == 201
    token = ApiToken.objects.get(user=dispatcher)
    secret = made.context["secret"]
    assert secret.startswith(f"jd_{token.prefix}_") and secret in made.content.decode()
    assert made["Cache-Control"].startswith("max-age=0") or "no-store" in made["Cache-Control"]
    listed = client.get("/api/tokens/").content.decode()
    assert token.prefix in listed and secret not in listed
    assert _get(secret)[0] == 200
    client.post(f"/api/tokens/{token.pk}/revoke/")
    assert _get(secret)[0] == 401


def test_the_token_page_refuses_another_users_token(dispatcher, outsider):
    token, _text = api_token_create(user=dispatcher, name="script")
    client = Client()
    client.force_login(outsider)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_creates_lists_and_revokes(dispatcher):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "create", "--user", "dispatcher", "--name", "cron", "--days", "7", stdout=out, stderr=err)
    text = out.getvalue().strip()
    assert _get(text)[0] == 200
    listing = io.StringIO()
    call_command("api_token", "list", "--user", "dispatcher", stdout=listing)
    assert "cron" in listing.getvalue() and "active" in listing.getvalue()
    call_command("api_token", "revoke", text.rsplit("_", 1)[0], stdout=io.StringIO())
    assert _get(text)[0] == 401


def test_the_command_names_a_bad_argument(dispatcher):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--user"):
        call_command("api_token", "create", "--user", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="--days"):
        call_command("api_token", "create", "--user", "dispatcher", "--name", "x", "--days", "0")


def test_admins_see_tokens_of_their_users_only(office_admin, dispatcher, world):
    from jiedao.accounts.services import role_grant
    from jiedao.accounts.tests.factories import UserFactory

    stranger = UserFactory(username="stranger")
    role_grant(user=stranger, role="dispatcher", place=world.other_office)
    api_token_create(user=dispatcher, name="ours")
    api_token_create(user=stranger, name="theirs")
    office_admin.is_staff = True
    office_admin.save()
    client = Client()
    client.force_login(office_admin)
    page = client.get("/admin/api/apitoken/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "ours" in text and "theirs" not in text


def test_validation_errors_are_json_with_a_code_and_the_field(dispatcher):
    _token, text = api_token_create(user=dispatcher, name="script")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {text}"}
    bad_json = client.post("/api/v1/cases", data="{not json", content_type="application/json", **auth)
    assert (bad_json.status_code, bad_json.json()["code"]) == (400, "bad_request")
    missing = client.post("/api/v1/cases", data="{}", content_type="application/json", **auth)
    assert missing.status_code == 422
    body = missing.json()
    assert body["code"] == "validation_error"
    assert {e["field"] for e in body["errors"]} >= {"channel", "title", "content"}
    # In Chinese, with the same wording as the push API's
    assert {e["message"] for e in body["errors"] if e["field"] == "title"} == {"此项必填。"}
    assert "此项必填" in body["message"]
    nul = client.get("/api/v1/cases", {"q": "a\x00b"}, **auth)
    assert (nul.status_code, nul.json()["field"]) == (422, "q")
    huge = client.get("/api/v1/cases/99999999999999999999", **auth)
    assert huge.status_code == 422
    wrong_method = client.delete("/api/v1/cases", **auth)
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")


def _token_audit(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type="api.apitoken").order_by("id"))


def test_the_token_page_audits_creation_and_revocation_without_the_secret(dispatcher):
    # Given a user on the tokens page
    client = Client()
    client.force_login(dispatcher)
    # When he makes a token and revokes it
    secret = client.post("/api/tokens/", {"name": "12345 同步", "days": 30}).context["secret"]
    token = ApiToken.objects.get(user=dispatcher)
    client.post(f"/api/tokens/{token.pk}/revoke/")
    # Then each write left one audit row naming him, the token's id, prefix and name, and his address
    (created,) = _token_audit(AuditAction.API_TOKEN_CREATED)
    (revoked,) = _token_audit(AuditAction.API_TOKEN_REVOKED)
    for event in (created, revoked):
        assert (event.actor, event.username, event.object_id, event.ip) == (
            dispatcher,
            "dispatcher",
            str(token.pk),
            "127.0.0.1",
        )
        assert event.detail["token_id"] == token.pk
        assert event.detail["prefix"] == f"jd_{token.prefix}"
        assert event.detail["name"] == "12345 同步"
        assert event.detail["username"] == "dispatcher"
        # and never the secret, nor its hash
        written = json.dumps(event.detail)
        assert secret.split("_")[-1] not in written and token.secret_hash not in written


def test_revoking_twice_writes_one_audit_row(dispatcher):
    token, _text = api_token_create(user=dispatcher, name="script", actor=dispatcher)
    api_token_revoke(token_id=token.pk, actor=dispatcher)
    api_token_revoke(token_id=token.pk, actor=dispatcher)
    assert len(_token_audit(AuditAction.API_TOKEN_REVOKED)) == 1


def test_a_refused_creation_or_revocation_writes_no_audit_row(dispatcher, outsider):
    with pytest.raises(InvalidInput):
        api_token_create(user=dispatcher, name=" ", actor=dispatcher)
    token, _text = api_token_create(user=dispatcher, name="script", actor=dispatcher)
    from jiedao.core.errors import NotFoundOrForbidden

    with pytest.raises(NotFoundOrForbidden):
        api_token_revoke(token_id=token.pk, actor=outsider)
    assert len(_token_audit(AuditAction.API_TOKEN_CREATED)) == 1
    assert _token_audit(AuditAction.API_TOKEN_REVOKED) == []


def test_the_token_and_its_audit_row_are_written_together(dispatcher, monkeypatch):
    # Given an audit log that cannot be written
    def broken(**kwargs):
        raise RuntimeError("audit log down")

    monkeypatch.setattr("jiedao.api.tokens.audit_record", broken)
    # When a token is made or revoked, then neither happens without its audit row
    with pytest.raises(RuntimeError):
        api_token_create(user=dispatcher, name="script", actor=dispatcher)
    assert not ApiToken.objects.exists()
    monkeypatch.undo()
    token, _text = api_token_create(user=dispatcher, name="script", actor=dispatcher)
    monkeypatch.setattr("jiedao.api.tokens.audit_record", broken)
    with pytest.raises(RuntimeError):
        api_token_revoke(token_id=token.pk, actor=dispatcher)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_audits_its_tokens_as_the_system(dispatcher):
    out = io.StringIO()
    call_command("api_token", "create", "--user", "dispatcher", "--name", "cron", stdout=out, stderr=io.StringIO())
    call_command("api_token", "revoke", out.getvalue().strip().rsplit("_", 1)[0], stdout=io.StringIO())
    token = ApiToken.objects.get(user=dispatcher)
    for action in (AuditAction.API_TOKEN_CREATED, AuditAction.API_TOKEN_REVOKED):
        (event,) = _token_audit(action)
        assert event.actor is None and event.object_id == str(token.pk)
        assert (event.detail["username"], event.detail["name"]) == ("dispatcher", "cron")


def test_an_admin_revoking_in_the_admin_is_audited_as_himself(office_admin, dispatcher):
    token, _text = api_token_create(user=dispatcher, name="ours", actor=dispatcher)
    office_admin.is_staff = True
    office_admin.save()
    client = Client()
    client.force_login(office_admin)
    response = client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk], "index": 0}, follow=True
    )
    assert response.status_code == 200
    (event,) = _token_audit(AuditAction.API_TOKEN_REVOKED)
    assert event.actor == office_admin and event.detail["username"] == "dispatcher"
