"""An in-memory snapshot of the category tree, per process, for type-ahead search and the picker.

The tree is small (about 650 nodes) and read on every keystroke of a dispatcher, so searching it is a scan of
precomputed keys in memory, with no query. The snapshot is rebuilt when categories change: the services call
`categories_changed()`, which drops it at once and again after commit; other processes notice within
REFRESH_SECONDS through a cheap fingerprint query (count and latest `updated_at`). Writes that bypass
`save()` (queryset.update) must set `updated_at` for other processes to notice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max

from jiedao.categories.models import PATH_SEPARATOR, Category

REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class Node:
    """One category as the snapshot holds it. `usable` means it and all its ancestors are active."""

    id: int
    parent_id: int | None
    level: int
    code: str
    name: str
    sort_order: int
    path: str
    usable: bool
    name_key: str
    initials: str
    pinyin: str
    values: tuple[Any, ...]  # the row in FIELD_NAMES order, to build fresh model instances


FIELD_NAMES = tuple(f.attname for f in Category._meta.concrete_fields)


class Snapshot:
    """The whole tree, ordered by code (so parents come before their children)."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        index = {name: i for i, name in enumerate(FIELD_NAMES)}
        self.by_id: dict[int, Node] = {}
        self.children: dict[int | None, list[Node]] = {}
        for values in sorted(rows, key=lambda r: r[index["code"]]):
            parent_id = values[index["parent_id"]]
            parent = self.by_id.get(parent_id) if parent_id is not None else None
            name: str = values[index["name"]]
            node = Node(
                id=values[index["id"]],
                parent_id=parent_id,
                level=values[index["level"]],
                code=values[index["code"]],
                name=name,
                sort_order=values[index["sort_order"]],
                path=f"{parent.path}{PATH_SEPARATOR}{name}" if parent is not None else name,
                usable=bool(values[index["is_active"]]) and (parent is None or parent.usable),
                name_key=name.casefold(),
                initials=values[index["pinyin_initials"]],
                pinyin=values[index["full_pinyin"]],
                values=tuple(values),
            )
            self.by_id[node.id] = node
            self.children.setdefault(parent_id, []).append(node)
        for siblings in self.children.values():
            siblings.sort(key=lambda n: (n.sort_order, n.code))
        self.usable = [node for node in self.by_id.values() if node.usable]

    def __len__(self) -> int:
        return len(self.by_id)

    def instance(self, node: Node) -> Category:
        """A fresh Category for `node`, its parents attached, so that `path` costs no query."""
        category = Category.from_db("default", FIELD_NAMES, node.values)
        if node.parent_id is not None:
            category.parent = self.instance(self.by_id[node.parent_id])
        return category


def _fingerprint() -> tuple[int, Any]:
    agg = Category.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return agg["n"], agg["latest"]


def build_snapshot() -> Snapshot:
    return Snapshot(Category.objects.values_list(*FIELD_NAMES))


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._fingerprint: tuple[int, Any] | None = None
        self._checked_at = 0.0

    def get(self) -> Snapshot:
        now = time.monotonic()
        with self._lock:
            if self._snapshot is not None and now - self._checked_at < REFRESH_SECONDS:
                return self._snapshot
            fingerprint = _fingerprint()
            if self._snapshot is None or fingerprint != self._fingerprint:
                self._snapshot = build_snapshot()
                self._fingerprint = fingerprint
            self._checked_at = now
            return self._snapshot

    def invalidate(self) -> None:
        with self._lock:
            self._snapshot = None
            self._fingerprint = None


_cache = _Cache()


def current() -> Snapshot:
    """The snapshot, rebuilt if categories changed (checked at most every REFRESH_SECONDS)."""
    return _cache.get()


def invalidate() -> None:
    """Drop this process's snapshot."""
    _cache.invalidate()


def categories_changed() -> None:
    """Call after writing categories: drop the snapshot now (this transaction sees its writes) and after commit
    (so that a snapshot rebuilt meanwhile from the old rows by another thread does not stay)."""
    invalidate()
    transaction.on_commit(invalidate)
