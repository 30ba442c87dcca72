"""Reads of the category tree for the registration form: type-ahead search and the nested picker tree.

Both read the per-process snapshot (see `snapshot`), so they cost no query while it is fresh.
"""

from __future__ import annotations

import heapq
import re
from typing import Any

from jiedao.categories import snapshot
from jiedao.categories.models import Category
from jiedao.categories.snapshot import Node

# Ranks, best first. Pinyin ranks apply to Latin-letter queries only.
EXACT_NAME, NAME_PREFIX, NAME_SUBSTRING, INITIALS_PREFIX, INITIALS_SUBSTRING, PINYIN_PREFIX = range(6)
MAX_QUERY = 50
_SPACES = re.compile(r"\s+")
_PINYIN_NOISE = re.compile(r"[\s'’]+")  # "lv hua", "xi'an"


def _rank(node: Node, name_query: str, pinyin_query: str) -> int | None:
    if node.name_key == name_query:
        return EXACT_NAME
    if node.name_key.startswith(name_query):
        return NAME_PREFIX
    if name_query in node.name_key:
        return NAME_SUBSTRING
    if pinyin_query:
        if node.initials.startswith(pinyin_query):
            return INITIALS_PREFIX
        if pinyin_query in node.initials:
            return INITIALS_SUBSTRING
        if node.pinyin.startswith(pinyin_query):
            return PINYIN_PREFIX
    return None


def search_categories(query: str, *, limit: int = 10) -> list[Category]:
    """Find at most `limit` usable categories (active, under active parents) for what a dispatcher typed.

    Matches the name (exact, prefix, substring, case-insensitive), the pinyin initials (prefix, substring:
    "lhws", "lh") and the full pinyin (prefix: "lvhua"), ranked in that order; at equal rank deeper (more
    specific) nodes come first, then by code. The categories come with their parents attached (`path` is free).
    """
    name_query = _SPACES.sub(" ", query).strip().casefold()[:MAX_QUERY]
    if not name_query or limit <= 0:
        return []
    pinyin_query = _PINYIN_NOISE.sub("", name_query)
    if not (pinyin_query.isascii() and pinyin_query.isalnum()):
        pinyin_query = ""
    tree = snapshot.current()
    ranked: list[tuple[int, int, str, Node]] = []
    for node in tree.usable:
        rank = _rank(node, name_query, pinyin_query)
        if rank is not None:
            ranked.append((rank, -node.level, node.code, node))
    best = heapq.nsmallest(limit, ranked, key=lambda item: item[:3])
    return [tree.instance(item[3]) for item in best]


def category_tree() -> list[dict[str, Any]]:
    """The usable categories as nested dicts for a picker: id, code, name, level, path, children (siblings in
    sort order, then code). A node under an inactive parent is left out with its parent."""
    tree = snapshot.current()

    def nested(parent_id: int | None) -> list[dict[str, Any]]:
        return [
            {
                "id": node.id,
                "code": node.code,
                "name": node.name,
                "level": node.level,
                "path": node.path,
                "children": nested(node.id),
            }
            for node in tree.children.get(parent_id, [])
            if node.usable
        ]

    return nested(None)
