"""The kinds of report, the formats they are written in and the state of a report being generated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly review")
    MONTHLY = "monthly", _("Monthly analysis")
    QUARTERLY = "quarterly", _("Quarterly analysis")
    ANNUAL = "annual", _("Annual statistics")


class Format(models.TextChoices):
    DOCX = "docx", _("Word (.docx)")
    XLSX = "xlsx", _("Excel (.xlsx)")
    HTML = "html", _("Print page (.html)")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Done")
    FAILED = "failed", _("Generation failed")


CONTENT_TYPES = {
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.HTML: "text/html; charset=utf-8",
}
