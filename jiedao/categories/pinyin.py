"""Pinyin keys of a category name, for type-ahead search: 绿化卫生 → "lhws" and "lvhuaweisheng"."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def _letters(parts: list[str]) -> str:
    # Punctuation (、（）) is dropped; Latin letters and digits written in the name are kept as typed.
    return "".join(ch for ch in "".join(parts).lower() if ch.isascii() and ch.isalnum())


def pinyin_initials(name: str) -> str:
    """The first letter of each syllable, lowercase; non-Chinese letters and digits are kept whole."""
    return _letters(lazy_pinyin(name, style=Style.FIRST_LETTER))


def full_pinyin(name: str) -> str:
    """The toneless pinyin of the whole name, lowercase, without separators (ü is written "v")."""
    return _letters(lazy_pinyin(name, style=Style.NORMAL))
