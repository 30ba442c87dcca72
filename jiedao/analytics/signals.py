"""Keep the KPI rollups honest: a saved case marks the days it counts on stale (jiedao.analytics.rollups)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from jiedao.analytics.rollups import mark_stale
from jiedao.cases.models import Case


@receiver(post_save, sender=Case, dispatch_uid="analytics_rollups_mark_stale")
def case_saved(sender: type[Case], instance: Case, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    mark_stale(None if created else instance.loaded_values, instance)
    if instance.pk is not None:
        # The next save of this same object compares with what this one wrote.
        fields = Case._meta.concrete_fields
        instance.loaded_values = {field.attname: getattr(instance, field.attname) for field in fields}
