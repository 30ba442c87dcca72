"""notify(): in-app rows in the caller's transaction, outbound deliveries sent once after commit, channels."""

import logging

import pytest
from django.core.checks import run_checks
from django.db import transaction

from jiedao.notifications import channels, services
from jiedao.notifications.choices import DeliveryStatus
from jiedao.notifications.models import Delivery, Notification
from jiedao.notifications.tasks import send_outbound
from jiedao.notifications.tests.conftest import register


def _notify(recipients, **overrides):
    values = {
        "recipients": recipients,
        "kind": "case_dispatched",
        "title": "新派单：JD2026-000001 楼道灯坏了",
        "body": "请于 2026-11-24 17:30 前签收。",
        "url": "/cases/1/",
        "channels": ("inapp", "sms", "wecom"),
    }
    values.update(overrides)
    return services.notify(**values)


@pytest.mark.django_db(transaction=True)
def test_notify_writes_the_centre_and_sends_outbound_after_commit(world, dispatcher, unit_handler, outbox, now):
    with transaction.atomic():
        rows = _notify([unit_handler, dispatcher, unit_handler])
        # inside the transaction: the rows are there, nothing has gone out yet
        assert Notification.objects.count() == 2
        assert outbox.lines("wecom") == []
    assert [row.recipient for row in rows] == [unit_handler, dispatcher]
    assert all(row.created_at == now() and row.read_at is None for row in rows)
    wecom = outbox.lines("wecom")
    assert sorted(line["user_id"] for line in wecom) == sorted([unit_handler.pk, dispatcher.pk])
    assert wecom[0]["body"] == "请于 2026-11-24 17:30 前签收。"
    assert len(outbox.lines("sms")) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Delivery.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_nothing_is_written_or_sent_when_the_transaction_rolls_back(world, unit_handler, outbox, now):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        _notify([unit_handler])
        raise Boom
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert outbox.lines("sms") == outbox.lines("wecom") == []


@pytest.mark.django_db(transaction=True)
def test_sms_carries_the_case_number_and_title_only(world, dispatcher, unit_handler, outbox, now):
    case = register(dispatcher)
    _notify([unit_handler], case=case, body=f"联系人 {case.reporter_name} {case.reporter_phone}")
    (sms,) = outbox.lines("sms")
    (wecom,) = outbox.lines("wecom")
    assert sms["body"] == f"{case.number} 楼道灯坏了"
    assert "李四" not in str(sms) and "13800138000" not in str(sms)
    assert "13800138000" in wecom["body"]  # the fuller channel gets the body as written
    assert unit_handler.phone not in str(sms)  # the outbox file never holds a phone


def test_the_in_app_centre_alone_enqueues_nothing(world, unit_handler, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        rows = _notify([unit_handler], channels=("inapp",))
    assert len(rows) == 1
    assert callbacks == []
    assert not Delivery.objects.exists()


def test_inactive_recipients_are_not_told(world, unit_handler, urban_handler, now):
    urban_handler.is_active = False
    urban_handler.save()
    rows = _notify([urban_handler, unit_handler], channels=("inapp",))
    assert [row.recipient for row in rows] == [unit_handler]


def test_an_unconfigured_channel_is_skipped(world, unit_handler, settings, now, caplog):
    settings.NOTIFICATION_CHANNELS = {"wecom": "jiedao.notifications.channels.ConsoleChannel"}
    with caplog.at_level(logging.WARNING):
        _notify([unit_handler])
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["wecom"]
    assert "'sms' is not configured" in caplog.text


def test_sending_twice_sends_once(world, unit_handler, outbox, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = _notify([unit_handler])
    assert len(outbox.lines("sms")) == 1
    assert send_outbound([row.pk for row in rows]).get() == 0
    assert services.deliveries_send(notification_ids=[row.pk for row in rows]) == 0
    assert len(outbox.lines("sms")) == 1
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


class BrokenChannel:
    def __init__(self, *, name):
        self.name = name

    def send(self, *, recipient, title, body, url):
        raise ConnectionError("gateway down")


def test_a_failing_channel_is_recorded_and_the_others_still_go(
    world, unit_handler, settings, outbox, now, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_CHANNELS = {
        "sms": f"{__name__}.BrokenChannel",
        "wecom": "jiedao.notifications.channels.FileChannel",
    }
    with django_capture_on_commit_callbacks(execute=True):
        _notify([unit_handler])
    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.sent_at) == (DeliveryStatus.FAILED, None)
    assert "gateway down" in sms.error
    assert Delivery.objects.get(channel="wecom").status == DeliveryStatus.SENT
    assert len(outbox.lines("wecom")) == 1


def test_console_channel_logs_a_line(world, unit_handler, settings, now, caplog, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_CHANNELS = {"wecom": "jiedao.notifications.channels.ConsoleChannel"}
    with (
        caplog.at_level(logging.INFO, logger="jiedao.notifications.channels"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify([unit_handler], channels=("wecom",))
    assert "via wecom to user" in caplog.text
    assert "JD2026-000001" in caplog.text


def test_channels_are_loaded_once(settings):
    settings.NOTIFICATION_CHANNELS = {"sms": "jiedao.notifications.channels.ConsoleChannel"}
    first = channels.get("sms")
    assert isinstance(first, channels.ConsoleChannel)
    assert channels.get("sms") is first
    assert channels.get("wecom") is None


@pytest.mark.parametrize(
    ("configured", "error_id"),
    [
        ({"sms": "jiedao.notifications.channels.NoSuchChannel"}, "notifications.E001"),
        ({"sms": "nowhere.at.all.Channel"}, "notifications.E001"),
        ({"sms": "jiedao.notifications.channels.configured"}, "notifications.E001"),
        ({"inapp": "jiedao.notifications.channels.FileChannel"}, "notifications.E002"),
    ],
)
def test_system_check_refuses_an_unusable_channel(settings, configured, error_id):
    settings.NOTIFICATION_CHANNELS = configured
    assert error_id in [error.id for error in run_checks()]


def test_system_check_accepts_the_default_channels():
    assert not [error for error in run_checks() if (error.id or "").startswith("notifications.")]
