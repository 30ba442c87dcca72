"""Writes on the calendar tables; each refreshes this process's cached calendar after commit."""

from __future__ import annotations

from django.db import transaction

from jiedao.workdays import calendar
from jiedao.workdays.models import DayOverride, WorkPeriod


@transaction.atomic
def work_period_save(*, period: WorkPeriod) -> WorkPeriod:
    """Validate and save an office period; raise ValidationError when it is empty or overlaps another.

    Locks every period row first, so two concurrent saves cannot each miss the other's overlap.
    """
    list(WorkPeriod.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    period.full_clean()
    period.save()
    transaction.on_commit(calendar.invalidate)
    return period


@transaction.atomic
def work_period_delete(*, period: WorkPeriod) -> None:
    """Delete an office period (with none left, the calendar uses the default 08:30–12:00, 13:30–17:30)."""
    period.delete()
    transaction.on_commit(calendar.invalidate)


@transaction.atomic
def day_override_save(*, override: DayOverride) -> DayOverride:
    """Validate and save a day override; raise ValidationError when the date already has one."""
    override.full_clean()
    override.save()
    transaction.on_commit(calendar.invalidate)
    return override


@transaction.atomic
def day_override_delete(*, override: DayOverride) -> None:
    """Delete a day override: the day follows the package (or Monday–Friday) again."""
    override.delete()
    transaction.on_commit(calendar.invalidate)
