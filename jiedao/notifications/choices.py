"""The kinds of notification, the warning rules, the state of an outbound delivery and the resident messages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about; stored as a slug so other apps may add their own kinds."""

    DISPATCHED = "case_dispatched", _("Case dispatched")
    RETURNED = "case_returned", _("Case returned")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    SUPERVISED = "case_supervised", _("Supervision notice")
    ESCALATED = "case_escalated", _("Case escalated")
    YELLOW = "warning_yellow", _("Due soon")
    RED = "warning_red", _("Overdue")
    UNSIGNED = "warning_unsigned", _("Not signed for")
    SILENT = "warning_silent", _("No progress")
    DISSATISFIED = "warning_dissatisfied", _("Dissatisfied again")


class WarningKind(models.TextChoices):
    """The rules of the periodic warning job (DOMAIN.md §2, local practice)."""

    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")
    UNSIGNED = "unsigned", _("Not signed for")
    SILENT = "silent", _("No progress")
    DISSATISFIED = "dissatisfied", _("Dissatisfied again")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ResidentKind(models.TextChoices):
    """What a short message to a resident's phone is about (DOMAIN.md §2: the resident is told of an extension)."""

    EXTENSION_APPROVED = "extension_approved", _("Extension approved")


# The in-app centre: every notification is shown there; the other channel names are outbound.
INAPP = "inapp"
