from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    FIRST = 1, _("Level 1")
    SECOND = 2, _("Level 2")
    THIRD = 3, _("Level 3")


# Digits each level adds to the code: "01" → "0103" → "010305", so at most 99 children per parent.
CODE_DIGITS = 2
MAX_CHILDREN = 10**CODE_DIGITS - 1
NAME_MAX = 50
