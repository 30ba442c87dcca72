"""The notification centre: list, mark read (htmx fragment or redirect), mark all read, and the header badge."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiedao.notifications import services
from jiedao.notifications.models import Notification

HTMX = {"HTTP_HX_REQUEST": "true"}


def _make(user, count, now, **overrides):
    rows = []
    for index in range(count):
        values = {"recipients": [user], "kind": "case_dispatched", "title": f"通知{index}", "body": f"内容{index}"}
        values.update(overrides)
        rows += services.notify(**values)
        now.advance(minutes=1)
    return rows


def test_the_centre_needs_a_login(client):
    for url, method in [
        (reverse("notifications:list"), client.get),
        (reverse("notifications:read", args=[1]), client.post),
        (reverse("notifications:read_all"), client.post),
    ]:
        response = method(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_the_list_shows_my_notifications_newest_first_with_paging(client, unit_handler, dispatcher, now):
    _make(unit_handler, 25, now)
    _make(dispatcher, 1, now, title="别人的通知")
    client.force_login(unit_handler)
    html = client.get(reverse("notifications:list")).content.decode()
    assert html.index("通知24") < html.index("通知23")
    assert "通知5" in html and "通知4<" not in html  # 20 a page
    assert "别人的通知" not in html
    second = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert "通知4" in second and "通知0" in second and "通知24" not in second


def test_the_list_costs_the_same_queries_however_many_notifications(client, unit_handler, now):
    client.force_login(unit_handler)
    _make(unit_handler, 2, now)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:list"))
    _make(unit_handler, 30, now)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:list"))
    assert len(few) == len(many)


def test_reading_one_marks_it_read_once_and_redirects_to_a_local_next(client, unit_handler, now):
    (notification,) = _make(unit_handler, 1, now, url="/cases/7/")
    client.force_login(unit_handler)
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"next": "/cases/7/"})
    assert (response.status_code, response["Location"]) == (302, "/cases/7/")
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read == now()
    now.advance(hours=1)
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:list")  # no open redirect
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_reading_with_htmx_returns_the_item_and_the_new_badge(client, unit_handler, now):
    first, _second = _make(unit_handler, 2, now)
    client.force_login(unit_handler)
    response = client.post(reverse("notifications:read", args=[first.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{first.pk}"' in html and 'data-unread="0"' in html
    assert 'hx-swap-oob="true"' in html
    assert 'data-testid="unread-count"' in html and ">1</span>" in html
    assert "<html" not in html


def test_nobody_reads_another_users_notification(client, unit_handler, outsider, now):
    (notification,) = _make(unit_handler, 1, now)
    client.force_login(outsider)
    assert client.post(reverse("notifications:read", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[987654])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_read_all_marks_only_mine(client, unit_handler, dispatcher, now):
    _make(unit_handler, 3, now)
    _make(dispatcher, 2, now)
    client.force_login(unit_handler)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=unit_handler, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=dispatcher, read_at__isnull=True).count() == 2


def test_read_all_with_htmx_returns_the_list_and_an_empty_badge(client, unit_handler, now):
    _make(unit_handler, 3, now)
    client.force_login(unit_handler)
    html = client.post(reverse("notifications:read_all"), **HTMX).content.decode()
    assert 'data-testid="notification-list"' in html
    assert 'data-unread="1"' not in html and html.count('data-unread="0"') == 3
    assert 'hx-swap-oob="true"' in html and 'data-testid="unread-count"' not in html


def test_reading_needs_post(client, unit_handler, now):
    (notification,) = _make(unit_handler, 1, now)
    client.force_login(unit_handler)
    assert client.get(reverse("notifications:read", args=[notification.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert client.post(reverse("notifications:list")).status_code == 405


def test_the_header_shows_the_unread_count_with_one_count_query(client, unit_handler, now):
    _make(unit_handler, 3, now)
    Notification.objects.filter(title="通知0").update(read_at=now())
    client.force_login(unit_handler)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("web:units")).content.decode()
    assert 'data-testid="notifications"' in html
    assert 'data-testid="unread-count"' in html and ">2</span>" in html
    counts = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()


def test_no_badge_when_everything_is_read(client, unit_handler, now):
    client.force_login(unit_handler)
    html = client.get(reverse("web:units")).content.decode()
    assert 'data-testid="notifications"' in html
    assert 'data-testid="unread-count"' not in html


def test_anonymous_pages_query_no_notifications(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert not [q for q in queries if "notifications_notification" in q["sql"]]
    assert 'data-testid="notifications"' not in response.content.decode()


def test_times_are_shown_in_shanghai(client, unit_handler, now):
    now.set(2026, 11, 23, 8, 5)
    _make(unit_handler, 1, now)
    assert Notification.objects.get().created_at == dt.datetime(2026, 11, 23, 0, 5, tzinfo=dt.UTC)
    client.force_login(unit_handler)
    assert "2026-11-23 08:05" in client.get(reverse("notifications:list")).content.decode()
