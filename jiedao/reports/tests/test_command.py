"""`jiedao report KIND --period P --place CODE --out FILE`."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook


def test_the_command_writes_the_file_of_the_extension(world, week_history, tmp_path):
    out = tmp_path / "weekly.xlsx"
    stdout = io.StringIO()
    call_command(
        "report", "weekly", "--period", "2026-W47", "--place", world.office.code, "--out", str(out), stdout=stdout
    )
    assert "甲街道2026年第47周" in stdout.getvalue()
    assert "概要" in load_workbook(out).sheetnames
    html = tmp_path / "q.html"
    call_command("report", "quarterly", "--period", "2026-Q4", "--place", world.community_a.code, "--out", str(html))
    assert "A社区2026年第四季度" in html.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("kind", "period", "message"),
    [
        ("weekly", "2026-11", "--period: a weekly report needs a period like 2026-W47, not '2026-11'"),
        ("monthly", "2026-13", "--period: '2026-13' has no month 13"),
        ("quarterly", "2026-Q5", "--period: a quarterly report needs a period like 2026-Q3"),
        ("weekly", "2026-W54", "--period: 2026 has no ISO week 54"),
        ("annual", "26", "--period: an annual report needs a period like 2026"),
    ],
)
def test_a_bad_period_is_refused_by_name(world, tmp_path, kind, period, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command(
            "report", kind, "--period", period, "--place", world.office.code, "--out", str(tmp_path / "x.docx")
        )


def test_a_bad_place_or_file_is_refused_by_name(world, tmp_path):
    good = ["weekly", "--period", "2026-W47"]
    with pytest.raises(CommandError, match="--place: no place has the code '999'"):
        call_command("report", *good, "--place", "999", "--out", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match=r"--place: .* give an office or a community"):
        call_command("report", *good, "--place", world.grid_a1.code, "--out", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match=r"--out: the file must end in .docx, .xlsx or .html, not 'x.pdf'"):
        call_command("report", *good, "--place", world.office.code, "--out", str(tmp_path / "x.pdf"))
