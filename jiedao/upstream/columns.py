"""The fields an import file can fill, and the built-in preset: the headers 12345 platforms write for each.

A preset maps each of our field names to the header spellings it accepts. Headers are matched after removing
whitespace (``\\n\\t`` and ideographic spaces included), ``*`` marks and a trailing ``(…)`` note, case-insensitively
and with full-width letters folded (NFKC). The header words are data: what the platforms' exports say.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field("upstream_number", _("Upstream number"), required=True),
    Field("title", _("Title")),
    Field("content", _("Content")),
    Field("received_at", _("Received at"), required=True),
    Field("upstream_deadline", _("Upstream deadline")),
    Field("request_type", _("Request type")),
    Field("urgency", _("Urgency")),
    Field("reporter_name", _("Reporter name")),
    Field("reporter_phone", _("Reporter phone")),
    Field("confidential", _("Confidential")),
    Field("address", _("Address")),
    Field("lng", _("Longitude")),
    Field("lat", _("Latitude")),
    Field("office", _("Office")),
    Field("community", _("Community")),
    Field("grid", _("Grid")),
    Field("category", _("Category")),
    Field("category_1", _("Level-1 category")),
    Field("category_2", _("Level-2 category")),
    Field("category_3", _("Level-3 category")),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)
FIELD_BY_NAME = {field.name: field for field in FIELDS}
REQUIRED = tuple(field.name for field in FIELDS if field.required)

DEFAULT_PRESET_NAME = "12345平台标准导出"
# The first spelling of each field names the column in messages when the file has none.
DEFAULT_HEADERS: dict[str, list[str]] = {
    "upstream_number": ["工单编号", "工单号", "编号", "诉求编号", "受理编号", "留言编号", "件号"],
    "title": ["标题", "诉求标题", "工单标题", "留言主题", "主题", "诉求主题"],
    "content": ["内容", "诉求内容", "工单内容", "留言详情", "留言内容", "来电内容", "问题描述", "诉求描述"],
    "received_at": ["受理时间", "来电时间", "留言时间", "登记时间", "创建时间", "工单创建时间", "派发时间"],
    "upstream_deadline": ["办理时限", "截止时间", "办结时限", "处理时限", "要求办结时间", "办理期限"],
    "request_type": ["诉求类型", "工单类型", "诉求类别", "来电类型", "业务类型"],
    "urgency": ["紧急程度", "缓急程度", "紧急度", "缓急"],
    "reporter_name": ["来电人", "联系人", "来电人姓名", "诉求人", "反映人", "留言用户", "姓名"],
    "reporter_phone": ["联系电话", "来电号码", "联系方式", "手机号码", "来电电话", "电话"],
    "confidential": ["是否保密", "保密"],
    "address": ["地址", "事发地址", "事发地点", "问题地址", "诉求地址", "发生地址"],
    "lng": ["经度"],
    "lat": ["纬度"],
    "office": ["所属街道", "街道", "街道办事处", "承办街道", "街道(乡镇)", "乡镇街道", "所属街道(乡镇)"],
    "community": ["所属社区", "社区", "社区(村)", "村社区", "所属村社区"],
    "grid": ["所属网格", "网格"],
    "category": ["分类", "问题分类", "诉求分类", "事项分类", "业务分类"],
    "category_1": ["一级分类", "一级标签", "一级类别"],
    "category_2": ["二级分类", "二级标签", "二级类别"],
    "category_3": ["三级分类", "三级标签", "三级类别"],
}
# Tried in order before the tolerant reader (which also knows 年月日 and Excel serial numbers).
DEFAULT_DATE_FORMATS: list[str] = [
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H时%M分",
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%Y年%m月%d日",
]

_DECORATION = re.compile(r"[*＊]|[(（][^)）]*[)）]$")


def header_key(value: Any) -> str:
    """The header as matched: NFKC, whitespace and ``*`` removed, a trailing "(…)" note dropped, lower case.

    Parentheses inside a spelling that is itself in brackets ("街道(乡镇)") are kept when the whole is known;
    the caller tries the plain key first."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(text.split()).replace("*", "").lower()


def header_keys(value: Any) -> tuple[str, ...]:
    """The keys a header may match, the most literal first: "受理时间(必填)" → ("受理时间(必填)", "受理时间")."""
    plain = header_key(value)
    stripped = _DECORATION.sub("", plain)
    return (plain, stripped) if stripped != plain else (plain,)
