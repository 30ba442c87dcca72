"""Importing places from Excel and GeoJSON: the service, the command and the admin page.

Files are real: workbooks written with openpyxl into tmp_path, GeoJSON written with json. Assertions use the
stable error codes and the (sheet, row, column) of each error, not the wording, which translators change.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from conftest import World
from jiedao.accounts.models import User
from jiedao.accounts.tests.factories import UserFactory
from jiedao.audit.choices import AuditAction
from jiedao.audit.models import AuditEvent
from jiedao.places import geo, imports_admin
from jiedao.places.choices import Level, PlaceKind
from jiedao.places.imports import PlacesImportInvalid, places_import
from jiedao.places.imports_excel import errors_workbook
from jiedao.places.imports_rows import RowError
from jiedao.places.models import Building, Place
from jiedao.places.tests.factories import square

Rows = list[list[Any]]
IMPORT_URL = "/admin/places/place/import/"
ERRORS_URL = "/admin/places/place/import/errors.xlsx"
CHANGELIST_URL = "/admin/places/place/"

PLACE_HEADER = ["代码", "名称", "上级代码", "类型", "户数", "人口", "边界"]
BUILDING_HEADER = ["网格代码", "楼栋号", "名称", "地址", "经度", "纬度", "层数"]


def write_workbook(path: Path, sheets: dict[str, Rows]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_geojson(path: Path, features: list[Any]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), "utf-8")
    return path


def feature(properties: dict[str, Any], geometry: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def run_import(path: Path, actor: Any = None) -> Any:
    with path.open("rb") as source:
        return places_import(source=source, filename=path.name, actor=actor)


def import_errors(path: Path, actor: Any = None) -> list[RowError]:
    with pytest.raises(PlacesImportInvalid) as caught:
        run_import(path, actor)
    return caught.value.errors


def where(errors: list[RowError]) -> set[tuple[str, int | str, str, str]]:
    return {(e.sheet, e.row, e.column, e.code) for e in errors}


def new_tree_sheets() -> dict[str, Rows]:
    """A new district 新区 (330198) with one office, a community and a village, two grids and a building.

    The sheets come children first, with varied header spellings: order and wording must not matter.
    """
    return {
        "楼栋": [BUILDING_HEADER, ["330198001001001", "1", "新1幢", "新路2号", 121.005, 31.005, 18]],
        "网格": [
            ["网格代码", "名称", "上级代码", "类型", "户数", "专属对象", "边界（GeoJSON）"],
            [
                "330198001001001",
                "新社区第1网格",
                "330198001001",
                "综合网格",
                420,
                None,
                json.dumps(square(121.0, 31.0)),
            ],
            ["330198001001002", "新区实验小学网格", "330198001001", "专属网格", 0, "新区实验小学", None],
        ],
        "社区": [
            ["编码", "名称", "所属代码", "类型", "户数", "人口"],
            ["330198001001", "新社区", "330198001000", "社区", 1200, 3500],
            [330198001201, "新村", 330198001000, None, None, None],  # codes typed as numbers; 201 is a village
        ],
        "街道": [["区划代码", " 名 称 ", "上级代码", "地址"], ["330198001000", "新街道", "330198", "新路1号"]],
        "区县": [["代码", "名称"], ["330198", "新区"]],
    }


# --- Excel: a valid workbook -------------------------------------------------------------------------------------


def test_import_workbook_creates_the_whole_tree(world: World, superuser: User, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "新区.xlsx", new_tree_sheets())

    report = run_import(path, superuser)

    assert report.created == {"district": 1, "subdistrict": 1, "community": 2, "grid": 2, "building": 1}
    district = Place.objects.get(code="330198")
    office = Place.objects.get(code="330198001000", parent=district, level=Level.SUBDISTRICT)
    assert (office.prefix, office.address) == ("330198001", "新路1号")
    community = Place.objects.get(code="330198001001", parent=office)
    assert (community.kind, community.households, community.population) == (PlaceKind.COMMUNITY, 1200, 3500)
    assert Place.objects.get(code="330198001201", parent=office).kind == PlaceKind.VILLAGE
    grid = Place.objects.get(code="330198001001001", parent=community, level=Level.GRID)
    assert grid.boundary == square(121.0, 31.0)
    assert grid.prefix == grid.code
    school = Place.objects.get(code="330198001001002")
    assert (school.kind, school.dedicated_to, school.households) == (PlaceKind.DEDICATED, "新区实验小学", 0)
    building = Building.objects.get(grid=grid, number="1")
    assert (building.scope_code, building.floors) == (grid.code, 18)
    assert (building.lng, building.lat) == (Decimal("121.005000"), Decimal("31.005000"))


def test_import_again_updates_instead_of_duplicating(world: World, superuser: User, tmp_path: Path) -> None:
    sheets = new_tree_sheets()
    run_import(write_workbook(tmp_path / "first.xlsx", sheets), superuser)
    places_before, buildings_before = Place.objects.count(), Building.objects.count()
    # Given the same file with a renamed grid, new households and a taller building
    sheets["网格"][1][1] = "新社区一网格"
    sheets["网格"][1][4] = 450
    sheets["楼栋"][1][6] = 20

    report = run_import(write_workbook(tmp_path / "second.xlsx", sheets), superuser)

    assert (Place.objects.count(), Building.objects.count()) == (places_before, buildings_before)
    assert report.created == {"district": 0, "subdistrict": 0, "community": 0, "grid": 0, "building": 0}
    assert report.updated == {"district": 0, "subdistrict": 0, "community": 0, "grid": 1, "building": 1}
    grid = Place.objects.get(code="330198001001001")
    assert (grid.name, grid.households, grid.boundary) == ("新社区一网格", 450, square(121.0, 31.0))
    assert Building.objects.get(grid=grid, number="1").floors == 20


def test_blank_cells_keep_the_existing_values(world: World, superuser: User, tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "names.xlsx",
        {"网格": [PLACE_HEADER, ["330199001001001", "A社区一网格", "330199001001", None, None, None, None]]},
    )

    report = run_import(path, superuser)

    world.grid_a1.refresh_from_db()
    assert report.updated["grid"] == 1
    assert world.grid_a1.name == "A社区一网格"
    assert (world.grid_a1.households, world.grid_a1.boundary) == (400, square(120.00, 30.0))


def test_import_writes_one_audit_event_with_the_counts(world: World, superuser: User, tmp_path: Path) -> None:
    run_import(write_workbook(tmp_path / "新区.xlsx", new_tree_sheets()), superuser)

    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor == superuser
    assert event.detail["file"] == "新区.xlsx"
    assert event.detail["created"]["grid"] == 2
    assert event.detail["updated"]["grid"] == 0


# --- Excel: errors ----------------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_sheet_row_and_column(world: World, superuser: User, tmp_path: Path) -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[120, 30], [120.01, 30.01], [120.01, 30], [120, 30.01], [120, 30]]]}
    grids: Rows = [
        PLACE_HEADER,
        ["330199001001003", "A社区第3网格", "330199001001", "综合网格", 300, None, None],  # 2: fine
        ["330199001001004", None, "330199001001", None, None, None, None],  # 3: no name
        ["33019900100100", "短", "330199001001", None, None, None, None],  # 4: 14 digits
        ["330199001009001", "无主", "330199001009", None, None, None, None],  # 5: no such parent
        ["330199001001005", "挂错", "330199001000", None, None, None, None],  # 6: parent is an office
        ["330199001001003", "重复", "330199001001", None, None, None, None],  # 7: code again
        ["330199001001006", "类型错", "330199001001", "村", None, None, None],  # 8: a village is no grid
        ["330199001001007", "负数", "330199001001", None, -5, "abc", None],  # 9: bad numbers
        ["330199001001008", "蝴蝶", "330199001001", None, None, None, json.dumps(bowtie)],  # 10: invalid polygon
        ["330199001001009", "乱码", "330199001001", None, None, None, "{not json"],  # 11: not JSON
        ["330199001001001", "搬家", "330199001002", None, None, None, None],  # 12: A1 moved to B
    ]
    communities: Rows = [
        ["代码", "名称", "上级代码"],
        ["330199001000", "甲街道", "330199"],  # 2: an office on the community sheet
    ]
    buildings: Rows = [
        BUILDING_HEADER,
        ["330199001001003", "1", "新楼", "路1号", None, None, 6],  # 2: fine (grid from this file)
        ["330199001001099", "1", "无网格", "路2号", None, None, 6],  # 3: no such grid
        ["330199001001003", "1", "重号", "路3号", None, None, 6],  # 4: number again in the grid
        ["330199001001001", "9", "经度", "路4号", 200, 30, 6],  # 5: longitude out of range
        ["330199001001001", "10", "半坐标", "路5号", None, 30, 6],  # 6: latitude without longitude
        ["330199001001", "11", "社区", "路6号", None, None, 6],  # 7: a community, not a grid
        ["330199001001001", "12", "负层", "路7号", None, None, -1],  # 8: negative floors
    ]
    path = write_workbook(tmp_path / "bad.xlsx", {"网格": grids, "社区": communities, "楼栋": buildings})

    errors = import_errors(path, superuser)

    assert where(errors) == {
        ("网格", 3, "名称", "required"),
        ("网格", 4, "代码", "code_invalid"),
        ("网格", 5, "上级代码", "parent_missing"),
        ("网格", 6, "上级代码", "parent_level"),
        ("网格", 7, "代码", "duplicate"),
        ("网格", 8, "类型", "kind_invalid"),
        ("网格", 9, "户数", "number_invalid"),
        ("网格", 9, "人口", "number_invalid"),
        ("网格", 10, "边界", "boundary_invalid"),
        ("网格", 11, "边界", "boundary_invalid"),
        ("网格", 12, "上级代码", "parent_changed"),
        ("社区", 2, "代码", "level_changed"),
        ("楼栋", 3, "网格代码", "grid_missing"),
        ("楼栋", 4, "楼栋号", "building_duplicate"),
        ("楼栋", 5, "经度", "coordinate_invalid"),
        ("楼栋", 6, "经度", "coordinate_missing"),
        ("楼栋", 7, "网格代码", "not_grid"),
        ("楼栋", 8, "层数", "number_invalid"),
    }
    # In file order: the tree from the top (社区 before 网格), rows ascending, buildings last.
    assert [(e.sheet, e.row) for e in errors] == sorted(
        ((e.sheet, e.row) for e in errors), key=lambda p: (["社区", "网格", "楼栋"].index(p[0]), p[1])
    )
    assert all(e.message for e in errors)


def test_sheet_level_problems_are_one_error_each(world: World, superuser: User, tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "sheets.xlsx",
        {
            "小区": [["代码"], ["1"]],
            "网格": [["代码", "名称"], ["330199001001003", "缺上级列"], ["330199001001004", "缺上级列"]],
            "社区": [
                ["代码", "编码", "名称", "上级代码"],
                ["330199001003", "330199001003", "两列代码", "330199001000"],
            ],
        },
    )

    errors = import_errors(path, superuser)

    assert where(errors) == {
        ("小区", "", "", "unknown_sheet"),
        ("网格", "", "上级代码", "missing_column"),
        ("社区", 1, "编码", "duplicate_column"),
    }
    assert "小区" in next(e.message for e in errors if e.code == "unknown_sheet")


def test_one_bad_row_writes_nothing(world: World, superuser: User, tmp_path: Path) -> None:
    sheets = new_tree_sheets()
    sheets["网格"].append(["330198001001003", "坏网格", "330198001001", None, -1, None, None])
    counts_before = (Place.objects.count(), Building.objects.count(), AuditEvent.objects.count())

    errors = import_errors(write_workbook(tmp_path / "almost.xlsx", sheets), superuser)

    assert where(errors) == {("网格", 4, "户数", "number_invalid")}
    assert (Place.objects.count(), Building.objects.count(), AuditEvent.objects.count()) == counts_before
    assert not Place.objects.filter(code__startswith="330198").exists()


def test_not_a_workbook_is_one_clear_error(world: World, superuser: User, tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"this is not a zip file")

    assert where(import_errors(path, superuser)) == {("", "", "", "bad_file")}


def test_an_empty_workbook_is_refused(world: World, superuser: User, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "empty.xlsx", {"网格": [PLACE_HEADER]})

    assert where(import_errors(path, superuser)) == {("", "", "", "empty")}


def test_an_unknown_extension_is_refused(world: World, superuser: User, tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text("代码,名称\n", "utf-8")

    assert where(import_errors(path, superuser)) == {("", "", "", "bad_file")}


# --- GeoJSON ----------------------------------------------------------------------------------------------------


def test_geojson_creates_places_with_levels_inferred(world: World, superuser: User, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "grids.geojson",
        [
            feature({"代码": "330199001003", "名称": "D社区", "上级代码": "330199001000", "户数": 800}),
            feature(
                {"code": "330199001003001", "name": "D社区学校网格", "parent": "330199001003", "kind": "专属网格"},
                square(120.05, 30.0),
            ),
        ],
    )

    report = run_import(path, superuser)

    assert (report.created["community"], report.created["grid"]) == (1, 1)
    community = Place.objects.get(code="330199001003", level=Level.COMMUNITY, parent=world.office)
    assert community.households == 800
    grid = Place.objects.get(code="330199001003001", level=Level.GRID, parent=community)
    assert (grid.kind, grid.boundary) == (PlaceKind.DEDICATED, square(120.05, 30.0))


def test_geojson_errors_name_the_feature_and_property(world: World, superuser: User, tmp_path: Path) -> None:
    line = {"type": "LineString", "coordinates": [[120, 30], [121, 31]]}
    path = write_geojson(
        tmp_path / "bad.geojson",
        [
            feature({"代码": "330199001003", "名称": "D社区", "上级代码": "330199001000"}),  # 1: fine
            feature({"代码": "330199001004", "上级代码": "330199001000"}),  # 2: no name
            feature({"代码": "330199001001003", "名称": "线", "上级代码": "330199001001"}, line),  # 3: not a polygon
            feature({"code": "330199001005", "name": "E", "parent": "330199001000", "households": "-1"}),  # 4
            feature({"代码": "330199001006", "名称": "F", "上级代码": "330199001000", "层级": "小区"}),  # 5
            "not a feature",  # 6
            feature({"代码": "330199001001009", "名称": "孤儿网格"}),  # 7: no parent
        ],
    )

    errors = import_errors(path, superuser)

    assert where(errors) == {
        ("GeoJSON", "要素 2", "名称", "required"),
        ("GeoJSON", "要素 3", "geometry", "boundary_invalid"),
        ("GeoJSON", "要素 4", "households", "number_invalid"),
        ("GeoJSON", "要素 5", "层级", "level_invalid"),
        ("GeoJSON", "要素 6", "type", "bad_feature"),
        ("GeoJSON", "要素 7", "上级代码", "required"),
    }
    assert [e.row for e in errors] == ["要素 2", "要素 3", "要素 4", "要素 5", "要素 6", "要素 7"]
    assert not Place.objects.filter(code="330199001003").exists()


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"type": "Feature", "properties": {}}', "[]".encode("utf-16")],
)
def test_geojson_that_is_no_feature_collection_is_one_error(
    world: World, superuser: User, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)

    assert where(import_errors(path, superuser)) == {("", "", "", "bad_file")}


# --- Scope ------------------------------------------------------------------------------------------------------


def test_office_admin_cannot_import_into_another_office(world: World, office_admin: User, tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "other.xlsx",
        {
            "社区": [["代码", "名称", "上级代码"], ["330199002002", "乙的新社区", "330199002000"]],
            "网格": [PLACE_HEADER, ["330199002001002", "C社区第2网格", "330199002001", None, None, None, None]],
            "楼栋": [BUILDING_HEADER, ["330199002001001", "99", "乙的楼", "乙路1号", None, None, 6]],
        },
    )

    errors = import_errors(path, office_admin)

    assert where(errors) == {
        ("社区", 2, "代码", "out_of_scope"),
        ("网格", 2, "代码", "out_of_scope"),
        ("楼栋", 2, "网格代码", "out_of_scope"),
    }
    assert not Place.objects.filter(code__in=["330199002002", "330199002001002"]).exists()
    assert not Building.objects.filter(number="99").exists()


def test_office_admin_cannot_change_his_office_itself(world: World, office_admin: User, tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "root.xlsx", {"街道": [["代码", "名称", "上级代码"], ["330199001000", "改名", "330199"]]}
    )

    assert where(import_errors(path, office_admin)) == {("街道", 2, "代码", "out_of_scope")}
    world.office.refresh_from_db()
    assert world.office.name == "甲街道"


def test_office_admin_imports_inside_his_office(world: World, office_admin: User, tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "mine.xlsx",
        {"网格": [PLACE_HEADER, ["330199001001003", "A社区第3网格", "330199001001", None, 380, None, None]]},
    )

    report = run_import(path, office_admin)

    assert report.created["grid"] == 1
    assert Place.objects.get(code="330199001001003").parent == world.community_a


def test_office_admin_may_name_his_office_unchanged_as_context(
    world: World, office_admin: User, tmp_path: Path
) -> None:
    # Given a workbook that lists his own office as it is, above a new community of it
    path = write_workbook(
        tmp_path / "with-office.xlsx",
        {
            "街道": [["代码", "名称", "上级代码"], ["330199001000", "甲街道", "330199"]],
            "社区": [PLACE_HEADER, ["330199001009", "新社区", "330199001000", "社区", None, None, None]],
        },
    )

    report = run_import(path, office_admin)

    # then the community is created and the office row is skipped, neither an error nor an update
    assert report.created["community"] == 1
    assert report.created["subdistrict"] == 0
    assert not any(report.updated.values())
    world.office.refresh_from_db()
    assert world.office.name == "甲街道"


def test_another_office_named_unchanged_is_still_out_of_scope(world: World, office_admin: User, tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "other.xlsx", {"街道": [["代码", "名称", "上级代码"], ["330199002000", "乙街道", "330199"]]}
    )

    assert where(import_errors(path, office_admin)) == {("街道", 2, "代码", "out_of_scope")}


def test_outsider_without_admin_role_may_import_nothing(world: World, outsider: User, tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "b.xlsx",
        {"网格": [PLACE_HEADER, ["330199001002002", "B社区第2网格", "330199001002", None, None, None, None]]},
    )

    assert where(import_errors(path, outsider)) == {("网格", 2, "代码", "out_of_scope")}


# --- The command ------------------------------------------------------------------------------------------------


def test_command_imports_and_prints_the_counts(world: World, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "新区.xlsx", new_tree_sheets())
    out = io.StringIO()

    call_command("import_places", str(path), stdout=out)

    assert "新区.xlsx" in out.getvalue()
    assert Place.objects.filter(code__startswith="330198").count() == 6
    assert AuditEvent.objects.get(action=AuditAction.IMPORT).actor is None


def test_command_prints_every_error_and_fails(world: World, tmp_path: Path) -> None:
    sheets = new_tree_sheets()
    sheets["网格"][1][1] = None
    sheets["楼栋"][1][4] = 500
    path = write_workbook(tmp_path / "bad.xlsx", sheets)
    err = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_places", str(path), stderr=err)

    assert caught.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("网格 2 名称: ")
    assert lines[1].startswith("楼栋 2 经度: ")
    assert not Place.objects.filter(code__startswith="330198").exists()


def test_command_as_a_user_is_limited_to_his_area(world: World, office_admin: User, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "新区.xlsx", new_tree_sheets())
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_places", str(path), "--user", office_admin.username, stderr=err)

    assert "区县 2 代码: " in err.getvalue()
    assert not Place.objects.filter(code__startswith="330198").exists()


def test_command_refuses_an_unknown_user_and_a_missing_file(world: World, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "新区.xlsx", new_tree_sheets())

    with pytest.raises(CommandError):
        call_command("import_places", str(path), "--user", "nobody")
    with pytest.raises(CommandError):
        call_command("import_places", str(tmp_path / "missing.xlsx"))
    assert not Place.objects.filter(code__startswith="330198").exists()


# --- The admin page ---------------------------------------------------------------------------------------------


def upload(client: Client, path: Path) -> Any:
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(path.name, path.read_bytes())})


def test_changelist_links_to_the_import_page(world: World, client: Client, superuser: User) -> None:
    client.force_login(superuser)

    response = client.get(CHANGELIST_URL)

    assert reverse("admin:places_place_import") == IMPORT_URL
    assert f'href="{IMPORT_URL}"' in response.content.decode()


def test_admin_upload_imports_and_returns_to_the_list(
    world: World, client: Client, superuser: User, tmp_path: Path
) -> None:
    client.force_login(superuser)
    assert client.get(IMPORT_URL).status_code == 200

    response = upload(client, write_workbook(tmp_path / "新区.xlsx", new_tree_sheets()))

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST_URL
    assert Place.objects.filter(code__startswith="330198").count() == 6
    page = client.get(CHANGELIST_URL).content.decode()
    assert "新区.xlsx" in page  # the success message with the counts


def test_admin_upload_shows_the_errors_and_offers_them_as_xlsx(
    world: World, client: Client, superuser: User, tmp_path: Path
) -> None:
    client.force_login(superuser)
    sheets = new_tree_sheets()
    sheets["网格"][2][0] = "33019800100100X"

    response = upload(client, write_workbook(tmp_path / "bad.xlsx", sheets))

    assert response.status_code == 200
    assert [(e.sheet, e.row, e.column, e.code) for e in response.context["errors"]] == [
        ("网格", 3, "网格代码", "code_invalid")
    ]
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert "<td>网格代码</td>" in html
    assert not Place.objects.filter(code__startswith="330198").exists()

    download = client.get(ERRORS_URL)

    assert download.status_code == 200
    assert download["Content-Type"] == imports_admin.XLSX_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert [cell.value for cell in sheet[1]] == ["工作表", "行", "列", "原因"]
    assert [sheet["A2"].value, sheet["B2"].value, sheet["C2"].value] == ["网格", 3, "网格代码"]
    assert "33019800100100X" in sheet["D2"].value


def test_error_workbook_keeps_values_that_look_like_formulas_as_text() -> None:
    hostile = '=HYPERLINK("http://example.invalid","x")'

    content = errors_workbook([RowError(hostile, 2, "代码", "bad", "unknown_sheet")])

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == (hostile, "s")


def test_admin_error_download_without_errors_goes_back(world: World, client: Client, superuser: User) -> None:
    client.force_login(superuser)

    response = client.get(ERRORS_URL)

    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL


def test_admin_office_admin_is_limited_to_his_office(
    world: World, client: Client, office_admin: User, tmp_path: Path
) -> None:
    client.force_login(office_admin)
    other = write_workbook(
        tmp_path / "other.xlsx",
        {"网格": [PLACE_HEADER, ["330199002001002", "C社区第2网格", "330199002001", None, None, None, None]]},
    )
    mine = write_workbook(
        tmp_path / "mine.xlsx",
        {"网格": [PLACE_HEADER, ["330199001001003", "A社区第3网格", "330199001001", None, None, None, None]]},
    )

    refused = upload(client, other)
    accepted = upload(client, mine)

    assert refused.status_code == 200
    assert [e.code for e in refused.context["errors"]] == ["out_of_scope"]
    assert not Place.objects.filter(code="330199002001002").exists()
    assert accepted.status_code == 302
    assert Place.objects.filter(code="330199001001003").exists()


def test_admin_import_is_closed_to_users_without_add_permission(
    world: World, client: Client, outsider: User, tmp_path: Path
) -> None:
    path = write_workbook(
        tmp_path / "b.xlsx",
        {"网格": [PLACE_HEADER, ["330199001002002", "B社区第2网格", "330199001002", None, None, None, None]]},
    )
    staff = UserFactory(username="staff_without_perms", is_staff=True)

    client.force_login(outsider)
    outsider_response = upload(client, path)
    client.force_login(staff)
    staff_response = upload(client, path)

    assert outsider_response.status_code == 302  # not staff: the admin sends him to its login page
    assert "/login/" in outsider_response["Location"]
    assert staff_response.status_code == 403
    assert client.get(ERRORS_URL).status_code == 403
    assert not Place.objects.filter(code="330199001002002").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("places.csv", b"a,b\n"), ("places.xlsx", b"not a zip"), ("places.json", b"\xff\xfe{")],
)
def test_admin_bad_files_get_a_clear_error(
    world: World, client: Client, superuser: User, name: str, content: bytes
) -> None:
    client.force_login(superuser)
    places_before = Place.objects.count()

    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 200
    assert response.context["form"].errors or response.context["error_count"] == 1
    assert Place.objects.count() == places_before


def test_admin_refuses_files_over_the_size_limit(
    world: World, client: Client, superuser: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(superuser)
    path = write_workbook(tmp_path / "新区.xlsx", new_tree_sheets())
    monkeypatch.setattr(imports_admin, "MAX_UPLOAD_BYTES", path.stat().st_size - 1)

    response = upload(client, path)

    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["file"]] == ["size"]
    assert not Place.objects.filter(code__startswith="330198").exists()


# --- The grid index ---------------------------------------------------------------------------------------------


def test_grid_index_sees_imported_grids(
    world: World,
    superuser: User,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    assert not geo.resolve_point(121.005, 31.005).found  # the index is built, without the new grid

    with django_capture_on_commit_callbacks(execute=True):
        run_import(write_workbook(tmp_path / "新区.xlsx", new_tree_sheets()), superuser)

    resolution = geo.resolve_point(121.005, 31.005)
    grid = Place.objects.get(code="330198001001001")
    assert (resolution.grid_id, resolution.community_id) == (grid.pk, grid.parent_id)


def test_other_processes_notice_updated_boundaries(
    world: World, superuser: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process has no on_commit hook of ours: it rebuilds when the grids' latest updated_at moves.
    monkeypatch.setattr(geo, "REFRESH_SECONDS", 0.0)
    assert not geo.resolve_point(121.505, 31.505).found
    moved = json.dumps(square(121.5, 31.5))
    path = write_workbook(
        tmp_path / "moved.xlsx",
        {"网格": [PLACE_HEADER, ["330199001001001", "A社区第1网格", "330199001001", None, None, None, moved]]},
    )

    run_import(path, superuser)  # on_commit callbacks do not run inside the test's transaction

    assert geo.resolve_point(121.505, 31.505).grid_id == world.grid_a1.pk
