"""A report asked for (by a person or by the schedule), its progress while the worker writes it, and its files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiedao.reports.choices import Format, ReportKind, Status


class Report(models.Model):
    kind = models.CharField(_("kind of report"), max_length=16, choices=ReportKind.choices)
    period_name = models.CharField(_("period"), max_length=10)  # 2026-W47, 2026-11, 2026-Q3, 2026
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    # The place's scope prefix, copied so "reports of my office" is one indexed prefix match.
    scope_code = models.CharField(max_length=15, db_index=True, editable=False)
    formats = models.JSONField(_("formats"), default=list)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Format → file name in the default storage (under MEDIA_ROOT/reports/).
    files = models.JSONField(_("files"), default=dict, blank=True)
    comments = models.TextField(_("the office's comments"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scheduled = models.BooleanField(_("scheduled"), default=False)
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scope_code", "created_at"], name="report_scope_created")]
        constraints = [
            # The schedule writes one report per kind, place and period, however often its task runs.
            models.UniqueConstraint(
                fields=["kind", "place", "period_start"], condition=Q(scheduled=True), name="report_scheduled_once"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="report_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=ReportKind.values), name="report_kind_valid"),
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="report_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_name}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED)

    def format_list(self) -> list[str]:
        return [f for f in Format.values if f in self.formats]
