"""Reading one cell of a platform export: texts with their `\\n\\t` noise, numbers, dates in many spellings, the
request-type and urgency words. Pure functions: each returns the value or raises CellError with the reason."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from jiedao.cases.choices import RequestType, Urgency

# The platforms are in China: a time written without a zone is Beijing time.
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Excel serial days of 1954 to 2064: a number there in a date column is a date stored as a number.
SERIAL_RANGE = (20_000, 60_000)
UPSTREAM_NUMBER_MAX = 64
NAME_MAX = 50
ADDRESS_MAX = 300

_BLANK_LINE = re.compile(r"[ \t\u3000\xa0\r]*\n[\s\u3000\xa0]*")
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*(?:[:：分]\s*(\d{1,2}(?:\.\d+)?)\s*秒?|分)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")
_MASKED_PHONE = re.compile(r"\d*[*＊xX]{2,}\d*")
_PHONE = re.compile(r"^\+?[\d\- ]{7,20}$")

TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("咨询", RequestType.CONSULTATION),
    ("求助", RequestType.HELP),
    ("求决", RequestType.HELP),
    ("投诉", RequestType.COMPLAINT),
    ("举报", RequestType.REPORT),
    ("检举", RequestType.REPORT),
    ("建议", RequestType.SUGGESTION),
    ("意见", RequestType.SUGGESTION),
    ("表扬", RequestType.PRAISE),
    ("感谢", RequestType.PRAISE),
)
URGENCY_WORDS: tuple[tuple[str, str], ...] = (
    ("特急", Urgency.URGENT),
    ("加急", Urgency.URGENT),
    ("紧急", Urgency.URGENT),
    ("急", Urgency.URGENT),
    ("一般", Urgency.NORMAL),
    ("普通", Urgency.NORMAL),
    ("正常", Urgency.NORMAL),
    ("复杂", Urgency.COMPLEX),
    ("疑难", Urgency.COMPLEX),
)
YES_WORDS = frozenset({"是", "保密", "yes", "y", "true", "1", "√"})
NO_WORDS = frozenset({"否", "不保密", "no", "n", "false", "0", "×"})


class CellError(ValueError):
    """The cell cannot be read; the message says why, for a person."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not _SPACES.sub("", value))


def as_text(value: Any) -> str:
    """The text as people mean it: no `\\n\\t` runs or ideographic spaces at the ends, one line break between
    paragraphs, the spaces of a line collapsed. Numbers are written without a trailing ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value).replace("\r\n", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in _BLANK_LINE.split(text))
    return "\n".join(line for line in lines if line)


def as_line(value: Any, limit: int) -> str:
    """One line of text at most `limit` characters; longer is an error (a name or address cut would lie)."""
    text = _SPACES.sub(" ", as_text(value)).strip()
    if len(text) > limit:
        raise CellError(_("Longer than %(n)d characters.") % {"n": limit})
    return text


def as_upstream_number(value: Any) -> str:
    """The platform's order number: digits stored as a number lose nothing ("24" not "24.0")."""
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("An order number cannot be a fraction: %(v)s.") % {"v": value})
        value = int(value)
    text = "".join(unicodedata.normalize("NFKC", as_text(value)).split())
    if len(text) > UPSTREAM_NUMBER_MAX:
        raise CellError(_("Longer than %(n)d characters.") % {"n": UPSTREAM_NUMBER_MAX})
    return text


def as_datetime(value: Any, formats: Sequence[str], *, end_of_day: bool = False) -> dt.datetime:
    """A moment from an Excel date, an Excel serial number, or text in the usual year-first spellings
    (2019/2/1 10:53:47, 2019-02-01 10:53, 2019年2月1日 10时53分, 20190201105347) or one of `formats`.

    Without a zone it is Beijing time; a date without a time is the start of the day, or its end for a deadline."""
    if isinstance(value, dt.datetime):
        moment, has_time = value, True
    elif isinstance(value, dt.date):
        moment, has_time = dt.datetime.combine(value, dt.time()), False
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            raise CellError(_("The number %(v)s is not a date.") % {"v": value})
        converted = from_excel(value)
        assert isinstance(converted, dt.datetime)
        moment, has_time = converted.replace(microsecond=0), not float(value).is_integer()
    else:
        moment, has_time = _parse_text(unicodedata.normalize("NFKC", as_text(value)).strip(), formats)
    if not has_time and end_of_day:
        moment = moment.replace(hour=23, minute=59, second=59)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def _parse_text(text: str, formats: Sequence[str]) -> tuple[dt.datetime, bool]:
    # Year first has one meaning whatever the separators, so the quick reader goes first; the preset's formats
    # then read what it does not (day-first dates, words).
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        for pattern in formats:
            try:
                return dt.datetime.strptime(text, pattern), any(code in pattern for code in ("%H", "%I", "%M"))
            except ValueError:
                continue
        raise CellError(_("“%(v)s” is not a date and time (e.g. 2024/5/6 14:30:00).") % {"v": text[:40]})
    year, month, day, hour, minute, second = match.groups()
    seconds = Decimal(second or 0)
    try:
        moment = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(seconds))
    except ValueError:
        raise CellError(_("“%(v)s” is not a real date.") % {"v": text[:40]}) from None
    return moment, hour is not None


def as_word(value: Any, words: Sequence[tuple[str, str]], *, what: str) -> str:
    """The choice a word stands for: the value itself, or the first listed word the text contains."""
    text = "".join(unicodedata.normalize("NFKC", as_text(value)).split()).lower()
    for word, choice in words:
        if text == choice or word in text:
            return choice
    known = "、".join(dict.fromkeys(word for word, _choice in words))
    raise CellError(
        _("“%(v)s” is not a %(what)s we know (%(known)s).") % {"v": text[:20], "what": what, "known": known}
    )


def as_request_type(value: Any) -> str:
    return as_word(value, TYPE_WORDS, what=_("request type"))


def as_urgency(value: Any) -> str:
    return as_word(value, URGENCY_WORDS, what=_("urgency"))


def as_flag(value: Any) -> bool:
    text = "".join(as_text(value).split()).lower()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise CellError(_("Write 是 or 否, not “%(v)s”.") % {"v": text[:20]})


def as_phone(value: Any) -> str:
    """A number to call, or "" for a masked one (138****1234): it cannot be called, so it is not kept. Several
    numbers in one cell: the first."""
    text = unicodedata.normalize("NFKC", as_text(value))
    if _MASKED_PHONE.search(text):
        return ""
    first = re.split(r"[,，;；/、\s]+(?=\+?\d)", text.strip())[0].strip()
    first = first.replace("(", "").replace(")", "")
    if not _PHONE.match(first):
        raise CellError(_("“%(v)s” is not a phone number (7–20 digits, spaces or dashes).") % {"v": text[:30]})
    return first


def as_coordinate(value: Any, bound: int) -> Decimal:
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise CellError(_("“%(v)s” is not a number of degrees.") % {"v": str(value)[:20]}) from None
    if not -bound <= number <= bound:
        raise CellError(_("Must be within ±%(n)d degrees.") % {"n": bound})
    return number
