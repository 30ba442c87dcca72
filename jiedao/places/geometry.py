"""Checking grid boundaries given as GeoJSON."""

from __future__ import annotations

import json
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape


class GeometryError(ValueError):
    """A boundary that cannot be a grid polygon; str() says why."""


def normalise_boundary(value: Any) -> dict[str, Any]:
    """Return a valid Polygon/MultiPolygon geometry dict in WGS-84, or raise GeometryError.

    Accepts a geometry, a Feature (its geometry is taken) or a JSON string of either.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise GeometryError(_("The boundary is not valid JSON: %(e)s") % {"e": exc.msg}) from None
    if not isinstance(value, dict):
        raise GeometryError(_("The boundary must be a GeoJSON object."))
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    if value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise GeometryError(
            _("The boundary must be a Polygon or MultiPolygon, got %(t)s.") % {"t": value.get("type") or "—"}
        )
    try:
        geom = shape(value)
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.ShapelyError):
        raise GeometryError(_("The boundary coordinates cannot be read as a polygon.")) from None
    if geom.is_empty:
        raise GeometryError(_("The boundary is empty."))
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError(_("The boundary is not in longitude/latitude degrees (WGS-84 or CGCS2000)."))
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise GeometryError(_("The boundary polygon is invalid: %(r)s") % {"r": reason})
    return dict(mapping(geom))


def boundaries_overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when two boundaries share area (touching edges is fine)."""
    ga, gb = shape(a), shape(b)
    return bool(ga.intersects(gb) and ga.intersection(gb).area > 1e-12)
