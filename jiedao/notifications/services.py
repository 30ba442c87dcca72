"""Every write of the notification centre: notify, send the outbound deliveries, mark read, tell about case events;
and the short messages to residents: queue, send, retry."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from jiedao.accounts.models import User
from jiedao.cases.choices import Escalation, ReturnReason
from jiedao.cases.models import Case, CaseEvent, Dispatch, Supervision
from jiedao.cases.workflow import Action
from jiedao.core import clock
from jiedao.core.errors import NotFoundOrForbidden
from jiedao.core.masking import mask_phone
from jiedao.notifications import channels as outbound
from jiedao.notifications import rules, texts
from jiedao.notifications.choices import INAPP, DeliveryStatus, Kind, ResidentKind
from jiedao.notifications.models import Delivery, Notification, ResidentMessage
from jiedao.units.models import Unit
from jiedao.workdays.choices import LimitUnit

logger = logging.getLogger(__name__)


def _people(recipients: Iterable[Any]) -> list[Any]:
    """Active users, each once, in the order given."""
    seen: set[int] = set()
    people = []
    for user in recipients:
        if user is None or user.pk in seen or not getattr(user, "is_active", False):
            continue
        seen.add(user.pk)
        people.append(user)
    return people


def _outbound_names(channels: Sequence[str]) -> list[str]:
    available = outbound.configured()
    names = []
    for name in dict.fromkeys(channels):
        if name == INAPP:
            continue
        if name not in available:
            # A deployment without that gateway: the centre still shows the notification.
            logger.warning("notification channel %r is not configured; skipped", name)
            continue
        names.append(name)
    return names


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str,
    url: str = "",
    case: Case | None = None,
    channels: Sequence[str] = (INAPP,),
    case_event: CaseEvent | None = None,
) -> list[Notification]:
    """Tell each active recipient once: one row of the in-app centre each, written in the current transaction.

    Every notification is shown in the centre; the other names in `channels` ("sms", "wecom", …) are outbound
    channels of settings.NOTIFICATION_CHANNELS (an unconfigured one is skipped). Their deliveries are queued in
    the same transaction and sent by a task enqueued after commit: a rollback sends nothing.
    Raises IntegrityError when `case_event` was already notified to one of the recipients.
    """
    people = _people(recipients)
    if not people:
        return []
    now = clock.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=person,
                created_at=now,
                kind=kind,
                title=title[:300],
                body=body,
                url=url[:300],
                case=case,
                case_event=case_event,
            )
            for person in people
        ]
    )
    names = _outbound_names(channels)
    if names:
        Delivery.objects.bulk_create([Delivery(notification=row, channel=name) for row in rows for name in names])
        transaction.on_commit(functools.partial(_enqueue_outbound, [row.pk for row in rows]))
    return rows


def _enqueue_outbound(notification_ids: list[int]) -> None:
    from jiedao.notifications.tasks import send_outbound

    send_outbound(notification_ids)


def outbound_message(notification: Notification, channel: str) -> tuple[str, str, str]:
    """Title, body and link for one channel; minimal channels (SMS) get the kind, case number and title only."""
    if channel in outbound.MINIMAL_CHANNELS:
        title, body = texts.minimal(notification.kind, notification.case, notification.title)
        return title, body, notification.url
    return notification.title, notification.body, notification.url


def deliveries_send(*, notification_ids: Sequence[int]) -> int:
    """Send the waiting outbound deliveries of these notifications, each at most once; return how many went.

    Each delivery is claimed by a conditional UPDATE (pending → sending) before it is sent, so two workers, or a
    task run twice, never send it twice. A channel that fails marks its delivery failed (logged) and the others
    still go. Runs outside any transaction: every claim and outcome is committed at once.
    """
    waiting = (
        Delivery.objects.filter(notification_id__in=list(notification_ids), status=DeliveryStatus.PENDING)
        .select_related("notification__recipient", "notification__case")
        .order_by("id")
    )
    sent = 0
    for delivery in waiting:
        claimed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        try:
            channel = outbound.get(delivery.channel)
            if channel is None:
                raise LookupError(f"channel {delivery.channel!r} is not configured")
            title, body, url = outbound_message(delivery.notification, delivery.channel)
            channel.send(recipient=delivery.notification.recipient, title=title, body=body, url=url)
        except Exception as exc:
            logger.exception("notification %s via %s failed", delivery.notification_id, delivery.channel)
            Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error=repr(exc)[:1000])
            continue
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=clock.now(), error="")
        sent += 1
    return sent


def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; repeating it changes nothing.

    Raises NotFoundOrForbidden for a missing notification and for another user's alike.
    """
    notification = Notification.objects.filter(pk=notification_id, recipient_id=getattr(user, "pk", None)).first()
    if notification is None:
        raise NotFoundOrForbidden(_("No such notification."))
    if notification.read_at is None:
        now = clock.now()
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
            notification.read_at = now
        else:  # read a moment ago in another tab: keep that time
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of the user read; return how many were unread."""
    return Notification.objects.filter(recipient_id=getattr(user, "pk", None), read_at__isnull=True).update(
        read_at=clock.now()
    )


# The case actions that tell someone, and the kind of notification they give.
EVENT_KINDS: dict[str, str] = {
    Action.DISPATCH: Kind.DISPATCHED,
    Action.REDISPATCH: Kind.DISPATCHED,
    Action.REFUSE_RETURN: Kind.DISPATCHED,
    Action.RETURN: Kind.RETURNED,
    Action.REQUEST_EXTENSION: Kind.EXTENSION_REQUESTED,
    Action.SUPERVISE: Kind.SUPERVISED,
    Action.ESCALATE: Kind.ESCALATED,
}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _event_body(kind: str, case: Case, data: dict[str, Any]) -> str:
    unit_id = _int(data.get("unit"))
    if kind == Kind.DISPATCHED:
        sign_by = (
            Dispatch.objects.filter(case=case, unit_id=unit_id or 0)
            .order_by("-id")
            .values_list("sign_deadline", flat=True)
            .first()
        )
        return texts.body(kind, unit=data.get("unit_name", ""), deadline=texts.when(sign_by))
    if kind == Kind.RETURNED:
        unit = Unit.objects.filter(pk=unit_id or 0).first()
        reason = data.get("reason", "")
        label = ReturnReason(reason).label if reason in ReturnReason.values else reason
        return texts.body(kind, unit=str(unit or ""), reason=label)
    if kind == Kind.EXTENSION_REQUESTED:
        time_unit = data.get("unit", "")
        label = LimitUnit(time_unit).label if time_unit in LimitUnit.values else time_unit
        return texts.body(kind, amount=data.get("amount", ""), time_unit=label)
    if kind == Kind.SUPERVISED:
        reply_by = Supervision.objects.filter(pk=_int(data.get("supervision")) or 0).values_list("deadline", flat=True)
        return texts.body(kind, deadline=texts.when(reply_by.first()))
    if kind == Kind.ESCALATED:
        level = _int(data.get("to"))
        label = Escalation(level).label if level in Escalation.values else case.get_escalation_display()
        return texts.body(kind, level=label)
    return ""


def notify_case_event(case_event_id: int) -> list[Notification]:
    """Tell the right people (rules.recipients_for) about one case event; the actor is not told of his own act.

    Dispatch, re-dispatch and refused return → the unit's handlers; return and extension request → the office's
    dispatchers; supervision → the supervised unit's handlers; escalation → the rung reached. Other actions tell
    nobody. Call it in the action's transaction after the event is written (the notifications then commit or
    roll back with it), or after commit: asking twice about one event notifies once.
    """
    event = CaseEvent.objects.select_related("case").filter(pk=case_event_id).first()
    if event is None or event.action not in EVENT_KINDS:
        return []
    kind = EVENT_KINDS[event.action]
    case, data = event.case, dict(event.data or {})
    ids = rules.recipient_ids(case, kind, unit_id=_int(data.get("unit")), level=_int(data.get("to")))
    ids.discard(event.actor_id or 0)
    if not ids or Notification.objects.filter(case_event=event).exists():
        return []
    try:
        with transaction.atomic():
            return notify(
                recipients=User.objects.filter(pk__in=sorted(ids)).order_by("pk"),
                kind=kind,
                title=texts.title(kind, case),
                body=_event_body(kind, case, data),
                url=texts.case_url(case),
                case=case,
                channels=rules.channels_for(kind),
                case_event=event,
            )
    except IntegrityError:
        return []  # a concurrent call told them first


# A message to a resident is tried at most twice: once after commit, once more by the periodic job.
RESIDENT_MAX_ATTEMPTS = 2
# A message still pending this long after it was queued lost its task (a worker or queue down at commit).
RESIDENT_STALE_AFTER = dt.timedelta(minutes=10)


@transaction.atomic
def resident_tell(*, case: Case, kind: str) -> ResidentMessage | None:
    """Queue a short message of `kind` to the case's reporter, sent by a task after commit; return it.

    Nothing is queued (None) when the case has no phone or the deployment no resident channel. The text is
    written now, in the deployment's language (the resident has no language setting; the actor's does not
    matter), and holds the case number and facts only. A rollback sends nothing.
    """
    if not case.reporter_phone.strip():
        return None
    if not outbound.resident_configured():
        logger.warning("no resident channel is configured; the resident of case %s is not told", case.pk)
        return None
    with translation.override(settings.LANGUAGE_CODE):
        body = texts.resident(kind, case)
    message = ResidentMessage.objects.create(case=case, kind=ResidentKind(kind), created_at=clock.now(), body=body)
    transaction.on_commit(functools.partial(_enqueue_resident, [message.pk]))
    return message


def _enqueue_resident(message_ids: list[int]) -> None:
    from jiedao.notifications.tasks import send_resident_messages

    send_resident_messages(message_ids)


def _resident_claim(message_id: int, condition: Q) -> bool:
    """Take one message for sending (→ sending, one more attempt) if it still meets `condition`."""
    return bool(
        ResidentMessage.objects.filter(condition, pk=message_id).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1
        )
    )


def _resident_deliver(message: ResidentMessage) -> bool:
    """Send one claimed message to the phone on the case now; record sent or failed. The phone is read here and
    never stored, logged or kept in the error text in full."""
    phone = ""
    try:
        channel = outbound.resident()
        if channel is None:
            raise LookupError("no resident channel is configured")
        phone = message.case.reporter_phone.strip()
        if not phone:
            raise LookupError("the case has no phone any more")
        channel.send_to_phone(phone=phone, body=message.body)
    except Exception as exc:
        error = repr(exc)
        if phone:
            error = error.replace(phone, mask_phone(phone))
        logger.warning("resident message %s of case %s failed: %s", message.pk, message.case_id, error)
        ResidentMessage.objects.filter(pk=message.pk).update(status=DeliveryStatus.FAILED, error=error[:1000])
        return False
    ResidentMessage.objects.filter(pk=message.pk).update(status=DeliveryStatus.SENT, sent_at=clock.now(), error="")
    return True


_PENDING = Q(status=DeliveryStatus.PENDING)


def resident_messages_send(*, message_ids: Sequence[int]) -> int:
    """Send these waiting messages to residents, each at most once; return how many went.

    Each is claimed by a conditional UPDATE (pending → sending) before it is sent, so two workers, or a task run
    twice, never send it twice; a failure is recorded (failed) and left to resident_messages_retry. Runs outside
    any transaction: every claim and outcome is committed at once.
    """
    waiting = ResidentMessage.objects.filter(_PENDING, pk__in=list(message_ids)).select_related("case").order_by("id")
    return sum(_resident_deliver(message) for message in waiting if _resident_claim(message.pk, _PENDING))


def resident_messages_retry(*, now: dt.datetime) -> int:
    """Send once more every failed message with an attempt left, and every message pending for longer than
    RESIDENT_STALE_AFTER (its task was lost); return how many went. Claimed like resident_messages_send."""
    retry = Q(status=DeliveryStatus.FAILED, attempts__lt=RESIDENT_MAX_ATTEMPTS)
    stale = _PENDING & Q(created_at__lt=now - RESIDENT_STALE_AFTER)
    due = ResidentMessage.objects.filter(retry | stale).select_related("case").order_by("id")
    return sum(_resident_deliver(message) for message in due if _resident_claim(message.pk, retry | stale))
