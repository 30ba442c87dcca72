"""Masked display of personal data (DOMAIN.md §4): 张*, 138****1234, 110105********002X.

Every screen that shows a name, phone, ID number or address of a person goes through these helpers,
unless the viewer's role needs the full value and the view is recorded (see jiedao.audit).
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")


def mask_name(name: str) -> str:
    """Keep the first character: 张三 -> 张*, 欧阳娜娜 -> 欧***; Latin names keep their first letter."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """Mobile numbers show 3 + 4 digits (138****1234); other numbers keep only their last four digits."""
    digits = "".join(_DIGITS.findall(phone))
    if not digits:
        return ""
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[7:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_id_number(id_number: str) -> str:
    """18-character ID numbers keep the 6-digit region and the last four (110105********002X)."""
    value = id_number.strip().upper()
    if len(value) == 18:
        return f"{value[:6]}{'*' * 8}{value[14:]}"
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_address(address: str) -> str:
    """Keep the street part and hide the house: digits after the first building number are starred.

    "望湖路12号3栋2单元501室" -> "望湖路12号*栋*单元***室": enough to know the area, not the door.
    """
    value = address.strip()
    match = re.search(r"\d+号", value)
    if match is None:
        return _DIGITS.sub("*", value)
    head, tail = value[: match.end()], value[match.end() :]
    return head + _DIGITS.sub("*", tail)
