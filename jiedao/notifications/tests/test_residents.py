"""Messages to residents: an approved extension tells the reporter's phone after commit, minimal and auditable."""

import datetime as dt
import logging

import pytest
from django.core.checks import run_checks
from django.db import transaction

from jiedao.cases import services as case_services
from jiedao.cases.models import CaseEvent
from jiedao.notifications import channels, services
from jiedao.notifications.choices import DeliveryStatus, ResidentKind
from jiedao.notifications.models import ResidentMessage
from jiedao.notifications.tasks import retry_resident_messages, send_resident_messages
from jiedao.notifications.tests.conftest import handling

PHONE = "13800138000"
TOLD = "您反映的诉求（编号JD2026-000001）办理期限已延长至2026-12-02。"


def _requested(world, dispatcher, unit_handler, **overrides):
    """A case handled by A物业 since Monday (due 2026-11-30 17:30) with 2 more working days asked for."""
    case = handling(world, dispatcher, unit_handler, **overrides)
    case_services.case_extension_request(case_id=case.pk, actor=unit_handler, amount="2", reason="需要采购配件")
    return case


def _decide(case, dispatcher, *, approve=True):
    return case_services.case_extension_decide(case_id=case.pk, actor=dispatcher, approve=approve, note="同意")


class BrokenGateway:
    def __init__(self, *, name):
        self.name = name

    def send_to_phone(self, *, phone, body):
        raise ConnectionError(f"gateway refused {phone}")


def test_an_approved_extension_queues_a_message_in_the_transaction_and_sends_it_after_commit(
    world, dispatcher, unit_handler, outbox, now, django_capture_on_commit_callbacks
):
    case = _requested(world, dispatcher, unit_handler)
    with django_capture_on_commit_callbacks() as callbacks:
        _decide(case, dispatcher)
        # queued with the decision, nothing sent before the commit
        message = ResidentMessage.objects.get()
        assert (message.case, message.kind, message.status, message.attempts) == (
            case,
            ResidentKind.EXTENSION_APPROVED,
            DeliveryStatus.PENDING,
            0,
        )
        assert message.created_at == now()
        assert outbox.lines("resident_sms") == []
    assert callbacks
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at, message.error) == (DeliveryStatus.SENT, 1, now(), "")
    (line,) = outbox.lines("resident_sms")
    assert line["body"] == message.body == TOLD
    # the decision's event names the message, so the case's history shows it
    event = CaseEvent.objects.get(case=case, action="decide_extension")
    assert event.data == {
        "approved": True,
        "resident_message": message.pk,
        "finish_deadline": event.data["finish_deadline"],
    }


def test_the_message_holds_the_case_number_and_date_only_and_the_outbox_no_full_phone(
    world, dispatcher, unit_handler, outbox, now, django_capture_on_commit_callbacks
):
    case = _requested(world, dispatcher, unit_handler, address="幸福小区3幢2单元")
    with django_capture_on_commit_callbacks(execute=True):
        _decide(case, dispatcher)
    raw = (outbox.root / "outbox" / "resident_sms.jsonl").read_text(encoding="utf-8")
    (line,) = outbox.lines("resident_sms")
    assert line["phone_last4"] == "8000"
    assert PHONE not in raw and "李四" not in raw and "幸福小区" not in raw and "楼道灯" not in raw
    # the record keeps no phone either: the sender reads it from the case's encrypted field
    assert PHONE not in str(list(ResidentMessage.objects.values()))


def test_a_refusal_tells_the_resident_nothing(
    world, dispatcher, unit_handler, outbox, now, django_capture_on_commit_callbacks
):
    case = _requested(world, dispatcher, unit_handler)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _decide(case, dispatcher, approve=False)
    assert callbacks == []
    assert not ResidentMessage.objects.exists()
    assert outbox.lines("resident_sms") == []
    assert CaseEvent.objects.get(case=case, action="decide_extension").data == {"approved": False}


def test_a_case_without_a_phone_sends_nothing_and_fails_nothing(
    world, dispatcher, unit_handler, outbox, now, django_capture_on_commit_callbacks
):
    case = _requested(world, dispatcher, unit_handler, reporter_phone="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decided = _decide(case, dispatcher)
    assert decided.extension_count == 1  # the approval itself went through
    assert callbacks == []
    assert not ResidentMessage.objects.exists()
    assert outbox.lines("resident_sms") == []


def test_a_deployment_without_a_resident_channel_queues_nothing(
    world, dispatcher, unit_handler, settings, outbox, now, caplog
):
    settings.RESIDENT_SMS_CHANNEL = ""
    case = _requested(world, dispatcher, unit_handler)
    with caplog.at_level(logging.WARNING):
        _decide(case, dispatcher)
    assert not ResidentMessage.objects.exists()
    assert "no resident channel is configured" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_approval_sends_nothing(world, dispatcher, unit_handler, outbox, now):
    class Boom(Exception):
        pass

    case = _requested(world, dispatcher, unit_handler)
    with pytest.raises(Boom), transaction.atomic():
        _decide(case, dispatcher)
        assert ResidentMessage.objects.count() == 1
        raise Boom
    assert not ResidentMessage.objects.exists()
    assert outbox.lines("resident_sms") == []
    case.refresh_from_db()
    assert case.extension_count == 0


@pytest.mark.django_db(transaction=True)
def test_a_committed_approval_is_sent_by_the_task(world, dispatcher, unit_handler, outbox, now):
    case = _requested(world, dispatcher, unit_handler)
    _decide(case, dispatcher)
    assert ResidentMessage.objects.get().status == DeliveryStatus.SENT
    assert len(outbox.lines("resident_sms")) == 1


def test_a_failed_send_is_marked_failed_and_retried_once(
    world, dispatcher, unit_handler, settings, outbox, now, caplog, django_capture_on_commit_callbacks
):
    settings.RESIDENT_SMS_CHANNEL = f"{__name__}.BrokenGateway"
    case = _requested(world, dispatcher, unit_handler)
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.WARNING):
        _decide(case, dispatcher)
    message = ResidentMessage.objects.get()
    assert (message.status, message.attempts, message.sent_at) == (DeliveryStatus.FAILED, 1, None)
    assert "gateway refused 138****8000" in message.error
    assert PHONE not in message.error and PHONE not in caplog.text
    # the periodic job tries once more; the gateway is still down
    now.advance(minutes=10)
    assert retry_resident_messages.call_local() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (DeliveryStatus.FAILED, 2)
    # and no more after that, even once the gateway is back
    settings.RESIDENT_SMS_CHANNEL = "jiedao.notifications.channels.FileResidentSms"
    assert services.resident_messages_retry(now=now.advance(minutes=10)) == 0
    message.refresh_from_db()
    assert message.attempts == 2
    assert outbox.lines("resident_sms") == []


def test_the_retry_sends_a_failed_message_once_the_gateway_is_back(
    world, dispatcher, unit_handler, settings, outbox, now, django_capture_on_commit_callbacks
):
    settings.RESIDENT_SMS_CHANNEL = f"{__name__}.BrokenGateway"
    case = _requested(world, dispatcher, unit_handler)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(case, dispatcher)
    settings.RESIDENT_SMS_CHANNEL = "jiedao.notifications.channels.FileResidentSms"
    assert services.resident_messages_retry(now=now.advance(minutes=10)) == 1
    message = ResidentMessage.objects.get()
    assert (message.status, message.attempts, message.error) == (DeliveryStatus.SENT, 2, "")
    assert len(outbox.lines("resident_sms")) == 1
    # a sent message is never sent again
    assert services.resident_messages_retry(now=now.advance(minutes=10)) == 0
    assert services.resident_messages_send(message_ids=[message.pk]) == 0
    assert len(outbox.lines("resident_sms")) == 1


def test_sending_twice_sends_once(world, dispatcher, unit_handler, outbox, now, django_capture_on_commit_callbacks):
    case = _requested(world, dispatcher, unit_handler)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(case, dispatcher)
    message = ResidentMessage.objects.get()
    assert send_resident_messages([message.pk]).get() == 0
    assert services.resident_messages_send(message_ids=[message.pk]) == 0
    assert len(outbox.lines("resident_sms")) == 1
    assert ResidentMessage.objects.get().attempts == 1


def test_the_retry_picks_up_a_message_whose_task_was_lost(
    world, dispatcher, unit_handler, outbox, now, django_capture_on_commit_callbacks
):
    case = _requested(world, dispatcher, unit_handler)
    with django_capture_on_commit_callbacks(execute=False):  # the queue was down at commit
        _decide(case, dispatcher)
    assert services.resident_messages_retry(now=now() + dt.timedelta(minutes=1)) == 0  # its task may still come
    assert services.resident_messages_retry(now=now() + dt.timedelta(minutes=11)) == 1
    assert ResidentMessage.objects.get().status == DeliveryStatus.SENT
    assert len(outbox.lines("resident_sms")) == 1


def test_the_phone_is_read_from_the_case_when_sending(
    world, dispatcher, unit_handler, outbox, now, django_capture_on_commit_callbacks
):
    case = _requested(world, dispatcher, unit_handler)
    with django_capture_on_commit_callbacks(execute=False):
        _decide(case, dispatcher)
    # the reporter's number is erased before the message goes: nothing is sent, the record says why
    case.reporter_phone = ""
    case.save(update_fields=["reporter_phone"])
    message = ResidentMessage.objects.get()
    assert services.resident_messages_send(message_ids=[message.pk]) == 0
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED and "no phone" in message.error
    assert outbox.lines("resident_sms") == []


def test_console_resident_channel_logs_the_masked_phone(
    world, dispatcher, unit_handler, settings, now, caplog, django_capture_on_commit_callbacks
):
    settings.RESIDENT_SMS_CHANNEL = "jiedao.notifications.channels.ConsoleResidentSms"
    case = _requested(world, dispatcher, unit_handler)
    with (
        caplog.at_level(logging.INFO, logger="jiedao.notifications.channels"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _decide(case, dispatcher)
    assert "resident message via resident_sms to 138****8000" in caplog.text
    assert PHONE not in caplog.text
    assert ResidentMessage.objects.get().status == DeliveryStatus.SENT


def test_resident_channel_is_loaded_once_and_reloaded_when_the_setting_changes(settings):
    settings.RESIDENT_SMS_CHANNEL = "jiedao.notifications.channels.ConsoleResidentSms"
    first = channels.resident()
    assert isinstance(first, channels.ConsoleResidentSms) and channels.resident() is first
    settings.RESIDENT_SMS_CHANNEL = ""
    assert channels.resident() is None


def test_a_resident_channel_that_does_not_load_fails_the_system_check(settings):
    settings.RESIDENT_SMS_CHANNEL = "jiedao.notifications.channels.Nope"
    assert "notifications.E003" in [e.id for e in run_checks()]
    settings.RESIDENT_SMS_CHANNEL = "jiedao.notifications.channels.FileChannel"  # a channel to users, not phones
    assert "notifications.E003" in [e.id for e in run_checks()]
    settings.RESIDENT_SMS_CHANNEL = "jiedao.notifications.channels.FileResidentSms"
    assert "notifications.E003" not in [e.id for e in run_checks()]
