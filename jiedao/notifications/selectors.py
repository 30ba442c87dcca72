"""Reads of the notification centre."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jiedao.notifications.models import Notification


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
