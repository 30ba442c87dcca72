from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from jiedao.core.scope import ancestor_prefixes, q_code_within, scope_of

if TYPE_CHECKING:
    from jiedao.units.models import Unit  # noqa: F401


class UnitQuerySet(models.QuerySet["Unit"]):
    def visible_to(self, user: Any) -> UnitQuerySet:
        """Units of the offices the user works in (and of their district), and the units he works for."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        above = sorted({a for p in scope.office_prefixes for a in ancestor_prefixes(p)})
        return self.filter(
            q_code_within("office__prefix", scope.office_prefixes)
            | Q(office__prefix__in=above)
            | Q(pk__in=sorted(scope.unit_ids))
        )

    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)
