"""Every write of the notification centre: notify, send the outbound deliveries, mark read, tell about case events."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from jiedao.accounts.models import User
from jiedao.cases.choices import Escalation, ReturnReason
from jiedao.cases.models import Case, CaseEvent, Dispatch, Supervision
from jiedao.cases.workflow import Action
from jiedao.core import clock
from jiedao.core.errors import NotFoundOrForbidden
from jiedao.notifications import channels as outbound
from jiedao.notifications import rules, texts
from jiedao.notifications.choices import INAPP, DeliveryStatus, Kind
from jiedao.notifications.models import Delivery, Notification
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
