"""Notifications of the in-app centre, their outbound deliveries, the marks of warnings already given, and the
short messages to residents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiedao.notifications.choices import DeliveryStatus, ResidentKind, WarningKind


class Notification(models.Model):
    """One message to one user; shown in the centre until read, and the source of its outbound deliveries."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    # Set by the service from jiedao.core.clock, so tests that move the clock see consistent times.
    created_at = models.DateTimeField(_("created at"))
    kind = models.SlugField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The case event this notification tells about: one notification per recipient and event, whoever asks twice.
    case_event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "case_event"],
                condition=Q(case_event__isnull=False),
                name="notification_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.title}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Delivery(models.Model):
    """One notification through one outbound channel: the queue of the sending task and its record."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.SlugField(_("channel"), max_length=32)
    status = models.CharField(_("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.channel} ({self.status})"


class WarningMark(models.Model):
    """A warning already given: the unique row two workers race for, so each warning goes out once.

    Deadline rules (yellow, red) are keyed by the deadline they warn about: an extension or a rework gives a new
    deadline and so a new warning. The others are keyed by `ref`: the dispatch (unsigned), the last event
    before the silence (silent), 0 for once per case (dissatisfied).
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=WarningKind.choices)
    deadline = models.DateTimeField(null=True, blank=True)
    ref = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("warning given")
        verbose_name_plural = _("warnings given")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "deadline"],
                condition=Q(deadline__isnull=False),
                name="warning_once_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "ref"], condition=Q(deadline__isnull=True), name="warning_once_per_ref"
            ),
            models.CheckConstraint(condition=Q(kind__in=WarningKind.values), name="warning_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.deadline or self.ref}"


class ResidentMessage(models.Model):
    """One short message to the reporter's phone: the audit record, and the queue of the sending task.

    It keeps no copy of the phone: the sender reads it from the case's encrypted field at sending time, so a
    corrected or erased number is honoured and this table holds no personal data. The body says only the case
    number and what happened (PIPL, minimum necessary).
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="resident_messages"
    )
    kind = models.SlugField(_("kind"), max_length=40, choices=ResidentKind.choices)
    # Set by the service from jiedao.core.clock, like Notification.created_at.
    created_at = models.DateTimeField(_("created at"))
    body = models.CharField(_("body"), max_length=300)
    status = models.CharField(_("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("message to a resident")
        verbose_name_plural = _("messages to residents")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "created_at"], name="resident_message_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="resident_message_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} ({self.status})"
