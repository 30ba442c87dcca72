"""The progress of an import while its rows are written.

The rows of a file are written in one transaction (all or nothing), so a progress column updated inside it stays
invisible to the page that polls until the very end, and on SQLite a second connection cannot write while that
transaction holds the lock. The writing step therefore reports through a small file beside the uploaded files
(MEDIA_ROOT, which the web server and the worker already share for the upload itself); the run's row carries the
state and the progress of every other step.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings


def _path(run_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "upstream" / "progress" / f"{run_id}.json"


def progress_write(run_id: int, percent: int) -> None:
    """Replace the run's progress file atomically (readers never see half a file)."""
    path = _path(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"progress": max(0, min(100, percent))}), encoding="utf-8")
    os.replace(temporary, path)


def progress_read(run_id: int) -> int | None:
    """The progress the writing step last reported; None when it reports nothing (not writing, or done)."""
    try:
        value = json.loads(_path(run_id).read_text(encoding="utf-8")).get("progress")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def progress_clear(run_id: int) -> None:
    _path(run_id).unlink(missing_ok=True)
