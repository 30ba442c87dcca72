"""Column encryption and keyed hashes for personal data (PIPL: encrypt sensitive columns).

Keys derive from settings.FIELD_ENCRYPTION_KEY with HKDF, one per purpose, so the encryption key and
the hashing key differ even though one secret configures both.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(purpose: bytes) -> bytes:
    secret = str(settings.FIELD_ENCRYPTION_KEY).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jiedao", info=purpose).derive(secret)


@functools.cache
def _fernet(secret_marker: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"column-encryption")))


@functools.cache
def _hash_key(secret_marker: str) -> bytes:
    return _derive(b"keyed-hash")


def _marker() -> str:
    # The cache is keyed by the configured secret so tests that override it get fresh keys.
    return hashlib.sha256(str(settings.FIELD_ENCRYPTION_KEY).encode()).hexdigest()


def encrypt(plaintext: str) -> str:
    return _fernet(_marker()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a stored value; raise ValueError when the key does not match (never return garbage)."""
    try:
        return _fernet(_marker()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("encrypted value cannot be read with the configured FIELD_ENCRYPTION_KEY") from None


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value, for finding duplicates without storing the value in clear."""
    normalised = value.strip().upper()
    return hmac.new(_hash_key(_marker()), normalised.encode(), hashlib.sha256).hexdigest()
