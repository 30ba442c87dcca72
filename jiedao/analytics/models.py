"""Daily rollups of the KPI counts (jiedao.analytics.rollups keeps them; the dashboard reads them).

A DailyCount row holds, for one day (Asia/Shanghai) and one place, the counts of every set of
terms.anchored_conditions whose anchor falls on that day: in the "all" breakdown per case scope (grid, or the
community or office of a case without a grid), in the others per office and in all ("office") or per main unit,
channel, request type or level-2 category (the last three count the cases received only). A StaleDay row says a
day's rows no longer match the cases (a case with an anchor on that day changed); the dashboard counts such days
live until the worker has recomputed them. A MonthlyCount row is the sum of a month's DailyCount rows of one group,
kept in the same transaction as they are, so a year reads twelve rows per group (months with a stale day are read
by day).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Breakdown(models.TextChoices):
    ALL = "all", _("All cases, per scope")
    OFFICE = "office", _("All cases, per office")
    UNIT = "unit", _("Main unit")
    CHANNEL = "channel", _("Channel")
    REQUEST_TYPE = "type", _("Request type")
    CATEGORY = "category", _("Category (level 2)")


# The counted sets, as in terms.anchored_conditions, plus the cases received and the handling time of the closed.
COUNT_FIELDS = (
    "received",
    "accepted",
    "answered",
    "not_accepted",
    "dispatched_scored",
    "responded",
    "dispatched",
    "returned",
    "extended",
    "called_back",
    "resolved",
    "result_satisfied",
    "result_basically",
    "process_satisfied",
    "process_basically",
    "closed_handled",
    "reworked",
    "due_in_period",
    "on_time_in_period",
    "settled",
)


class Counts(models.Model):
    """The group and the counts of a DailyCount or MonthlyCount row."""

    breakdown = models.CharField(max_length=8, choices=Breakdown.choices)
    scope_code = models.CharField(max_length=24)
    key = models.CharField(max_length=32, blank=True, default="")
    community_id = models.IntegerField(null=True, blank=True)
    grid_id = models.IntegerField(null=True, blank=True)
    received = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    not_accepted = models.IntegerField(default=0)
    dispatched_scored = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    extended = models.IntegerField(default=0)
    called_back = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    result_satisfied = models.IntegerField(default=0)
    result_basically = models.IntegerField(default=0)
    process_satisfied = models.IntegerField(default=0)
    process_basically = models.IntegerField(default=0)
    closed_handled = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    # Σ (closed_at − received_at) of the closed_handled cases, in microseconds.
    handling_us = models.BigIntegerField(default=0)
    due_in_period = models.IntegerField(default=0)
    on_time_in_period = models.IntegerField(default=0)
    # Scored cases closed with a deadline, counted on the later of the two: Σ (due_in_period − settled) over the days
    # before a moment is the number of cases overdue and still open at that moment.
    settled = models.IntegerField(default=0)

    class Meta:
        abstract = True


# What identifies a row's group besides its day or month.
GROUP_FIELDS = ("breakdown", "scope_code", "key", "community_id", "grid_id")


class DailyCount(Counts):
    day = models.DateField()

    class Meta:
        verbose_name = _("daily KPI count")
        verbose_name_plural = _("daily KPI counts")
        indexes = [models.Index(fields=["breakdown", "day", "scope_code"], name="dailycount_lookup")]

    def __str__(self) -> str:
        return f"{self.day} {self.breakdown} {self.scope_code} {self.key}"


class MonthlyCount(Counts):
    month = models.DateField(help_text=_("The first day of the month."))

    class Meta:
        verbose_name = _("monthly KPI count")
        verbose_name_plural = _("monthly KPI counts")
        indexes = [models.Index(fields=["breakdown", "month", "scope_code"], name="monthlycount_lookup")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.breakdown} {self.scope_code} {self.key}"


class LateClosure(models.Model):
    """Scored cases closed on `closed_day` after a deadline on an earlier `deadline_day`, per breakdown and place:
    the cases a period's "due" counts as overdue from before the period but closed within it."""

    closed_day = models.DateField()
    deadline_day = models.DateField()
    breakdown = models.CharField(max_length=8, choices=Breakdown.choices)
    scope_code = models.CharField(max_length=24)
    key = models.CharField(max_length=32, blank=True, default="")
    community_id = models.IntegerField(null=True, blank=True)
    grid_id = models.IntegerField(null=True, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("late closure count")
        verbose_name_plural = _("late closure counts")
        indexes = [
            models.Index(fields=["breakdown", "closed_day", "scope_code"], name="lateclosure_lookup"),
            models.Index(fields=["breakdown", "deadline_day"], name="lateclosure_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.closed_day} {self.deadline_day} {self.breakdown} {self.scope_code} {self.key}"


class StaleDay(models.Model):
    """A day whose rollup rows a case change made stale. Rows repeat freely; the refresh deletes those it handled."""

    day = models.DateField(db_index=True)

    class Meta:
        verbose_name = _("stale rollup day")
        verbose_name_plural = _("stale rollup days")

    def __str__(self) -> str:
        return str(self.day)


class RollupState(models.Model):
    """One row: when the rollups were last rebuilt or refreshed, and the first day they cover."""

    built_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    first_day = models.DateField(null=True, blank=True)
    # Days before this one are in DailyCount (or had no case); this day and later are counted live.
    covered_until = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup state")

    def __str__(self) -> str:
        return f"rollups until {self.covered_until}"
