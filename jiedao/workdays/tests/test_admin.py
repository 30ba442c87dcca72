"""Superusers edit the calendar in the admin; office administrators may only look; others see nothing."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from jiedao.accounts.tests.factories import UserFactory
from jiedao.workdays.models import DayOverride, WorkPeriod
from jiedao.workdays.permissions import can_change_calendar, can_view_calendar

OVERRIDES = "/admin/workdays/dayoverride/"
PERIODS = "/admin/workdays/workperiod/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_superuser_adds_an_override_through_the_admin(superuser):
    response = _client(superuser).post(
        OVERRIDES + "add/", {"date": "2027-01-01", "is_workday": "", "name": "元旦", "note": ""}
    )
    assert response.status_code == 302
    assert DayOverride.objects.get(date=dt.date(2027, 1, 1)).name == "元旦"


def test_superuser_cannot_add_an_overlapping_period(superuser):
    response = _client(superuser).post(PERIODS + "add/", {"start": "11:00", "end": "14:00"})
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors.as_data()["__all__"]
    assert [e.code for e in errors] == ["overlap"]
    assert WorkPeriod.objects.count() == 2


def test_office_admin_may_view_but_not_change(office_admin):
    override = DayOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    client = _client(office_admin)
    assert can_view_calendar(office_admin) and not can_change_calendar(office_admin)
    assert client.get(OVERRIDES).status_code == 200
    assert client.get(PERIODS).status_code == 200
    assert client.get(f"{OVERRIDES}{override.pk}/change/").status_code == 200  # the read-only view
    assert client.get(OVERRIDES + "add/").status_code == 403
    response = client.post(f"{OVERRIDES}{override.pk}/change/", {"date": "2027-01-01", "name": "改了"})
    assert response.status_code == 403
    assert client.post(f"{OVERRIDES}{override.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DayOverride.objects.get(pk=override.pk).name == "元旦"


def test_staff_without_the_admin_role_sees_nothing(outsider):
    staff = UserFactory(username="staff_only", is_staff=True)
    assert not can_view_calendar(staff)
    assert not can_view_calendar(outsider)
    assert _client(staff).get(OVERRIDES).status_code == 403
    assert _client(outsider).get(OVERRIDES).status_code == 302  # not staff: back to the login page
