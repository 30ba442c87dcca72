"""承办单位: the office's own departments and the outside units that handle cases."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiedao.core.models import TimeStampedModel
from jiedao.places.choices import Level
from jiedao.units.choices import Sector, UnitKind
from jiedao.units.querysets import UnitQuerySet


class Unit(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    # The office (or district) the unit belongs to or works with; its scope for visibility.
    office = models.ForeignKey(
        "places.Place",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="units",
        limit_choices_to={"level__in": [Level.DISTRICT, Level.SUBDISTRICT]},
    )
    serves = models.ManyToManyField(
        "places.Place",
        verbose_name=_("places served"),
        related_name="serving_units",
        blank=True,
        help_text=_("The communities or grids this unit handles cases for; empty means the whole office."),
    )
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["office__code", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="unit_name_unique_in_office")]

    def __str__(self) -> str:
        return self.short_name or self.name

    def served_prefixes(self) -> list[str]:
        """The place prefixes this unit covers: the places it serves, or its whole office when none."""
        served = [p.prefix for p in self.serves.all()]
        return served or [self.office.prefix]
