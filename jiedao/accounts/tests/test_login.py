"""Login, lockout, password policy, session expiry and the audit rows they leave."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiedao.accounts.models import LoginAttempt
from jiedao.accounts.tests.factories import PASSWORD, UserFactory
from jiedao.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_with_the_right_password_redirects_home_and_is_audited(client):
    user = UserFactory(username="li")
    response = _login(client, "li", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("web:home")
    event = AuditEvent.objects.get(action="login")
    assert event.actor_id == user.pk
    assert event.ip == "127.0.0.1"


def test_wrong_password_is_refused_and_audited_as_failed(client):
    UserFactory(username="li")
    response = _login(client, "li", "wrong-password-1")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert AuditEvent.objects.filter(action="login_failed", username="li").count() == 1


def test_five_failures_lock_the_account_even_for_the_right_password(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    UserFactory(username="li")
    for _ in range(5):
        _login(client, "li", "wrong-password-1")
    response = _login(client, "li", PASSWORD)
    assert response.status_code == 200
    assert any(e.code == "locked" for e in response.context["form"].errors.as_data()["__all__"])
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_the_window(client, settings, monkeypatch):
    import datetime as dt

    from jiedao.core import clock

    settings.LOGIN_FAILURE_LIMIT = 3
    UserFactory(username="li")
    for _ in range(3):
        _login(client, "li", "wrong-password-1")
    later = clock.now() + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = _login(client, "li", PASSWORD)
    assert response.status_code == 302


def test_a_success_resets_the_failure_count(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    UserFactory(username="li")
    _login(client, "li", "wrong-password-1")
    _login(client, "li", "wrong-password-1")
    assert _login(client, "li", PASSWORD).status_code == 302
    client.logout()
    _login(client, "li", "wrong-password-1")
    _login(client, "li", "wrong-password-1")
    assert _login(client, "li", PASSWORD).status_code == 302


def test_one_address_failing_for_many_usernames_is_locked(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    UserFactory(username="victim")
    for n in range(8):
        _login(client, f"guess{n}", "wrong-password-1")
    response = _login(client, "victim", PASSWORD)
    assert response.status_code == 200
    assert LoginAttempt.objects.filter(succeeded=False).count() == 8


def test_logout_is_audited(client):
    UserFactory(username="li")
    _login(client, "li", PASSWORD)
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(action="logout", username="li").exists()


@pytest.mark.parametrize("password", ["short1a", "onlyletterslong", "1234567890123", "password123"])
def test_password_policy_rejects_weak_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_password_policy_accepts_a_strong_password():
    validate_password("Wanghu2026Lake")


def test_pages_require_login_and_sessions_expire_when_idle(client, settings):
    assert client.get(reverse("web:home")).status_code == 302
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_login_form_needs_csrf():
    from django.test import Client

    UserFactory(username="li")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "li", "password": PASSWORD})
    assert response.status_code == 403
