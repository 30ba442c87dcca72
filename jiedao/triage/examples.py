"""Labelled examples for training and evaluation: from the office's closed cases, or from a CSV/XLSX file.

A file's rows are read with the noise real exports carry (see text.clean): header names are matched after
cleaning, empty rows are skipped, and a row with text but no label is an error naming its row and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from jiedao.cases.choices import DispatchRole, Resolution, State
from jiedao.cases.models import Case, Dispatch
from jiedao.core.errors import DomainError
from jiedao.triage import text
from jiedao.triage.choices import Kind
from jiedao.triage.classifier import Doc

# One example in this many is held out for evaluation, chosen by a hash of its key: the same case (or text) is
# held out in every run, so two models are always compared on examples neither learnt from.
HELDOUT_EVERY = 5
LEARNT_RESOLUTIONS = (Resolution.ANSWERED, Resolution.HANDLED, Resolution.SELF_HANDLED)


class ExamplesError(DomainError):
    code = "triage_examples"


@dataclass(frozen=True)
class Example:
    key: str  # "case:123", or the digest of a file row's text
    doc: Doc
    label: str
    at: object = None  # when the case closed (database examples)


def is_heldout(key: str) -> bool:
    return hashlib.sha256(key.encode()).digest()[0] % HELDOUT_EVERY == 0


def split(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(training, held-out) by the stable hash of each example's key."""
    train: list[Example] = []
    heldout: list[Example] = []
    for example in examples:
        (heldout if is_heldout(example.key) else train).append(example)
    return train, heldout


def from_cases(kind: str) -> list[Example]:
    """Closed cases that were really handled (not merged, voided or refused), labelled for `kind`.

    A category model of level L learns the case's category's ancestor at level L (cases filed at a shallower
    level are left out). The unit model learns the main unit whose reply closed the case, not the first
    dispatch, which may have been returned.
    """
    cases = Case.objects.filter(
        state__in=(State.CLOSED, State.ARCHIVED), resolution__in=LEARNT_RESOLUTIONS, merged_into__isnull=True
    )
    level = Kind.category_level(kind)
    if level is not None:
        rows = cases.filter(category__level__gte=level).values_list(
            "id", "title", "content", "category__code", "closed_at"
        )
        return [
            Example(key=f"case:{pk}", doc=Doc(title, content), label=code[: 2 * level], at=closed)
            for pk, title, content, code, closed in rows.order_by("id").iterator(chunk_size=2000)
        ]
    replied = Dispatch.objects.filter(case=OuterRef("pk"), role=DispatchRole.MAIN, replied_at__isnull=False)
    rows = (
        cases.annotate(unit=Subquery(replied.order_by("-replied_at", "-id").values("unit_id")[:1]))
        .filter(unit__isnull=False)
        .values_list("id", "title", "content", "unit", "closed_at")
    )
    return [
        Example(key=f"case:{pk}", doc=Doc(title, content), label=str(unit), at=closed)
        for pk, title, content, unit, closed in rows.order_by("id").iterator(chunk_size=2000)
    ]


def _header(value: object) -> str:
    return text.clean(value, limit=None).replace(" ", "")


def _rows(path: Path) -> Iterator[list[object]]:
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                decoded = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ExamplesError(_("%(file)s is neither UTF-8 nor GB18030 text.") % {"file": path.name})
        yield from csv.reader(io.StringIO(decoded, newline=""))
        return
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise ExamplesError(
                _("%(file)s is not a readable Excel file: %(error)s") % {"file": path.name, "error": exc}
            ) from None
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        finally:
            book.close()
        return
    raise ExamplesError(_("%(file)s: only .csv and .xlsx files can be read.") % {"file": path.name})


def from_file(
    path: Path, *, text_cols: Sequence[str], label_col: str | None, segmented: bool | None = None
) -> list[Example]:
    """Examples from a CSV/XLSX file. With several text columns the first is the subject, the rest the body.

    `label_col=None` reads unlabelled rows (label ""). Raises ExamplesError naming the missing column (and the
    columns there are) or every row with text but no label.
    """
    if not path.exists():
        raise ExamplesError(_("%(file)s does not exist.") % {"file": path})
    rows = _rows(path)
    header = next(rows, None)
    if header is None:
        raise ExamplesError(_("%(file)s is empty.") % {"file": path.name})
    names = [_header(h) for h in header]
    wanted = [*text_cols, *([label_col] if label_col else [])]
    positions: list[int] = []
    for column in wanted:
        try:
            positions.append(names.index(_header(column)))
        except ValueError:
            shown = "、".join(str(h) for h in header if h not in (None, ""))
            raise ExamplesError(
                _("%(file)s has no column “%(column)s”; its columns are: %(columns)s")
                % {"file": path.name, "column": column, "columns": shown}
            ) from None
    text_positions = positions[: len(text_cols)]
    label_position = positions[-1] if label_col else None
    examples: list[Example] = []
    missing: list[int] = []
    for number, row in enumerate(rows, start=2):
        cells = [row[i] if i < len(row) else None for i in text_positions]
        parts = [text.clean(c, limit=None) for c in cells]
        label = (
            text.clean(row[label_position], limit=None)
            if label_position is not None and label_position < len(row)
            else ""
        )
        if not any(parts):
            if label:
                missing.append(number)
            continue
        if label_col and not label:
            missing.append(number)
            continue
        subject, body = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else ("", parts[0])
        key = hashlib.sha256(f"{subject}\x1f{body}".encode()).hexdigest()
        examples.append(Example(key=key, doc=Doc(subject, body, segmented), label=label))
    if missing:
        shown = ", ".join(str(n) for n in missing[:20]) + (" …" if len(missing) > 20 else "")
        raise ExamplesError(
            _("%(file)s: %(count)d row(s) lack the text or the label “%(column)s”: rows %(rows)s")
            % {"file": path.name, "count": len(missing), "column": label_col, "rows": shown}
        )
    if not examples:
        raise ExamplesError(_("%(file)s has no rows with text.") % {"file": path.name})
    return examples
