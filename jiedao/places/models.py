"""The org tree (区县 → 街道 → 社区/村 → 网格) and the buildings, entrances and houses in the grids."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiedao.core.models import TimeStampedModel
from jiedao.places import codes
from jiedao.places.choices import KINDS_BY_LEVEL, PARENT_LEVEL, HouseUse, Level, PlaceKind
from jiedao.places.querysets import BuildingQuerySet, EntranceQuerySet, HouseQuerySet, PlaceQuerySet


class Place(TimeStampedModel):
    """One node of the org tree. `prefix` is the significant part of `code`: its subtree shares it."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(_("type"), max_length=16, choices=PlaceKind.choices)
    code = models.CharField(_("code"), max_length=15, unique=True)
    prefix = models.CharField(_("scope prefix"), max_length=15, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # GeoJSON geometry (Polygon or MultiPolygon) in WGS-84 longitude/latitude.
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    dedicated_to = models.CharField(
        _("dedicated to"), max_length=100, blank=True, help_text=_("For a dedicated grid: the school, park, …")
    )
    address = models.CharField(_("office address"), max_length=200, blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=Level.values), name="place_level_valid"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, level=Level.DISTRICT)
                | (models.Q(parent__isnull=False) & ~models.Q(level=Level.DISTRICT)),
                name="place_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind and self.kind not in KINDS_BY_LEVEL.get(self.level, ()):
            raise ValidationError({"kind": _("This type does not belong to this level.")})
        parent_level = PARENT_LEVEL.get(self.level)
        if parent_level is not None and self.parent is not None and self.parent.level != parent_level:
            raise ValidationError({"parent": _("The parent must be a place of the level just above.")})
        try:
            codes.validate_code(self.code, self.level, self.kind, self.parent.code if self.parent is not None else None)
        except codes.CodeError as exc:
            raise ValidationError({"code": str(exc)}) from None

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived, not a rule: the prefix is a function of code and level.
        self.prefix = codes.prefix_of(self.code, self.level)
        super().save(*args, **kwargs)

    @property
    def path_names(self) -> list[str]:
        names: list[str] = []
        node: Place | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return list(reversed(names))


class Building(TimeStampedModel):
    """楼栋: a building in a grid."""

    grid = models.ForeignKey(
        Place,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="buildings",
        limit_choices_to={"level": Level.GRID},
    )
    scope_code = models.CharField(_("scope code"), max_length=15, db_index=True, editable=False)
    number = models.CharField(_("building number"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    lng = models.DecimalField(_("longitude"), max_digits=10, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=6, null=True, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)

    objects = BuildingQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["scope_code", "number"]
        constraints = [models.UniqueConstraint(fields=["grid", "number"], name="building_number_unique_in_grid")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.scope_code = self.grid.code
        super().save(*args, **kwargs)


class Entrance(TimeStampedModel):
    """单元: an entrance (stairwell) of a building."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="entrances"
    )
    number = models.PositiveSmallIntegerField(_("entrance number"))

    objects = EntranceQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrance")
        verbose_name_plural = _("entrances")
        ordering = ["building", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="entrance_unique_in_building")]

    def __str__(self) -> str:
        return f"{self.building.name} {self.number}单元"


class House(TimeStampedModel):
    """房屋/户: one dwelling (实有房屋)."""

    entrance = models.ForeignKey(Entrance, verbose_name=_("entrance"), on_delete=models.CASCADE, related_name="houses")
    scope_code = models.CharField(_("scope code"), max_length=15, db_index=True, editable=False)
    number = models.CharField(_("room number"), max_length=20)
    floor = models.SmallIntegerField(_("floor"))
    area = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    use = models.CharField(_("use"), max_length=16, choices=HouseUse.choices, default=HouseUse.OWN)

    objects = HouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["scope_code", "entrance", "number"]
        constraints = [models.UniqueConstraint(fields=["entrance", "number"], name="house_unique_in_entrance")]

    def __str__(self) -> str:
        return f"{self.entrance} {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.scope_code = self.entrance.building.scope_code
        super().save(*args, **kwargs)
