"""The vocabulary of the integrations: kinds of upstream systems, webhook delivery states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    HOTLINE_12345 = "12345", _("12345 hotline")
    POLICE = "police", _("Public security (公安)")
    COURT = "court", _("Court (法院)")
    MARKET = "market", _("Market supervision (市场监管)")
    LAW_ENFORCEMENT = "law_enforcement", _("Comprehensive law enforcement (综合执法)")
    OPEN311 = "open311", _("Open311 client")
    OTHER = "other", _("Other system")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for its first attempt")
    SENDING = "sending", _("Being sent")
    RETRYING = "retrying", _("Failed, will be retried")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")
