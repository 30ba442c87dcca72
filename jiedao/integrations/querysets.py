"""Who sees the integrations: administrators of the office a source or subscription belongs to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from jiedao.accounts.choices import Role
from jiedao.core.scope import q_code_within, scope_of

if TYPE_CHECKING:
    from jiedao.integrations.models import Source, WebhookDelivery, WebhookSubscription  # noqa: F401


def _administered(user: Any, office_path: str) -> Q | None:
    """Rows of the offices the user administers; None for superusers (all). Keys and secrets are for
    administrators."""
    scope = scope_of(user)
    if scope.everything:
        return None
    return q_code_within(f"{office_path}__prefix", scope.prefixes_for(Role.ADMIN))


class SourceQuerySet(models.QuerySet["Source"]):
    def visible_to(self, user: Any) -> SourceQuerySet:
        condition = _administered(user, "office")
        return self.all() if condition is None else self.filter(condition)


class SubscriptionQuerySet(models.QuerySet["WebhookSubscription"]):
    def visible_to(self, user: Any) -> SubscriptionQuerySet:
        condition = _administered(user, "office")
        return self.all() if condition is None else self.filter(condition)


class DeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def visible_to(self, user: Any) -> DeliveryQuerySet:
        condition = _administered(user, "subscription__office")
        return self.all() if condition is None else self.filter(condition)
