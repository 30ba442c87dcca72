"""Every write to the category tree: seeding, importing a file, creating and editing one node."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jiedao.audit.choices import AuditAction
from jiedao.audit.services import audit_record
from jiedao.categories.choices import CODE_DIGITS, MAX_CHILDREN, Level
from jiedao.categories.models import Category
from jiedao.categories.reading import ParsedTree, RowError, TreeRow, check_rows, read_source
from jiedao.categories.snapshot import categories_changed
from jiedao.core.errors import DomainError

DEFAULT_TREE = Path(__file__).resolve().parent / "data" / "default_tree.csv"


class CategoriesImportInvalid(DomainError):
    """The input has errors; nothing was written. `errors` lists every one, in file order."""

    code = "import_invalid"

    def __init__(self, errors: list[RowError]) -> None:
        count = len(errors)
        message = ngettext(
            "The file has %(n)d error; nothing was imported.", "The file has %(n)d errors; nothing was imported.", count
        )
        super().__init__(message % {"n": count})
        self.errors = errors


class CategoriesConflict(DomainError):
    """Someone changed the tree at the same moment; nothing was written and trying again will work."""

    code = "conflict"


@dataclass(frozen=True)
class SeedReport:
    """What a seed or import wrote: new nodes per level, and how many nodes it named that already existed."""

    created: Mapping[int, int] = field(default_factory=dict)
    existing: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        return _(
            "Categories created: %(l1)d level-1, %(l2)d level-2, %(l3)d level-3; %(existing)d already present."
        ) % {
            "l1": self.created.get(Level.FIRST, 0),
            "l2": self.created.get(Level.SECOND, 0),
            "l3": self.created.get(Level.THIRD, 0),
            "existing": self.existing,
        }


def categories_seed(*, rows: Iterable[Sequence[str]] | None = None, actor: Any = None) -> SeedReport:
    """Create the nodes of `rows` ((level1, level2, level3) names; default: the bundled default tree) that are
    missing, in one transaction; existing nodes are left as they are, so running it twice creates nothing.

    Raises CategoriesImportInvalid (nothing written) when a row is invalid, CategoriesConflict on a
    concurrent write.
    """
    if rows is None:
        parsed = read_source(DEFAULT_TREE.read_bytes(), DEFAULT_TREE.name)
        source = DEFAULT_TREE.name
    else:
        parsed = check_rows(rows)
        source = ""
    return _apply(parsed, source=source, actor=actor)


def categories_import(*, source: IO[bytes] | bytes, filename: str, actor: Any = None) -> SeedReport:
    """Check the whole .xlsx or .csv file (一级分类, 二级分类, 三级分类) and create its missing nodes, or raise
    CategoriesImportInvalid with every error and write nothing. Duplicate rows and existing nodes are skipped.
    """
    return _apply(read_source(source, filename), source=filename, actor=actor)


def _apply(parsed: ParsedTree, *, source: str, actor: Any) -> SeedReport:
    if not parsed.errors and not parsed.rows:
        parsed.errors.append(RowError("", "", _("The file has no categories."), "empty"))
    if parsed.errors:
        raise CategoriesImportInvalid(parsed.errors)
    report = _create_missing(parsed.rows, parsed.labels)
    if report.total_created:
        audit_record(
            action=AuditAction.IMPORT,
            actor=actor,
            detail={"kind": "categories", "file": source, "created": {str(k): v for k, v in report.created.items()}},
        )
    return report


@dataclass
class _Planned:
    path: tuple[str, ...]
    code: str
    number: int


@transaction.atomic
def _create_missing(rows: Sequence[TreeRow], labels: Sequence[str]) -> SeedReport:
    """Plan every missing node (codes continue after the highest sibling code), then insert level by level."""
    existing: dict[tuple[str, ...], str] = {}  # path -> code
    by_id: dict[int, tuple[str, ...]] = {}
    for pk, parent_id, name, code in Category.objects.order_by("code").values_list("pk", "parent_id", "name", "code"):
        path = (*by_id.get(parent_id, ()), name) if parent_id is not None else (name,)
        by_id[pk] = path
        existing[path] = code
    last_number: dict[str, int] = {}  # parent code ("" for the roots) -> highest child number in use
    for code in existing.values():
        parent_code = code[:-CODE_DIGITS]
        last_number[parent_code] = max(last_number.get(parent_code, 0), int(code[-CODE_DIGITS:]))

    planned: dict[tuple[str, ...], _Planned] = {}
    named_existing: set[tuple[str, ...]] = set()
    errors: list[RowError] = []
    for row in rows:
        for depth in range(1, len(row.names) + 1):
            path = row.names[:depth]
            if path in existing:
                named_existing.add(path)
                continue
            if path in planned:
                continue
            parent_code = existing.get(path[:-1]) or (planned[path[:-1]].code if depth > 1 else "")
            number = last_number.get(parent_code, 0) + 1
            if number > MAX_CHILDREN:
                message = _("Too many categories under one parent: at most %(n)d.") % {"n": MAX_CHILDREN}
                errors.append(RowError(row.row, labels[depth - 1], message, "too_many_children"))
                break
            last_number[parent_code] = number
            planned[path] = _Planned(path, f"{parent_code}{number:0{CODE_DIGITS}d}", number)
    if errors:
        raise CategoriesImportInvalid(errors)

    created: dict[int, int] = {}
    try:
        with transaction.atomic():
            ids = {existing[path]: pk for pk, path in by_id.items()}  # code -> id
            for level in Level:
                nodes = [p for p in planned.values() if len(p.path) == level]
                if not nodes:
                    continue
                categories = [
                    Category(
                        parent_id=ids[p.code[:-CODE_DIGITS]] if level > Level.FIRST else None,
                        level=level,
                        name=p.path[-1],
                        code=p.code,
                        sort_order=p.number,
                    )
                    for p in nodes
                ]
                for category in categories:
                    category.set_pinyin()
                Category.objects.bulk_create(categories)
                ids.update(Category.objects.filter(code__in=[p.code for p in nodes]).values_list("code", "pk"))
                created[level] = len(nodes)
    except IntegrityError:
        raise CategoriesConflict(_("The category tree was changed at the same time; please try again.")) from None
    if planned:
        categories_changed()
    return SeedReport(created=created, existing=len(named_existing))


def _next_code(parent: Category | None) -> tuple[str, int]:
    parent_code = parent.code if parent is not None else ""
    siblings = Category.objects.filter(parent=parent).values_list("code", flat=True)
    number = max((int(code[-CODE_DIGITS:]) for code in siblings), default=0) + 1
    if number > MAX_CHILDREN:
        raise ValidationError(_("Too many categories under one parent: at most %(n)d.") % {"n": MAX_CHILDREN})
    return f"{parent_code}{number:0{CODE_DIGITS}d}", number


@transaction.atomic
def category_create(
    *, parent: Category | None, name: str, is_active: bool = True, sort_order: int | None = None
) -> Category:
    """Create one node under `parent` (None: a level-1 node) with the next free code.

    Raises ValidationError (bad parent, duplicate name, too many children) or CategoriesConflict. The parent is
    locked while the code is chosen.
    """
    if parent is not None:
        parent = Category.objects.select_for_update().get(pk=parent.pk)
    code, number = _next_code(parent)
    category = Category(
        parent=parent,
        level=Level.FIRST if parent is None else parent.level + 1,
        name=name.strip(),
        code=code,
        is_active=is_active,
        sort_order=number if sort_order is None else sort_order,
    )
    category.full_clean()
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise CategoriesConflict(_("The category tree was changed at the same time; please try again.")) from None
    categories_changed()
    return category


@transaction.atomic
def category_update(
    *, category: Category, name: str | None = None, is_active: bool | None = None, sort_order: int | None = None
) -> Category:
    """Rename, (de)activate or reorder one node; its place in the tree and its code never change.

    Raises ValidationError (duplicate name among its siblings). The node is locked and re-read.
    """
    current = Category.objects.select_for_update(of=("self",)).select_related("parent").get(pk=category.pk)
    changes = {"name": name.strip() if name is not None else None, "is_active": is_active, "sort_order": sort_order}
    changed = [key for key, value in changes.items() if value is not None and getattr(current, key) != value]
    if not changed:
        return current
    for key in changed:
        setattr(current, key, changes[key])
    current.full_clean()
    current.save(update_fields=[*changed, "updated_at"])
    categories_changed()
    return current
