"""The admin: a source's key shown once, office scoping, the read-only delivery log and its retry action."""

from __future__ import annotations

import re

from django.urls import reverse

from jiedao.cases.choices import Channel
from jiedao.integrations.choices import DeliveryStatus, SourceKind
from jiedao.integrations.keys import source_for_key
from jiedao.integrations.models import Source, WebhookDelivery, WebhookSubscription
from jiedao.integrations.tests.test_webhooks import SECRET, register, subscribe, verify


def shown_key(html: str) -> str:
    match = re.search(r'<code id="source-key"[^>]*>(jd_[0-9a-f_]+)</code>', html)
    assert match is not None, "the page shows no key"
    return match[1]


def test_adding_a_source_shows_its_key_once(client, world, superuser, now):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:integrations_source_add"),
        {
            "name": "区法院",
            "code": "court",
            "kind": SourceKind.COURT,
            "channel": Channel.DEPARTMENT,
            "office": world.office.pk,
            "rate_limit_per_minute": 30,
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    key = shown_key(html)
    source = Source.objects.get()
    assert source_for_key(key) == source
    assert source.service_user.username == "source-court"
    assert key not in client.get(reverse("admin:integrations_source_change", args=[source.pk])).content.decode()


def test_a_source_code_taken_by_a_user_is_refused_in_the_form(client, world, superuser, police):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:integrations_source_add"),
        {
            "name": "x",
            "code": "police",
            "kind": "other",
            "channel": "department",
            "office": world.office.pk,
            "rate_limit_per_minute": 30,
        },
    )
    assert response.status_code == 200
    assert Source.objects.count() == 1
    assert response.context["adminform"].form.errors["code"]


def test_rotating_a_key_shows_the_new_one(client, superuser, police):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:integrations_source_changelist"),
        {"action": "rotate_key", "_selected_action": [police.source.pk]},
    )
    key = shown_key(response.content.decode())
    assert source_for_key(key) == police.source
    assert source_for_key(police.key) is None


def test_an_office_administrator_sees_only_his_offices_sources(police, office_admin, other_office_admin):
    assert list(Source.objects.visible_to(office_admin)) == [police.source]
    assert not Source.objects.visible_to(other_office_admin).exists()


def test_a_subscription_gets_a_generated_secret_and_keeps_it_when_left_blank(client, world, superuser, receiver):
    client.force_login(superuser)
    page = client.get(reverse("admin:integrations_webhooksubscription_add"))
    secret = page.context["adminform"].form.fields["secret"].initial
    assert len(secret) == 64
    fields = {
        "name": "区平台",
        "target_url": receiver.url,
        "office": world.office.pk,
        "secret": secret,
        "states": ["dispatched", "closed"],
        "active": "on",
    }
    assert client.post(reverse("admin:integrations_webhooksubscription_add"), fields).status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret == secret and subscription.states == ["dispatched", "closed"]

    change = reverse("admin:integrations_webhooksubscription_change", args=[subscription.pk])
    assert secret not in client.get(change).content.decode()
    assert client.post(change, {**fields, "secret": "", "name": "改名"}).status_code == 302
    subscription.refresh_from_db()
    assert subscription.name == "改名" and subscription.secret == secret

    response = client.post(change, {**fields, "target_url": "ftp://example.org/x"})
    assert response.status_code == 200 and "target_url" in response.context["adminform"].form.errors


def test_the_delivery_log_filters_by_status_and_retries_now(
    client, world, dispatcher, superuser, receiver, now, django_capture_on_commit_callbacks
):
    subscribe(world.office, receiver.url)
    receiver.default_status = 500
    with django_capture_on_commit_callbacks(execute=True):
        case = register(dispatcher)
    delivery = WebhookDelivery.objects.get()
    client.force_login(superuser)
    changelist = reverse("admin:integrations_webhookdelivery_changelist")

    assert case.number in client.get(changelist, {"status__exact": DeliveryStatus.RETRYING}).content.decode()
    assert case.number not in client.get(changelist, {"status__exact": DeliveryStatus.DELIVERED}).content.decode()
    detail = client.get(reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()  # read-only

    receiver.default_status = 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {"action": "retry_now", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert verify(SECRET, receiver.requests[-1].headers, receiver.requests[-1].body)


def test_an_office_administrator_sees_only_his_offices_deliveries(
    world, dispatcher, office_admin, other_office_admin, receiver, now
):
    subscribe(world.office, receiver.url)
    register(dispatcher)
    assert WebhookDelivery.objects.visible_to(office_admin).count() == 1
    assert not WebhookDelivery.objects.visible_to(other_office_admin).exists()
    assert not WebhookSubscription.objects.visible_to(other_office_admin).exists()


def test_changing_a_source_keeps_its_code_and_office(client, world, superuser, police):
    client.force_login(superuser)
    change = reverse("admin:integrations_source_change", args=[police.source.pk])
    assert client.get(change).status_code == 200
    response = client.post(
        change,
        {
            "name": "公安分局",
            "code": "other",
            "office": world.other_office.pk,
            "kind": "police",
            "channel": "department",
            "rate_limit_per_minute": 5,
        },
    )
    assert response.status_code == 302
    source = Source.objects.get()
    assert (source.name, source.rate_limit_per_minute, source.active) == ("公安分局", 5, False)
    assert (source.code, source.office) == ("police", world.office)
    assert source_for_key(police.key) is None  # inactive now
