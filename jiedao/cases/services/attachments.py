"""Photos and documents of a case: checked from their content, stored under a random name, undone on failure."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from jiedao.cases.choices import AttachmentKind
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Attachment
from jiedao.cases.services.base import Step, begin, finish
from jiedao.cases.workflow import Action

logger = logging.getLogger(__name__)

MAX_FILES = 9
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# The content types accepted, with the extension of the stored name (the user's name is never used).
EXTENSIONS: dict[str, str] = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
}
IMAGE_TYPES = frozenset(t for t in EXTENSIONS if t.startswith("image/"))


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> str | None:
    """The content type the first bytes prove (magic numbers and the first structure), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:16] in (b"VP8 ", b"VP8L", b"VP8X"):
        return "image/webp"
    if head[:5] == b"%PDF-" and head[5:6].isdigit():
        return "application/pdf"
    return None


@dataclass(frozen=True)
class Checked:
    """An upload that passed the checks, with what was learnt from reading it."""

    upload: File[Any]
    name: str
    content_type: str
    size: int
    sha256: str


def _clean_name(raw: str | None) -> str:
    """The file name the user gave, without any directory, control characters or excess length."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 250 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:255]
    return name or "file"


def _check_one(upload: File[Any], *, field: str, limit: int, images_only: bool) -> Checked:
    name = _clean_name(upload.name)
    too_large = _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.")
    if upload.size is not None and upload.size > limit:
        raise InvalidInput(
            too_large % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            field=field,
        )
    digest = hashlib.sha256()
    head, tail, size = b"", b"", 0
    upload.seek(0)
    for chunk in upload.chunks():
        size += len(chunk)
        if size > limit:  # the declared size is the client's word; the bytes read are the truth
            raise InvalidInput(
                too_large % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}, field=field
            )
        digest.update(chunk)
        if len(head) < 32:
            head = (head + chunk)[:32]
        tail = (tail + chunk)[-32:]
    upload.seek(0)
    if size == 0:
        raise InvalidInput(_("“%(name)s” is empty.") % {"name": name}, field=field)
    content_type = sniff(head)
    if images_only and content_type not in IMAGE_TYPES:
        raise InvalidInput(_("“%(name)s” is not a JPEG, PNG, WebP or GIF image.") % {"name": name}, field=field)
    if content_type is None:
        raise InvalidInput(
            _("“%(name)s” is not a JPEG, PNG, WebP or GIF image or a PDF document.") % {"name": name}, field=field
        )
    if content_type == "image/png" and b"IEND" not in tail:
        raise InvalidInput(_("“%(name)s” is incomplete; send it again.") % {"name": name}, field=field)
    return Checked(upload, name, content_type, size, digest.hexdigest())


def check_files(
    files: Sequence[File[Any]], *, field: str = "files", required: bool = True, images_only: bool = False
) -> list[Checked]:
    """Read every file and check its count, size and content (images only, or PDF too) before anything is written.

    Raises InvalidInput(field) naming the first file refused and why.
    """
    files = [f for f in files if f is not None]
    if not files and required:
        raise InvalidInput(_("Choose at least one file."), field=field)
    if len(files) > MAX_FILES:
        raise InvalidInput(_("Send at most %(count)d files at a time.") % {"count": MAX_FILES}, field=field)
    limit = max_bytes()
    return [_check_one(upload, field=field, limit=limit, images_only=images_only) for upload in files]


# The names stored by the innermost running `atomic_with_files` block.
_written: ContextVar[list[str] | None] = ContextVar("jiedao_cases_files_written", default=None)


def _delete_stored(names: list[str]) -> None:
    storage = Attachment.file.field.storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the stored file %s of a failed action", name)


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """A transaction whose stored files are deleted again when it fails.

    Storage is not transactional: a file written inside a block that rolls back would stay behind. Nested
    blocks hand their files to the enclosing one, which deletes them if it fails later. (A plain
    transaction.atomic() around this block cannot be undone: keep the outermost block one of these.)
    """
    outer = _written.get()
    mine: list[str] = []
    token = _written.set(mine)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _delete_stored(mine)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(mine)


def store(step: Step, checked: Sequence[Checked], *, kind: str) -> list[Attachment]:
    """Store checked files on the locked case of `step` and write the "attach" event. Inside atomic_with_files."""
    journal = _written.get()
    if journal is None:
        raise RuntimeError("store() must run inside atomic_with_files()")
    if kind not in AttachmentKind.values:
        raise InvalidInput(_("Choose what the files show."), field="kind")
    case, saved = step.case, []
    for item in checked:
        attachment = Attachment(
            case=case,
            kind=kind,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=step.actor if getattr(step.actor, "pk", None) else None,
            uploaded_at=step.now,
        )
        item.upload.seek(0)
        attachment.file.save(secrets.token_hex(16) + EXTENSIONS[item.content_type], item.upload, save=False)
        journal.append(str(attachment.file.name))
        attachment.save()
        saved.append(attachment)
    finish(
        dataclasses.replace(step, action="attach", from_state=case.state),
        fields=[],
        note="、".join(a.original_name for a in saved),
        data={
            "ids": [a.pk for a in saved],
            "kinds": [a.kind for a in saved],
            "names": [a.original_name for a in saved],
        },
    )
    return saved


def case_attach(
    *, case_id: int, actor: Any, files: Sequence[File[Any]], kind: str, expected_version: int | None = None
) -> list[Attachment]:
    """Attach up to MAX_FILES images or PDFs to a case; whoever may add a note may attach, and its field reporter.

    Locks the case. Raises InvalidInput(field="files") naming the file refused and why (nothing is written then),
    and what base.begin raises. Files stored before a failure are deleted again.
    """
    if kind not in AttachmentKind.values:
        raise InvalidInput(_("Choose what the files show."), field="kind")
    checked = check_files(files)
    with atomic_with_files():
        step = begin(case_id=case_id, actor=actor, action=Action.NOTE, expected_version=expected_version)
        return store(step, checked, kind=kind)
