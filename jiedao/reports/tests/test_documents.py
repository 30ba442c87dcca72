"""The three files: Word with headings, tables and chart images in a CJK font; Excel with native charts; the print
page; and the font check that names the package to install."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from jiedao.reports import fonts
from jiedao.reports.builders import build_report
from jiedao.reports.charts import chart_png
from jiedao.reports.choices import ReportKind
from jiedao.reports.content import Chart
from jiedao.reports.periods import parse_period
from jiedao.reports.render_docx import render_docx
from jiedao.reports.render_html import render_html
from jiedao.reports.render_xlsx import render_xlsx


@pytest.fixture
def quarterly(world, week_history):
    period = parse_period(ReportKind.QUARTERLY, "2026-Q4")
    return build_report(kind=ReportKind.QUARTERLY, place=world.office, period=period, comments="请各社区对照整改。")


def test_docx_has_headings_tables_images_and_east_asian_font(quarterly):
    data = render_docx(quarterly)
    document = Document(io.BytesIO(data))
    headings = [
        p.text
        for p in document.paragraphs
        if p.style and p.style.name and (p.style.name.startswith("Heading") or p.style.name == "Title")
    ]
    assert headings[0] == "甲街道2026年第四季度诉求办理季度分析报告"
    assert "二、“三率”情况" in headings and "七、街道意见" in headings
    assert len(document.tables) >= 4
    assert document.tables[-1].rows[0].cells[1].text == "承办单位"
    assert len(document.inline_shapes) >= 3  # charts as images
    assert any(p.text == "请各社区对照整改。" for p in document.paragraphs)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:eastAsia="Noto Sans CJK SC"' in xml
    images = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("word/media/")]
    assert images and all(n.endswith(".png") for n in images)


def test_xlsx_has_the_numbers_the_tables_and_native_charts(quarterly):
    book = load_workbook(io.BytesIO(render_xlsx(quarterly)))
    summary = book["概要"]
    labels = [row[1] for row in summary.iter_rows(min_row=5, values_only=True)]
    assert "按时办结率" in labels and "受理诉求" in labels
    assert "各社区办理情况" in book.sheetnames
    charts = [chart for sheet in book.worksheets for chart in sheet._charts]
    assert len(charts) >= 3
    assert {type(c).__name__ for c in charts} == {"BarChart", "LineChart"}


def test_the_print_page_renders_with_charts_links_and_print_css(quarterly):
    html = render_html(quarterly, base_url="https://jiedao.example/").decode()
    assert "<h1>甲街道2026年第四季度诉求办理季度分析报告</h1>" in html
    assert "@media print" in html and "@page" in html
    assert html.count("data:image/png;base64,") >= 3
    assert 'href="https://jiedao.example/analytics/cases/?period=custom' in html
    assert "请各社区对照整改。" in html


def test_a_chart_is_a_png_drawn_with_the_noto_cjk_font(monkeypatch):
    used = []
    real = fonts.cjk_font_path

    def spy(*args):
        used.append(real(*args))
        return used[-1]

    monkeypatch.setattr("jiedao.reports.charts.cjk_font_path", spy)
    png = chart_png(Chart("x", "受理量走势", "bar", ["十月", "十一月"], [("受理（件）", [3.0, 5.0])], "件"))
    assert png.startswith(b"\x89PNG")
    assert used and used[0].name == "NotoSansCJK-Regular.ttc"


def test_a_missing_cjk_font_is_an_error_naming_the_package(monkeypatch, tmp_path):
    monkeypatch.delenv(fonts.ENV, raising=False)
    with pytest.raises(fonts.FontMissing, match="fonts-noto-cjk"):
        fonts.cjk_font_path((str(tmp_path / "nothing.ttc"),))


def test_the_font_is_installed_here():
    # The setup (make run, make test) installs fonts-noto-cjk: without it this machine cannot draw a report.
    assert fonts.cjk_font_path().is_file()
