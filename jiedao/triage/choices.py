from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a model proposes. A category model learns one level of the tree."""

    CATEGORY_1 = "category_1", _("Level-1 category")
    CATEGORY_2 = "category_2", _("Level-2 category")
    CATEGORY_3 = "category_3", _("Level-3 category")
    UNIT = "unit", _("Handling unit")

    @classmethod
    def category_level(cls, kind: str) -> int | None:
        return int(kind[-1]) if kind.startswith("category_") else None


CATEGORY_KINDS = (Kind.CATEGORY_3, Kind.CATEGORY_2, Kind.CATEGORY_1)  # the most precise first


class ModelStatus(models.TextChoices):
    CURRENT = "current", _("In use")
    RETIRED = "retired", _("Replaced")
    REJECTED = "rejected", _("Not admitted")
