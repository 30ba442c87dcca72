"""Finding the places and categories an export names: 街道, 社区, 网格 by name (with or without their usual
suffixes) or code, and categories by path or name in the tree. Built once per file, then pure lookups."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from jiedao.categories import snapshot
from jiedao.categories.models import Category
from jiedao.places.choices import Level
from jiedao.places.models import Place

# Longest first: "街道办事处" before "办事处". The suffixes are data: how people shorten place names.
OFFICE_SUFFIXES = ("街道办事处", "办事处", "街道办", "街道", "镇人民政府", "乡人民政府", "镇", "乡")
COMMUNITY_SUFFIXES = ("社区居民委员会", "居民委员会", "村民委员会", "社区居委会", "居委会", "村委会", "社区", "村")
CATEGORY_SEPARATORS = re.compile(r"\s*[/／>＞›\\|｜]\s*|\s*[-－—]{1,2}\s*")


def place_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def name_keys(name: str, suffixes: Sequence[str]) -> set[str]:
    """The name as written, and without the first suffix it ends with (when something is left)."""
    key = place_key(name)
    keys = {key}
    for suffix in suffixes:
        if key.endswith(suffix) and len(key) > len(suffix):
            keys.add(key[: -len(suffix)])
            break
    return keys


class NameIndex:
    """Places by every key of their name, and by code; a key two places share finds neither."""

    def __init__(self, places: Iterable[Place], suffixes: Sequence[str]) -> None:
        self.suffixes = suffixes
        self._by_key: dict[str, set[int]] = {}
        self._places: dict[int, Place] = {}
        for place in places:
            self._places[place.pk] = place
            for key in {*name_keys(place.name, suffixes), place.code, place.prefix}:
                self._by_key.setdefault(key, set()).add(place.pk)

    def find(self, text: str, *, within: str = "") -> Place | None:
        """The one place whose name or code the text gives, inside the prefix `within`."""
        for key in name_keys(text, self.suffixes):
            found = [self._places[pk] for pk in self._by_key.get(key, ()) if self._places[pk].code.startswith(within)]
            if len(found) == 1:
                return found[0]
        return None


@dataclass
class PlaceIndex:
    """The offices the importer may import into, with their communities and grids."""

    offices: list[Place]
    office_index: NameIndex = field(init=False)
    community_index: NameIndex = field(init=False)
    grid_index: NameIndex = field(init=False)
    by_id: dict[int, Place] = field(init=False)

    def __post_init__(self) -> None:
        prefixes = [office.prefix for office in self.offices]
        below: list[Place] = []
        if prefixes:
            query = Place.objects.filter(level__in=[Level.COMMUNITY, Level.GRID])
            below = [p for p in query.select_related("parent") if p.code.startswith(tuple(prefixes))]
        self.by_id = {place.pk: place for place in [*self.offices, *below]}
        for place in below:  # parents from the index, so `parent.parent` costs no query
            if place.parent_id in self.by_id:
                place.parent = self.by_id[place.parent_id]
        self.office_index = NameIndex(self.offices, OFFICE_SUFFIXES)
        self.community_index = NameIndex([p for p in below if p.level == Level.COMMUNITY], COMMUNITY_SUFFIXES)
        self.grid_index = NameIndex([p for p in below if p.level == Level.GRID], ())

    def covers(self, code: str) -> bool:
        return any(code.startswith(office.prefix) for office in self.offices)


class CategoryIndex:
    """The usable categories by path (root first) and by name."""

    def __init__(self) -> None:
        self._snapshot = snapshot.current()
        self.by_path: dict[tuple[str, ...], int] = {}
        self.by_name: dict[str, list[int]] = {}
        for node in self._snapshot.usable:
            path = tuple(place_key(part) for part in node.path.split(" › "))
            self.by_path[path] = node.id
            self.by_name.setdefault(path[-1], []).append(node.id)

    def instance(self, category_id: int) -> Category:
        return self._snapshot.instance(self._snapshot.by_id[category_id])

    def find(self, single: str, levels: Sequence[str]) -> int | None:
        """The deepest category the cells name: the 一级/二级/三级 columns as a path, else one cell holding a path
        ("城乡建设/市政设施") or a name; None when nothing in the tree matches."""
        parts = [place_key(level) for level in levels]
        if any(parts):
            return self._longest_prefix([part for part in parts if part])
        pieces = [place_key(piece) for piece in CATEGORY_SEPARATORS.split(single) if piece.strip()]
        if not pieces:
            return None
        if len(pieces) == 1:
            found = self.by_name.get(pieces[0], [])
            return found[0] if len(found) == 1 else None
        return self._longest_prefix(pieces) or self._suffix(pieces)

    def _longest_prefix(self, parts: list[str]) -> int | None:
        for end in range(len(parts), 0, -1):
            found = self.by_path.get(tuple(parts[:end]))
            if found is not None:
                return found
        return None

    def _suffix(self, parts: list[str]) -> int | None:
        matches = [pk for path, pk in self.by_path.items() if path[-len(parts) :] == tuple(parts)]
        return matches[0] if len(matches) == 1 else None
