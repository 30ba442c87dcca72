"""Charts as PNG images drawn on the server with matplotlib, for the Word document and the print page.

Drawn with the Noto Sans CJK font file found by jiedao.reports.fonts, given to matplotlib explicitly (never left to
its font search, which would silently fall back to a font without Chinese).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure

from jiedao.reports.content import Chart
from jiedao.reports.fonts import cjk_font_path

COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2")
DPI = 150


def _font(path: Path) -> font_manager.FontProperties:
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path))


def chart_png(chart: Chart, *, width: float = 6.4, height: float = 3.2) -> bytes:
    """The chart as PNG bytes (width × height inches at 150 dpi). Raises FontMissing without the CJK font."""
    font = _font(cjk_font_path())
    figure = Figure(figsize=(width, height), dpi=DPI)
    axes = figure.add_subplot()
    positions = list(range(len(chart.categories)))
    count = max(1, len(chart.series))
    if chart.kind == "bar":
        span = 0.8 / count
        for index, (name, values) in enumerate(chart.series):
            heights = [0.0 if v is None else v for v in values]
            offsets = [p - 0.4 + span * (index + 0.5) for p in positions]
            bars = axes.bar(offsets, heights, span, label=name, color=COLOURS[index % len(COLOURS)])
            if len(positions) <= 12:
                labels = ["" if v is None else f"{v:g}" for v in values]
                for text in axes.bar_label(bars, labels=labels, fontsize=7):
                    text.set_fontproperties(font)
                    text.set_fontsize(7)
    else:
        for index, (name, values) in enumerate(chart.series):
            ys = [math.nan if v is None else v for v in values]
            axes.plot(positions, ys, marker="o", label=name, color=COLOURS[index % len(COLOURS)])
    axes.set_xticks(positions)
    rotation = 30 if len(positions) > 6 or max((len(c) for c in chart.categories), default=0) > 5 else 0
    axes.set_xticklabels(chart.categories, rotation=rotation, ha="right" if rotation else "center")
    for label in axes.get_xticklabels() + axes.get_yticklabels():
        label.set_fontproperties(font)
        label.set_fontsize(8)
    axes.set_title(chart.title, fontproperties=font, fontsize=11)
    if chart.unit:
        axes.set_ylabel(chart.unit, fontproperties=font, fontsize=9)
    if chart.unit == "%":
        axes.set_ylim(0, 105)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    if len(chart.series) > 1:
        axes.legend(prop=font_manager.FontProperties(fname=str(cjk_font_path()), size=8), frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
