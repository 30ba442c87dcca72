"""Personal data out of free text before it is published (DOMAIN.md §4: minimum necessary, masked values).

A case's content and result are written by residents and staff and often hold a phone number, an ID number or an
e-mail address. The public feed shows them masked the way every screen masks them (jiedao.core.masking). Names in
free text cannot be told apart from other words reliably; confidential cases and reports of wrongdoing, where a name
matters most, are left out of the feed altogether.
"""

from __future__ import annotations

import re

from jiedao.core.masking import mask_id_number, mask_phone

# Longest first: an ID number (17 digits and a check character), then a phone (mainland mobile, or a landline
# with its area code), then any other run of 7+ digits (account, licence or house numbers).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{7,}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.)+[\w-]{2,}")


def _email(match: re.Match[str]) -> str:
    local, _at, domain = match.group(0).partition("@")
    return f"{local[:1]}***@{domain}"


def _mobile(match: re.Match[str]) -> str:
    digits = "".join(ch for ch in match.group(0) if ch.isdigit())
    return mask_phone(digits[2:] if len(digits) == 13 else digits)


def redact_text(text: str) -> str:
    """The text with ID numbers, phone numbers, other long digit runs and e-mail addresses masked."""
    text = _EMAIL.sub(_email, text)
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE.sub(_mobile, text)
    text = _LANDLINE.sub(lambda m: mask_phone(m.group(0)), text)
    return _LONG_DIGITS.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)
