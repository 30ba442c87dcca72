"""Administrative division codes (DOMAIN.md §3), validated with a message that says what is wrong.

区县 6 digits (GB/T 2260) · 街道 12 digits, digits 7–9 in 001–099, digits 10–12 "000" ·
社区 12 digits with digits 10–12 in 001–199, 村 200–399 · 网格: the community's 12 digits + a 3-digit sequence.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiedao.places.choices import PARENT_LEVEL, Level, PlaceKind

# First two digits of GB/T 2260 codes: provinces, autonomous regions, municipalities, HK, Macao, Taiwan.
PROVINCE_PREFIXES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)

CODE_LENGTH: dict[str, int] = {Level.DISTRICT: 6, Level.SUBDISTRICT: 12, Level.COMMUNITY: 12, Level.GRID: 15}
PREFIX_LENGTH: dict[str, int] = {Level.DISTRICT: 6, Level.SUBDISTRICT: 9, Level.COMMUNITY: 12, Level.GRID: 15}


class CodeError(ValueError):
    """A code that does not fit its level; str() is a Chinese sentence for the user."""


def prefix_of(code: str, level: str) -> str:
    return code[: PREFIX_LENGTH[level]]


def validate_code(code: str, level: str, kind: str = "", parent_code: str | None = None) -> None:
    """Raise CodeError unless `code` is a well-formed code of `level` (and `kind`) under `parent_code`."""
    length = CODE_LENGTH[level]
    if len(code) != length or not code.isdigit():
        raise CodeError(_("The code must be %(n)d digits, got “%(code)s”.") % {"n": length, "code": code})
    if code[:2] not in PROVINCE_PREFIXES:
        raise CodeError(_("“%(p)s” is not a province code of GB/T 2260.") % {"p": code[:2]})
    if level == Level.DISTRICT:
        if code[4:6] == "00":
            raise CodeError(_("Digits 5–6 of a district code cannot be 00 (that is a city)."))
    elif level == Level.SUBDISTRICT:
        seq = int(code[6:9])
        if not 1 <= seq <= 99:
            raise CodeError(_("Digits 7–9 of a sub-district code must be 001–099, got %(s)s.") % {"s": code[6:9]})
        if code[9:12] != "000":
            raise CodeError(_("Digits 10–12 of a sub-district code must be 000."))
    elif level == Level.COMMUNITY:
        seq = int(code[9:12])
        if kind == PlaceKind.VILLAGE and not 200 <= seq <= 399:
            raise CodeError(_("Digits 10–12 of a village code must be 200–399, got %(s)s.") % {"s": code[9:12]})
        if kind != PlaceKind.VILLAGE and not 1 <= seq <= 199:
            raise CodeError(_("Digits 10–12 of a community code must be 001–199, got %(s)s.") % {"s": code[9:12]})
        if not 1 <= int(code[6:9]) <= 99:
            raise CodeError(_("Digits 7–9 (the sub-district) must be 001–099, got %(s)s.") % {"s": code[6:9]})
    elif level == Level.GRID and code[12:15] == "000":
        raise CodeError(_("The last three digits of a grid code (its sequence) cannot be 000."))
    if parent_code is not None:
        parent_level = PARENT_LEVEL[level]
        if parent_level is not None and not code.startswith(prefix_of(parent_code, parent_level)):
            raise CodeError(
                _("The code %(code)s does not start with the code of its parent %(parent)s.")
                % {"code": code, "parent": prefix_of(parent_code, parent_level)}
            )
