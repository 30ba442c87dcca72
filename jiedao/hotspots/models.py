"""Snapshots of the hot spots (热点) of one office and week, and the cases behind each.

A snapshot is derived data: jiedao.hotspots.services.hotspots_refresh replaces an office's week as a whole, so the
rows are what the clustering of that moment found; `computed_at` says when.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiedao.hotspots.weeks import Trend


class HotSpotWeek(models.Model):
    """That an office's week was computed, when, and over how many cases (also when no hot spot was found)."""

    office = models.ForeignKey("places.Place", verbose_name=_("office"), on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(_("week"))
    computed_at = models.DateTimeField(_("computed at"))
    cases = models.PositiveIntegerField(_("cases read"))

    class Meta:
        verbose_name = _("hot spot week")
        verbose_name_plural = _("hot spot weeks")
        ordering = ["office", "-week_start"]
        constraints = [models.UniqueConstraint(fields=["office", "week_start"], name="hotspot_week_unique")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.week_start}"


class HotSpot(models.Model):
    office = models.ForeignKey("places.Place", verbose_name=_("office"), on_delete=models.CASCADE, related_name="+")
    # The Monday (Asia/Shanghai) of the reference week.
    week_start = models.DateField(_("week"))
    # Order in the snapshot: rising first, then by this week's increase, this week's count and size.
    rank = models.PositiveSmallIntegerField(_("rank"))
    label = models.CharField(_("label"), max_length=100)
    keywords = models.JSONField(_("key words"), default=list)
    size = models.PositiveIntegerField(_("cases in the five weeks"))
    this_week = models.PositiveIntegerField(_("cases this week"))
    # Five weekly counts, oldest first; the last is the reference week's.
    weekly = models.JSONField(_("weekly counts"), default=list)
    baseline = models.DecimalField(_("weekly mean of the four weeks before"), max_digits=8, decimal_places=2)
    difference = models.DecimalField(_("difference"), max_digits=8, decimal_places=2)
    ratio = models.DecimalField(_("ratio"), max_digits=8, decimal_places=2, null=True, blank=True)
    trend = models.CharField(_("trend"), max_length=8, choices=Trend.choices)
    # {"communities": [{"id", "name", "count"}…], "grids": [{"id", "name", "community", "count"}…]}, most first.
    places = models.JSONField(_("places"), default=dict)
    category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("dominant category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("computed at"))
    cases = models.ManyToManyField("cases.Case", through="HotSpotCase", related_name="+")

    class Meta:
        verbose_name = _("hot spot")
        verbose_name_plural = _("hot spots")
        ordering = ["office", "-week_start", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["office", "week_start", "rank"], name="hotspot_rank_unique_in_week"),
            models.CheckConstraint(condition=Q(trend__in=Trend.values), name="hotspot_trend_valid"),
            models.CheckConstraint(condition=Q(this_week__lte=models.F("size")), name="hotspot_this_week_in_size"),
        ]

    def __str__(self) -> str:
        return f"{self.week_start} {self.label}"


class HotSpotCase(models.Model):
    hotspot = models.ForeignKey(HotSpot, on_delete=models.CASCADE, related_name="memberships")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    this_week = models.BooleanField(_("received this week"), default=False)

    class Meta:
        verbose_name = _("case of a hot spot")
        verbose_name_plural = _("cases of hot spots")
        constraints = [models.UniqueConstraint(fields=["hotspot", "case"], name="hotspot_case_unique")]

    def __str__(self) -> str:
        return f"{self.hotspot_id} ← {self.case_id}"
