"""Chainable filters on cases; visible_to() is the one visibility rule."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from jiedao.cases.choices import State
from jiedao.core.scope import q_code_within, scope_of

if TYPE_CHECKING:
    from jiedao.cases.models import Case  # noqa: F401

OPEN = [
    State.REGISTERED,
    State.ACCEPTED,
    State.DISPATCHED,
    State.RETURNED,
    State.HANDLING,
    State.REPLIED,
    State.CALLBACK,
    State.SUSPENDED,
]


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Any) -> CaseQuerySet:
        """Cases in the user's places, and cases ever dispatched to his units."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        condition = q_code_within("scope_code", scope.place_prefixes)
        if scope.unit_ids:
            from jiedao.cases.models import Dispatch

            dispatched = Dispatch.objects.filter(unit_id__in=sorted(scope.unit_ids)).values("case_id")
            condition |= Q(pk__in=dispatched)
        return self.filter(condition)

    def open(self) -> CaseQuerySet:
        return self.filter(state__in=OPEN)

    def overdue(self, now: dt.datetime) -> CaseQuerySet:
        """Open cases whose finishing deadline has passed (suspended ones have no running clock)."""
        return self.open().exclude(state=State.SUSPENDED).filter(finish_deadline__lt=now)
