"""Importing a tree from .xlsx or .csv: every row checked, errors with row/column/reason, all or nothing."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from jiedao.categories.models import Category
from jiedao.categories.services import CategoriesImportInvalid, categories_import

HEADER = ("一级分类", "二级分类", "三级分类")


def xlsx(*rows: tuple[object, ...]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def errors_of(source: bytes, filename: str) -> list[tuple[object, str, str]]:
    with pytest.raises(CategoriesImportInvalid) as caught:
        categories_import(source=source, filename=filename)
    return [(e.row, e.column, e.code) for e in caught.value.errors]


def test_import_xlsx_with_chinese_headers_creates_the_tree(db):
    data = xlsx(
        HEADER,
        ("城乡建设", "安全生产", "事故处理"),
        ("城乡建设", "安全生产", "安全隐患"),
        ("环境保护", "", ""),
    )

    report = categories_import(source=data, filename="分类.xlsx")

    assert dict(report.created) == {1: 2, 2: 1, 3: 2}
    assert sorted(Category.objects.values_list("code", "name")) == [
        ("01", "城乡建设"),
        ("0101", "安全生产"),
        ("010101", "事故处理"),
        ("010102", "安全隐患"),
        ("02", "环境保护"),
    ]


def test_import_csv_with_english_headers_extra_columns_and_messy_cells(db):
    text = "序号,level1,level2,level3\n1, 城乡建设 ,安全生产,事故\u3000处理\n2,城乡建设,安全生产,\n"

    categories_import(source=csv_bytes(text), filename="tree.CSV")

    assert sorted(Category.objects.values_list("name", flat=True)) == ["事故 处理", "城乡建设", "安全生产"]


def test_import_reads_a_gbk_csv_saved_by_excel(db):
    text = "一级分类,二级分类,三级分类\r\n环境保护,环保管理,环境执法\r\n"

    categories_import(source=csv_bytes(text, "gbk"), filename="tree.csv")

    assert Category.objects.get(level=3).path == "环境保护 › 环保管理 › 环境执法"


def test_import_ignores_duplicate_rows(db):
    data = xlsx(HEADER, ("环境保护", "环保管理", "环境执法"), ("环境保护", "环保管理", "环境执法"))

    report = categories_import(source=data, filename="tree.xlsx")

    assert report.total_created == 3
    assert Category.objects.count() == 3


def test_import_reports_row_column_and_reason_and_writes_nothing(db, english):
    data = xlsx(
        HEADER,
        ("环境保护", "环保管理", "环境执法"),  # row 2: fine, but must not be written either
        ("", "环保管理", ""),  # row 3: no level 1
        ("环境保护", "", "环境执法"),  # row 4: level 3 without level 2
        ("环境保护", "环保管理", "长" * 51),  # row 5: too long
        (None, None, None),  # row 6: blank, skipped
        ("环境保护", "", ""),  # row 7: fine
    )

    with pytest.raises(CategoriesImportInvalid) as caught:
        categories_import(source=data, filename="tree.xlsx")

    errors = caught.value.errors
    assert [(e.row, e.column, e.code) for e in errors] == [
        (3, "一级分类", "required"),
        (4, "二级分类", "level2_missing"),
        (5, "三级分类", "too_long"),
    ]
    assert errors[2].as_line() == "5 三级分类: Too long: at most 50 characters."
    assert "3 errors" in caught.value.message
    assert not Category.objects.exists()


def test_import_accepts_a_name_of_exactly_50_characters(db):
    categories_import(source=xlsx(HEADER, ("长" * 50, "", "")), filename="tree.xlsx")

    assert Category.objects.get().name == "长" * 50


def test_import_names_the_column_as_the_file_writes_it(db):
    text = "Level1,Level 2,LEVEL_3\n,环保管理,\n"

    assert errors_of(csv_bytes(text), "tree.csv") == [(2, "Level1", "required")]


def test_import_refuses_a_file_without_the_level1_column(db):
    assert errors_of(csv_bytes("二级分类,三级分类\n环保管理,环境执法\n"), "tree.csv") == [
        ("", "一级分类", "missing_column")
    ]


def test_import_refuses_two_columns_for_the_same_level(db):
    assert errors_of(csv_bytes("一级分类,level1\n环境保护,环境保护\n"), "tree.csv") == [
        (1, "level1", "duplicate_column")
    ]


def test_import_refuses_other_file_types_and_broken_files(db):
    assert errors_of(b"{}", "tree.json") == [("", "", "bad_file")]
    assert errors_of(b"not a zip", "tree.xlsx") == [("", "", "bad_file")]
    assert errors_of(b"\xff\xfe\x00\x00\xff", "tree.csv") == [("", "", "bad_file")]


def test_import_refuses_a_file_with_no_categories(db):
    assert errors_of(xlsx(HEADER), "tree.xlsx") == [("", "", "empty")]


def test_import_keeps_existing_nodes_and_their_codes(db):
    categories_import(source=xlsx(HEADER, ("环境保护", "环保管理", "")), filename="a.xlsx")

    data = xlsx(HEADER, ("城乡建设",), ("环境保护", "环保管理", "环境执法"))
    report = categories_import(source=data, filename="b.xlsx")

    assert dict(report.created) == {1: 1, 3: 1}
    assert report.existing == 2
    assert dict(Category.objects.values_list("name", "code")) == {
        "环境保护": "01",
        "环保管理": "0101",
        "环境执法": "010101",
        "城乡建设": "02",
    }


def test_seed_command_imports_a_file(db, tmp_path, capsys, english):
    path = tmp_path / "tree.xlsx"
    path.write_bytes(xlsx(HEADER, ("环境保护", "环保管理", "环境执法")))

    call_command("seed_categories", str(path))

    assert "1 level-1, 1 level-2, 1 level-3" in capsys.readouterr().out
    assert Category.objects.count() == 3


def test_seed_command_lists_every_error_and_fails(db, tmp_path, capsys, english):
    path = tmp_path / "tree.csv"
    path.write_text("一级分类,二级分类,三级分类\n,a,\nb,,c\n", encoding="utf-8")

    with pytest.raises(CommandError, match="2 errors"):
        call_command("seed_categories", str(path))

    err = capsys.readouterr().err
    assert "2 一级分类: The level-1 category is required." in err
    assert "3 二级分类: A level-3 category needs a level-2 category." in err
    assert not Category.objects.exists()


def test_seed_command_refuses_a_missing_file(db, tmp_path, english):
    with pytest.raises(CommandError, match="No such file"):
        call_command("seed_categories", str(tmp_path / "nope.xlsx"))
