from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Sub-district office")
    COMMUNITY = "community", _("Community or village")
    GRID = "grid", _("Grid")


class PlaceKind(models.TextChoices):
    DISTRICT = "district", _("District or county")
    SUBDISTRICT = "subdistrict", _("Sub-district")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    COMPREHENSIVE = "comprehensive", _("Comprehensive grid")
    DEDICATED = "dedicated", _("Dedicated grid")


# Which kinds each level admits; the first is the default.
KINDS_BY_LEVEL: dict[str, tuple[str, ...]] = {
    Level.DISTRICT: (PlaceKind.DISTRICT,),
    Level.SUBDISTRICT: (PlaceKind.SUBDISTRICT,),
    Level.COMMUNITY: (PlaceKind.COMMUNITY, PlaceKind.VILLAGE),
    Level.GRID: (PlaceKind.COMPREHENSIVE, PlaceKind.DEDICATED),
}

PARENT_LEVEL: dict[str, str | None] = {
    Level.DISTRICT: None,
    Level.SUBDISTRICT: Level.DISTRICT,
    Level.COMMUNITY: Level.SUBDISTRICT,
    Level.GRID: Level.COMMUNITY,
}


class HouseUse(models.TextChoices):
    OWN = "own", _("Own use")
    RENTED = "rented", _("Rented")
    VACANT = "vacant", _("Vacant")
    BUSINESS = "business", _("Business")
