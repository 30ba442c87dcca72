"""The configurable 3-level case category tree (一级/二级/三级分类)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from jiedao.categories.choices import CODE_DIGITS, NAME_MAX, Level
from jiedao.categories.pinyin import full_pinyin, pinyin_initials
from jiedao.core.models import TimeStampedModel

PATH_SEPARATOR = " › "


class Category(TimeStampedModel):
    """One node of the tree. `code` is hierarchical (2 digits per level) and assigned by the services."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    code = models.CharField(_("code"), max_length=CODE_DIGITS * len(Level), unique=True)
    pinyin_initials = models.CharField(_("pinyin initials"), max_length=NAME_MAX, blank=True, editable=False)
    full_pinyin = models.CharField(_("full pinyin"), max_length=6 * NAME_MAX, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3), name="category_level_valid"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, level=Level.FIRST)
                | models.Q(parent__isnull=False, level__gt=Level.FIRST),
                name="category_parent_matches_level",
            ),
            models.CheckConstraint(
                condition=models.Q(Exact(Length("code"), models.F("level") * CODE_DIGITS)),
                name="category_code_length_matches_level",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_unique_in_parent"),
            # NULL parents never collide in a unique index: level-1 names need their own constraint.
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="category_root_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def path_names(self) -> list[str]:
        """The names from the root down to this node (select_related("parent__parent") saves the queries)."""
        names: list[str] = []
        node: Category | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return names[::-1]

    @property
    def path(self) -> str:
        """ "城乡建设 › 住房保障与房地产 › 保障性住房"."""
        return PATH_SEPARATOR.join(self.path_names)

    def set_pinyin(self) -> None:
        """Recompute the search keys from the name."""
        self.pinyin_initials = pinyin_initials(self.name)
        self.full_pinyin = full_pinyin(self.name)

    def clean(self) -> None:
        expected = Level.FIRST if self.parent is None else self.parent.level + 1
        if expected > len(Level):
            raise ValidationError({"parent": _("A level-3 category cannot have children.")})
        # The level is set by the services; a form may check a node before it has one.
        if self.level is not None and self.level != expected:
            raise ValidationError({"parent": _("The parent must be a category of the level just above.")})
        if self.parent is not None and self.code and not self.code.startswith(self.parent.code):
            raise ValidationError({"code": _("The code must start with the parent's code.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived, not a rule: the search keys are a function of the name.
        self.set_pinyin()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "pinyin_initials", "full_pinyin"}
        super().save(*args, **kwargs)
