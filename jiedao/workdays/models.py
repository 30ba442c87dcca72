"""The editable parts of the working-day calendar: day overrides and the office hours.

The statutory schedule itself comes from the `chinesecalendar` package; these tables add what it does not
know yet (next year's schedule, published each November/December) and local exceptions. Write through
jiedao.workdays.services so every process's cached calendar is refreshed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiedao.core.models import TimeStampedModel


class DayOverride(TimeStampedModel):
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked: a working day (e.g. a make-up working weekend). Unticked: a day off (e.g. a holiday)."),
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("For example 春节 or 国庆节调休上班."))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("day override")
        verbose_name_plural = _("day overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"


class WorkPeriod(TimeStampedModel):
    """One span of office hours, the same on every working day (default 08:30–12:00 and 13:30–17:30)."""

    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("office period")
        verbose_name_plural = _("office periods")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(start__lt=F("end")), name="workperiod_start_before_end")]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        # A form that failed on a field leaves it None here (the stubs say it never is).
        start, end = getattr(self, "start", None), getattr(self, "end", None)
        if start is None or end is None:
            return
        if start >= end:
            # Periods end on the day they start; an end at midnight would be 00:00, before the start.
            raise ValidationError({"end": _("The end must be after the start, on the same day.")})
        clash = WorkPeriod.objects.exclude(pk=self.pk).filter(start__lt=end, end__gt=start).first()
        if clash is not None:
            raise ValidationError(_("This period overlaps %(other)s.") % {"other": clash}, code="overlap")
