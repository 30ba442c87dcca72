"""Reads of the notification centre and of the messages to residents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from jiedao.notifications.models import Notification, ResidentMessage


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's notifications, newest first, with their case for the link."""
    return (
        Notification.objects.filter(recipient_id=getattr(user, "pk", None))
        .select_related("case")
        .order_by("-created_at", "-id")
    )


def unread_count(user: Any) -> int:
    """How many notifications the user has not read: one COUNT on the (recipient, read_at) index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def resident_messages_by_id(case_id: int, ids: Iterable[Any]) -> dict[int, ResidentMessage]:
    """The case's messages to residents with these ids (as found in its events' data), by id; no query for none."""
    wanted = sorted({int(i) for i in ids if isinstance(i, int) or (isinstance(i, str) and i.isdigit())})
    if not wanted:
        return {}
    return {m.pk: m for m in ResidentMessage.objects.filter(case_id=case_id, pk__in=wanted)}
