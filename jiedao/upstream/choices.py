"""The states of an import run."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    INVALID = "invalid", _("Refused: the file has errors")
    FAILED = "failed", _("Failed")


FINISHED_STATES = frozenset({RunState.DONE, RunState.INVALID, RunState.FAILED})
