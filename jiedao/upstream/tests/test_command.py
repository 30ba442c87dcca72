"""`jiedao import-12345`: counts on success; every error (row, column, problem) and a non-zero exit otherwise."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiedao.cases.models import Case
from jiedao.upstream.tests.conftest import order, workbook


def test_the_command_imports_and_prints_the_counts(world, dispatcher, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook([order("GD1"), order("GD2"), order("GD2")]))
    out = io.StringIO()
    call_command("import_12345", str(path), "--user", dispatcher.username, stdout=out)
    assert "created 2, updated 0, unchanged 0, repeated rows collapsed 1" in out.getvalue()
    out = io.StringIO()
    call_command("import_12345", str(path), "--user", dispatcher.username, "--preset", "12345平台标准导出", stdout=out)
    assert "created 0, updated 0, unchanged 2" in out.getvalue()
    assert Case.objects.count() == 2


def test_the_command_prints_every_error_and_fails(world, dispatcher, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook([order("GD1"), order("GD2", received="昨天"), order("GD3", community="Z社区")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 errors"):
        call_command("import_12345", str(path), "--user", dispatcher.username, stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("第3行 受理时间: ") and "昨天" in lines[0]
    assert lines[1].startswith("第4行 所属社区: ")
    assert not Case.objects.exists()


def test_the_command_checks_its_arguments(world, dispatcher, community_staff, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook([order("GD1")]))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_12345", str(tmp_path / "missing.xlsx"), "--user", dispatcher.username)
    with pytest.raises(CommandError, match="no user"):
        call_command("import_12345", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="--office"):
        call_command("import_12345", str(path), "--user", dispatcher.username, "--office", "999")
    with pytest.raises(CommandError):
        call_command("import_12345", str(path), "--user", community_staff.username)
    with pytest.raises(CommandError):
        call_command("import_12345", str(path), "--user", dispatcher.username, "--preset", "没有")
    call_command(
        "import_12345", str(path), "--user", dispatcher.username, "--office", world.office.code, stdout=io.StringIO()
    )
    assert Case.objects.get().office == world.office
