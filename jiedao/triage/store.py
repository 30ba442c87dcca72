"""Model files: written once under VAR_DIR/models, read back by id and kept in memory per process.

The files are pickles (joblib). They are only ever read from the directory this module writes, at a path taken
from the database row that this module's caller wrote: never from user input.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

import joblib
from django.conf import settings

from jiedao.triage.classifier import TextClassifier

logger = logging.getLogger(__name__)
_cache: dict[str, TextClassifier] = {}
_lock = threading.Lock()


def models_dir() -> Path:
    path = Path(settings.VAR_DIR) / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(classifier: TextClassifier, *, name: str) -> tuple[str, int]:
    """Write the classifier as `name`.joblib; return the file's name (relative to models_dir) and its size."""
    file_name = f"{name}.joblib"
    path = models_dir() / file_name
    joblib.dump(classifier, path, compress=3)
    return file_name, path.stat().st_size


class Unreadable(Exception):
    """The model file is missing, damaged, or written by a version of the code that reads it differently."""


def load(file_name: str) -> TextClassifier:
    """The classifier in `file_name`, loaded once per process. Raises Unreadable."""
    found = _cache.get(file_name)
    if found is not None:
        return found
    with _lock:
        found = _cache.get(file_name)
        if found is None:
            path = models_dir() / Path(file_name).name
            try:
                loaded = joblib.load(path)
            except Exception as exc:  # unpickling raises whatever the missing or changed code makes it raise
                raise Unreadable(f"{path}: {exc!r}") from exc
            if not isinstance(loaded, TextClassifier) or getattr(loaded, "format", None) != TextClassifier.FORMAT:
                raise Unreadable(f"{path} does not hold a triage classifier of format {TextClassifier.FORMAT}")
            _cache[file_name] = found = loaded
    return found


def readable(file_name: str) -> bool:
    try:
        load(file_name)
    except Unreadable:
        logger.warning("triage model %s cannot be read; it will be retrained", file_name)
        return False
    return True


def delete(file_name: str) -> None:
    (models_dir() / Path(file_name).name).unlink(missing_ok=True)
    _cache.pop(file_name, None)


def digest(parts: list[str]) -> str:
    """A digest of the training or held-out examples (ids and labels), to say which data a model saw."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\n")
    return h.hexdigest()
