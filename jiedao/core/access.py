"""The one way to fetch an object for a user: missing and forbidden give the same 404."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_visible(queryset: QuerySet[M], pk: int) -> M:
    """Return the object with `pk` from an already scoped queryset; raise Http404 when it is not there."""
    try:
        return queryset.get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None
