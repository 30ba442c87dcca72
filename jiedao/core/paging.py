"""A paginator for lists that may hold a million rows: it counts at most `cap` of them."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts up to `cap` rows (without their ordering, so the database stops early); `capped` says whether
    there are more. The pages beyond the cap are not offered: filters narrow a list that long."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, cap: int = 10_000) -> None:
        super().__init__(object_list, per_page)
        self.rows = object_list
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        counted = self.rows.order_by().values("pk")[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)
