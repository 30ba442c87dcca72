"""Model fields for personal data stored encrypted."""

from __future__ import annotations

from typing import Any

from django.db import models

from jiedao.core import crypto


class EncryptedCharField(models.TextField[str, str]):
    """A text value kept encrypted at rest. It cannot be filtered or ordered on: pair it with a keyed hash."""

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
