"""External systems that push orders to us (sources), what they pushed, and the webhooks we send out."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiedao.cases.choices import Channel
from jiedao.core.fields import EncryptedCharField
from jiedao.core.models import TimeStampedModel
from jiedao.integrations.choices import DeliveryStatus, SourceKind
from jiedao.integrations.querysets import DeliveryQuerySet, SourceQuerySet, SubscriptionQuerySet
from jiedao.integrations.targets import validate_target_url

USER = settings.AUTH_USER_MODEL

# A channel given to one upstream system only keeps the upstream numbers as sent (the city's one 12345 hotline:
# dispatchers and the hotline's own sheets use its numbers); on every other channel, shared by several systems
# (公安, 法院, 市场监管 … all push as 部门推送), the number is stored as "<source code>:<number>" so that two
# departments' order 1001 are two cases.
UNPREFIXED_CHANNELS = frozenset({Channel.HOTLINE_12345})
SOURCE_CODE = RegexValidator(r"^[a-z0-9_]{2,16}$", _("Use 2–16 lower-case letters, digits or underscores."))


class Source(TimeStampedModel):
    """An external system allowed to send us orders, with its own key, channel, office and rate limit.

    Its orders are registered by `service_user`, a user created with the source (no password, so it cannot log in)
    holding the dispatcher role in `office`: the case events name the system, and the case services' own rules
    (a dispatcher registers anywhere in his office) decide where it may register.
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("short code"),
        max_length=16,
        unique=True,
        validators=[SOURCE_CODE],
        help_text=_("Prefixes the upstream numbers of this system on a shared channel, e.g. “police”."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    office = models.ForeignKey(
        "places.Place",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "subdistrict"},
        help_text=_("Its orders go to this office unless their point lies in one of its grids."),
    )
    service_user = models.OneToOneField(
        USER, verbose_name=_("service user"), on_delete=models.PROTECT, related_name="integration_source"
    )
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    # HMAC-SHA256 (jiedao.core.crypto.keyed_hash) of the whole key: the key itself is shown once and never stored.
    key_hash = models.CharField(max_length=64, editable=False)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=60, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("order source")
        verbose_name_plural = _("order sources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(rate_limit_per_minute__gte=1), name="source_rate_limit_positive")
        ]

    def __str__(self) -> str:
        return self.name

    def case_upstream_number(self, number: str) -> str:
        """The upstream number as stored on the case: prefixed with the code unless the channel is its own."""
        return number if self.channel in UNPREFIXED_CHANNELS else f"{self.code}:{number}"


class SourceOrder(models.Model):
    """An order a source pushed, and the case it became: what the source may read back."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="orders")
    upstream_number = models.CharField(_("upstream number"), max_length=40)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pushed order")
        verbose_name_plural = _("pushed orders")
        constraints = [models.UniqueConstraint(fields=["source", "upstream_number"], name="source_order_unique_number")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.upstream_number}"


class IdempotencyRecord(models.Model):
    """The response given to one (source, Idempotency-Key): the same key and body get it again."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.key}"


class WebhookSubscription(TimeStampedModel):
    """Someone outside who wants to hear about state changes of the cases of one office."""

    name = models.CharField(_("name"), max_length=100)
    target_url = models.URLField(
        _("target URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"]), validate_target_url],
        help_text=_("HTTPS in production."),
    )
    # Encrypted at rest: we need it back to sign every payload.
    secret = EncryptedCharField(_("signing secret"))
    office = models.ForeignKey(
        "places.Place",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "subdistrict"},
    )
    actions = models.JSONField(
        _("actions"), default=list, blank=True, help_text=_("Case actions to send; empty: every state change.")
    )
    states = models.JSONField(
        _("states"), default=list, blank=True, help_text=_("States entered to send; empty: any state.")
    )
    active = models.BooleanField(_("active"), default=True, db_index=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(TimeStampedModel):
    """One payload for one subscription: both the log and the queue of the sender (status + next attempt)."""

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    case_event = models.ForeignKey(
        "cases.CaseEvent", verbose_name=_("case event"), on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the sender may take it next; while sending, when its claim lapses (a worker that died mid-way).
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_response = models.TextField(_("last response (excerpt)"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "case_event"], name="webhook_delivery_once_per_event"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.subscription_id} · {self.case_event_id} · {self.status}"
