"""The services Open311 offers: the leaves of the category tree, and the attributes a request may carry.

Every usable category without usable children is one service (the most specific choice a dispatcher makes); its
code is the category's code and its group the name of its level-1 ancestor. Any usable category code is accepted
where a service code is asked for (a definition, a new request, a filter), so a request can be as coarse as the
resident knows. Read from the per-process snapshot of the tree: no query while it is fresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.utils.translation import gettext as _

from jiedao.cases.choices import RequestType
from jiedao.categories import snapshot
from jiedao.categories.models import Category
from jiedao.categories.snapshot import Node

# The attribute codes a request may carry (attribute[code]=value).
REQUEST_TYPE: Final = "request_type"
TITLE: Final = "title"
CONFIDENTIAL: Final = "confidential"
TITLE_MAX: Final = 200
DEFAULT_REQUEST_TYPE: Final = RequestType.HELP


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    path: str
    group: str
    keywords: str
    category_id: int


def _root(tree: snapshot.Snapshot, node: Node) -> Node:
    while node.parent_id is not None:
        node = tree.by_id[node.parent_id]
    return node


def _service(tree: snapshot.Snapshot, node: Node) -> Service:
    ancestors: list[str] = []
    parent_id = node.parent_id
    while parent_id is not None:
        parent = tree.by_id[parent_id]
        ancestors.insert(0, parent.name)
        parent_id = parent.parent_id
    keywords = [*ancestors, node.name, node.initials] if node.initials else [*ancestors, node.name]
    return Service(
        code=node.code,
        name=node.name,
        path=node.path,
        group=_root(tree, node).name,
        keywords=",".join(keywords),
        category_id=node.id,
    )


def services() -> list[Service]:
    """The usable leaf categories in tree order (by code)."""
    tree = snapshot.current()
    leaves = [node for node in tree.usable if not any(child.usable for child in tree.children.get(node.id, []))]
    return [_service(tree, node) for node in sorted(leaves, key=lambda n: n.code)]


def service(code: str) -> Service | None:
    """The usable category with this code, leaf or not; None when there is none."""
    tree = snapshot.current()
    for node in tree.usable:
        if node.code == code:
            return _service(tree, node)
    return None


def category_of(found: Service) -> Category:
    """The Category row of a service (from the snapshot, parents attached)."""
    tree = snapshot.current()
    return tree.instance(tree.by_id[found.category_id])


def service_row(found: Service) -> dict[str, Any]:
    """One <service> of GET services."""
    return {
        "service_code": found.code,
        "service_name": found.name,
        "description": found.path,
        "metadata": True,
        "type": "realtime",
        "keywords": found.keywords,
        "group": found.group,
    }


def attributes() -> list[dict[str, Any]]:
    """The attributes every service accepts, in the spec's shape (all optional)."""
    return [
        {
            "variable": True,
            "code": REQUEST_TYPE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("One of the keys below; a request for help when left out."),
            "order": 1,
            "description": _("Kind of demand"),
            "values": [{"key": value, "name": str(label)} for value, label in RequestType.choices],
        },
        {
            "variable": True,
            "code": TITLE,
            "datatype": "string",
            "required": False,
            "datatype_description": _("At most %(n)d characters; the start of the description when left out.")
            % {"n": TITLE_MAX},
            "order": 2,
            "description": _("The demand in one line"),
            "values": [],
        },
        {
            "variable": True,
            "code": CONFIDENTIAL,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("true or false; false when left out."),
            "order": 3,
            "description": _(
                "Keep the reporter's identity secret (such requests, and reports of wrongdoing, are not shown in the "
                "public list)"
            ),
            "values": [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}],
        },
    ]


def definition(found: Service) -> dict[str, Any]:
    """GET services/{code}: the service's attributes."""
    return {"service_code": found.code, "attributes": attributes()}
