"""Column presets for the platforms' exports, and the record of every import run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiedao.cases.choices import RequestType, Urgency
from jiedao.core.models import TimeStampedModel
from jiedao.upstream.choices import FINISHED_STATES, RunState
from jiedao.upstream.columns import FIELD_BY_NAME, REQUIRED, header_key


class ColumnPreset(TimeStampedModel):
    """How one platform's export names its columns and writes its dates."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        help_text=_('Our field name → the list of header spellings it accepts, e.g. {"title": ["标题", "诉求标题"]}.'),
    )
    date_formats = models.JSONField(
        _("date formats"),
        default=list,
        blank=True,
        help_text=_('strftime patterns tried first, e.g. ["%Y/%m/%d %H:%M:%S"]; then the usual ones are tried.'),
    )
    default_request_type = models.CharField(
        _("request type when the file gives none"), max_length=16, choices=RequestType.choices, default=RequestType.HELP
    )
    default_urgency = models.CharField(
        _("urgency when the file gives none"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    is_default = models.BooleanField(_("default preset"), default=False)

    class Meta:
        verbose_name = _("column preset")
        verbose_name_plural = _("column presets")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_preset")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = mapping_errors(self.mapping)
        if errors:
            raise ValidationError({"mapping": errors})
        errors = date_format_errors(self.date_formats)
        if errors:
            raise ValidationError({"date_formats": errors})


def mapping_errors(mapping: Any) -> list[str]:
    """What is wrong with a mapping (unknown fields, non-text spellings, a header claimed twice, a required field
    without spellings); empty when it is usable."""
    if not isinstance(mapping, dict):
        return [str(_("The mapping must be an object of field name → list of headers."))]
    errors: list[str] = []
    claimed: dict[str, str] = {}
    for name, spellings in mapping.items():
        if name not in FIELD_BY_NAME:
            known = ", ".join(FIELD_BY_NAME)
            errors.append(
                str(_("Unknown field “%(name)s”; the fields are %(known)s.") % {"name": name, "known": known})
            )
            continue
        if not isinstance(spellings, list) or not all(isinstance(s, str) and s.strip() for s in spellings):
            errors.append(str(_("“%(name)s” needs a list of header texts.") % {"name": name}))
            continue
        for spelling in spellings:
            key = header_key(spelling)
            if claimed.get(key, name) != name:
                errors.append(
                    str(
                        _("The header “%(h)s” is given to both “%(a)s” and “%(b)s”.")
                        % {"h": spelling, "a": claimed[key], "b": name}
                    )
                )
            claimed[key] = name
    for name in REQUIRED:
        if not mapping.get(name):
            errors.append(str(_("The field “%(name)s” is required and needs at least one header.") % {"name": name}))
    return errors


def date_format_errors(formats: Any) -> list[str]:
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        return [str(_("The date formats must be a list of texts."))]
    sample = dt.datetime(2024, 5, 6, 7, 8, 9)
    errors = []
    for pattern in formats:
        try:
            ok = "%" in pattern and dt.datetime.strptime(sample.strftime(pattern), pattern).year == 2024
        except ValueError:
            ok = False
        if not ok:
            errors.append(str(_("“%(p)s” is not a usable date format.") % {"p": pattern}))
    return errors


class ImportRun(models.Model):
    """One file imported (or refused): who, when, which file and preset, how far, what it did or why not."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    # The uploaded file while it waits for the worker; deleted when the run ends (it holds personal data).
    source = models.FileField(upload_to="upstream/imports/", max_length=200, blank=True)
    preset = models.ForeignKey(
        ColumnPreset, verbose_name=_("preset"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preset_name = models.CharField(_("preset"), max_length=100, blank=True)
    office = models.ForeignKey(
        "places.Place", verbose_name=_("office"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The importer's office (or district) prefix, so "the runs of my office" is one prefix match.
    scope_code = models.CharField(max_length=15, db_index=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=RunState.choices, default=RunState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    # Rows identical to an earlier row of the same file, collapsed into it.
    duplicates = models.PositiveIntegerField(_("duplicate rows"), default=0)
    # Rows whose differences are in fields the upstream may no longer change (the case is past registration).
    kept = models.PositiveIntegerField(_("changes not applied"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)  # [[row, column, message], …]
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        verbose_name = _("12345 import")
        verbose_name_plural = _("12345 imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_run_progress_at_most_100"),
            models.CheckConstraint(condition=Q(state__in=RunState.values), name="import_run_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES
