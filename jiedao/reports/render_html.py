"""The report as one print-ready HTML page: charts embedded as PNG data, print CSS for A4, no outside file needed."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils import translation

from jiedao.reports.charts import chart_png
from jiedao.reports.content import ReportContent
from jiedao.reports.fonts import FAMILY


def render_html(content: ReportContent, *, base_url: str = "") -> bytes:
    """The page's UTF-8 bytes; links to the cases behind each number start with `base_url` (the site's address,
    empty for links relative to the site). Raises FontMissing when the charts' CJK font is not installed."""
    images = {
        id(chart): base64.b64encode(chart_png(chart)).decode("ascii")
        for section in content.sections
        for chart in section.charts
    }
    sections = [
        {"section": section, "charts": [(chart, images[id(chart)]) for chart in section.charts]}
        for section in content.sections
    ]
    with translation.override("zh-hans"):
        html = render_to_string(
            "reports/document.html",
            {"content": content, "sections": sections, "font": FAMILY, "base_url": base_url.rstrip("/")},
        )
    return html.encode("utf-8")
