"""Who sees the integrations: administrators of the office a source or subscription belongs to."""

from __future__ import annotations

from typing import Any

from django.db import models

from jiedao.accounts.choices import Role
from jiedao.core.scope import q_code_within, scope_of


class OfficeOwnedQuerySet(models.QuerySet[Any]):
    office_path = "office"

    def visible_to(self, user: Any) -> OfficeOwnedQuerySet:
        """Rows of the offices the user administers (superusers: all). Keys and secrets are for administrators."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(q_code_within(f"{self.office_path}__prefix", scope.prefixes_for(Role.ADMIN)))


class DeliveryQuerySet(OfficeOwnedQuerySet):
    office_path = "subscription__office"
