"""Reading places from a GeoJSON FeatureCollection: one feature per place, its geometry the boundary.

Errors name the feature as "要素 N" (the first feature is 要素 1) and the property as written in the file.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from jiedao.places.imports_rows import (
    GEOJSON_SHEET,
    LEVEL_WORDS,
    CellReader,
    ParsedFile,
    RowError,
    as_text,
    place_row,
)

MAX_FEATURES = 50_000

# Property names, Chinese or English; the first is the one named in an error when the property is absent.
PROPERTY_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("代码", "code", "编码"),
    "name": ("名称", "name"),
    "level": ("层级", "level", "级别"),
    "kind": ("类型", "kind"),
    "parent_code": ("上级代码", "parent", "parent_code", "所属代码"),
    "households": ("户数", "households"),
    "population": ("人口", "population"),
    "dedicated_to": ("专属对象", "dedicated_to"),
    "address": ("地址", "address"),
}


def feature_label(index: int) -> str:
    return f"要素 {index}"


def read_geojson(data: bytes) -> ParsedFile:
    """Read every feature; errors are collected, never raised."""
    parsed = ParsedFile()
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        parsed.errors.append(RowError("", "", "", _("The file is not valid JSON (UTF-8)."), "bad_file"))
        return parsed
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(features, list):
        parsed.errors.append(RowError("", "", "", _("The file is not a GeoJSON FeatureCollection."), "bad_file"))
        return parsed
    if len(features) > MAX_FEATURES:
        message = _("Too many features: at most %(n)d.") % {"n": MAX_FEATURES}
        parsed.errors.append(RowError("", "", "", message, "too_many_rows"))
        return parsed
    for index, feature in enumerate(features, start=1):
        _read_feature(index, feature, parsed)
    return parsed


def _read_feature(index: int, feature: Any, parsed: ParsedFile) -> None:
    row = feature_label(index)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        parsed.errors.append(RowError(GEOJSON_SHEET, row, "type", _("This is not a GeoJSON Feature."), "bad_feature"))
        return
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        message = _("The properties must be a JSON object.")
        parsed.errors.append(RowError(GEOJSON_SHEET, row, "properties", message, "bad_feature"))
        return
    values: dict[str, Any] = {"boundary": feature.get("geometry")}
    labels = {"boundary": "geometry"}
    for name, keys in PROPERTY_NAMES.items():
        key = next((key for key in keys if key in properties), keys[0])
        values[name] = properties.get(key)
        labels[name] = key
    reader = CellReader(GEOJSON_SHEET, row, labels, parsed.errors)
    parsed.places.append(place_row(reader, values, _level(reader, values.get("level"))))


def _level(reader: CellReader, value: Any) -> str:
    """The level the feature states, or "" to infer it from the code and the parent."""
    text = as_text(value)
    if not text:
        return ""
    level = LEVEL_WORDS.get(text)
    if level is None:
        reader.error(
            "level", _("Unknown level “%(v)s”: use 区县, 街道, 社区, 村 or 网格.") % {"v": text}, "level_invalid"
        )
        return ""
    return level
