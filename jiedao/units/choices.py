from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Office department")
    EXTERNAL = "external", _("Outside unit")


class Sector(models.TextChoices):
    GOVERNANCE = "governance", _("Comprehensive governance")
    GENERAL = "general", _("General office")
    URBAN = "urban", _("Urban management")
    SAFETY = "safety", _("Work safety and emergency")
    CIVIL = "civil", _("Civil affairs")
    SOCIAL_SECURITY = "social_security", _("Social security")
    CONSTRUCTION = "construction", _("Construction")
    JUSTICE = "justice", _("Justice")
    HEALTH = "health", _("Health")
    POLICE = "police", _("Police")
    MARKET = "market", _("Market supervision")
    WATER = "water", _("Water supply")
    POWER = "power", _("Power supply")
    GAS = "gas", _("Gas supply")
    PROPERTY = "property", _("Property management")
    OTHER = "other", _("Other")
