"""JSON and XML as GeoReport v2 writes them: UTF-8, an XML declaration, lists as a wrapper of repeated elements.

The same Python data feeds both formats. In XML a list named `attributes` is written as `<attributes>` holding one
`<attribute>` per item (LIST_ITEMS), booleans as true/false, and None as an empty element.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.http import HttpResponse

JSON: Final = "json"
XML: Final = "xml"
FORMATS: Final = (XML, JSON)
CONTENT_TYPES: Final = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
# The media types discovery announces (the spec's own examples).
MEDIA_TYPES: Final = ("text/xml", "application/json")

# How each list is spelt in XML: the wrapper element's name -> the name of each item.
LIST_ITEMS: Final = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
XML_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    _fill(element, name, value)


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        item_name = LIST_ITEMS[name]
        for item in value:
            _append(element, item_name, item)
    else:
        element.text = _text(value)


def xml_bytes(root: str, data: Any) -> bytes:
    """The document `<root>…</root>` for `data` (a mapping, or a list whose item name LIST_ITEMS gives)."""
    element = ET.Element(root)
    _fill(element, root, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def render(
    fmt: str, root: str, data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """The response in `fmt`: JSON is `data` itself; XML wraps it in `<root>`."""
    if fmt == JSON:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    else:
        body = xml_bytes(root, data)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    for key, value in (headers or {}).items():
        response[key] = value
    # The feed is public, and browser-based Open311 clients live on other origins.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def render_errors(
    fmt: str, status: int, descriptions: Sequence[str], headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """The spec's error list: [{"code": 400, "description": "…"}] or <errors><error><code>…"""
    errors = [{"code": status, "description": description} for description in descriptions]
    return render(fmt, "errors", errors, status=status, headers=headers)
