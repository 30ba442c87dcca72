from django.db import models
from django.utils.translation import gettext_lazy as _


class LimitUnit(models.TextChoices):
    """The currency a time limit is counted in (DOMAIN.md §2: 工作日, 工作时 or hours)."""

    WORKING_DAYS = "working_days", _("Working days")
    WORKING_HOURS = "working_hours", _("Working hours")
    HOURS = "hours", _("Hours")
