"""The default tree, seeding, code assignment, pinyin keys and the model's database rules."""

from __future__ import annotations

import csv

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from jiedao.audit.models import AuditEvent
from jiedao.categories.models import Category
from jiedao.categories.pinyin import full_pinyin, pinyin_initials
from jiedao.categories.services import (
    DEFAULT_TREE,
    CategoriesImportInvalid,
    categories_seed,
    category_create,
    category_update,
)


def _default_paths() -> tuple[set[tuple[str]], set[tuple[str, str]], set[tuple[str, str, str]], set[str]]:
    with DEFAULT_TREE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    level1 = {(r["level1"],) for r in rows}
    level2 = {(r["level1"], r["level2"]) for r in rows}
    level3 = {(r["level1"], r["level2"], r["level3"]) for r in rows}
    return level1, level2, level3, {r["level3"] for r in rows}


def test_default_tree_file_has_15_level1_118_level2_and_517_level3_nodes():
    level1, level2, level3, level3_names = _default_paths()
    assert (len(level1), len(level2), len(level3)) == (15, 118, 517)
    # The "390" of the data set's README counts distinct level-3 names: "其他" alone is under 116 parents.
    assert len(level3_names) == 390


def test_seed_creates_the_default_tree(db):
    report = categories_seed()

    assert dict(report.created) == {1: 15, 2: 118, 3: 517}
    assert report.existing == 0
    assert [Category.objects.filter(level=level).count() for level in (1, 2, 3)] == [15, 118, 517]
    paths = {tuple(c.path_names) for c in Category.objects.select_related("parent__parent")}
    level1, level2, level3, _names = _default_paths()
    assert paths == level1 | level2 | level3


def test_seed_twice_creates_nothing_the_second_time(db):
    categories_seed()
    before = list(Category.objects.values_list("pk", "code", "updated_at"))

    report = categories_seed()

    assert report.total_created == 0
    assert report.existing == 15 + 118 + 517
    assert list(Category.objects.values_list("pk", "code", "updated_at")) == before
    assert AuditEvent.objects.filter(action="import").count() == 1  # only the first run wrote something


def test_seed_codes_follow_the_order_of_the_seed_file(db):
    categories_seed()

    codes = dict(Category.objects.values_list("code", "name"))
    assert codes["01"] == "城乡建设"
    assert codes["02"] == "党务政务"
    assert codes["15"] == "劳动和社会保障"
    assert codes["0101"] == "安全生产"
    assert codes["010101"] == "事故处理"
    assert codes["0102"] == "城市建设和市政管理"
    assert codes["010209"] == "园林绿化"  # the 9th level-3 name under 城市建设和市政管理 in the file
    node = Category.objects.select_related("parent__parent").get(code="011002")
    assert node.path == "城乡建设 › 住房保障与房地产 › 保障性住房"
    assert node.level == 3
    assert node.sort_order == 2
    assert all(len(c.code) == 2 * c.level for c in Category.objects.all())


def test_seed_gives_pinyin_keys_to_every_node(db):
    categories_seed()

    root = Category.objects.get(code="01")
    assert (root.pinyin_initials, root.full_pinyin) == ("cxjs", "chengxiangjianshe")
    greening = Category.objects.get(code="010209")
    assert (greening.pinyin_initials, greening.full_pinyin) == ("yllh", "yuanlinlvhua")
    assert not Category.objects.filter(pinyin_initials="").exists()


def test_pinyin_keys_of_known_names():
    assert pinyin_initials("绿化卫生") == "lhws"
    assert full_pinyin("绿化卫生") == "lvhuaweisheng"
    assert pinyin_initials("科技与信息产业") == "kjyxxcy"
    # Punctuation goes; Latin letters and digits written in the name stay, lowercase.
    assert pinyin_initials("ETC（通行）") == "etctx"
    assert full_pinyin("12345热线") == "12345rexian"


def test_seed_adds_missing_nodes_after_the_existing_siblings(db):
    categories_seed(rows=[("城乡建设", "安全生产", "事故处理"), ("城乡建设", "城乡规划")])

    report = categories_seed(rows=[("城乡建设", "安全生产", "安全隐患"), ("环境保护",), ("城乡建设", "城乡规划")])

    assert dict(report.created) == {1: 1, 3: 1}
    assert report.existing == 3  # 城乡建设, 安全生产, 城乡规划
    assert Category.objects.get(name="安全隐患").code == "010102"
    assert Category.objects.get(name="环境保护").code == "02"


def test_seed_refuses_bad_rows_and_writes_nothing(db):
    with pytest.raises(CategoriesImportInvalid) as caught:
        categories_seed(rows=[("城乡建设", "安全生产"), ("", "孤儿", "")])

    assert [(e.row, e.column, e.code) for e in caught.value.errors] == [(2, "level1", "required")]
    assert not Category.objects.exists()


def test_seed_refuses_a_100th_child_because_codes_have_two_digits(db):
    rows = [("城乡建设", f"二级{n}") for n in range(1, 101)]

    with pytest.raises(CategoriesImportInvalid) as caught:
        categories_seed(rows=rows)

    assert [(e.row, e.column, e.code) for e in caught.value.errors] == [(100, "level2", "too_many_children")]
    assert not Category.objects.exists()


def test_seed_command_prints_the_counts(db, capsys, english):
    call_command("seed_categories")

    out = capsys.readouterr().out
    assert "15 level-1, 118 level-2, 517 level-3" in out
    assert Category.objects.count() == 650


def test_category_create_assigns_level_code_and_pinyin(db):
    categories_seed(rows=[("环境保护", "环保管理", "环境执法")])
    parent = Category.objects.get(name="环保管理")

    child = category_create(parent=parent, name=" 绿化卫生 ")

    assert (child.level, child.code, child.name) == (3, "010102", "绿化卫生")
    assert (child.pinyin_initials, child.full_pinyin) == ("lhws", "lvhuaweisheng")


def test_category_create_refuses_a_child_of_a_level3_node(db):
    categories_seed(rows=[("环境保护", "环保管理", "环境执法")])

    with pytest.raises(ValidationError):
        category_create(parent=Category.objects.get(name="环境执法"), name="太深")


def test_category_create_refuses_a_duplicate_name_among_siblings(db):
    categories_seed(rows=[("环境保护", "环保管理")])

    with pytest.raises(ValidationError):
        category_create(parent=None, name="环境保护")
    with pytest.raises(ValidationError):
        category_create(parent=Category.objects.get(name="环境保护"), name="环保管理")


def test_category_update_renames_and_recomputes_pinyin(db):
    categories_seed(rows=[("环境保护", "环保管理")])
    node = Category.objects.get(name="环保管理")

    category_update(category=node, name="绿化卫生")

    node.refresh_from_db()
    assert (node.name, node.pinyin_initials, node.full_pinyin, node.code) == (
        "绿化卫生",
        "lhws",
        "lvhuaweisheng",
        "0101",
    )


def test_database_refuses_a_second_level1_node_with_the_same_name(db):
    categories_seed(rows=[("环境保护",)])

    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(level=1, name="环境保护", code="02")


def test_database_refuses_a_level_that_does_not_fit_the_parent_or_the_code(db):
    categories_seed(rows=[("环境保护",)])
    root = Category.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(level=2, name="无父", code="0201")  # level 2 without a parent
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(parent=root, level=2, name="码短", code="01")  # 2 digits for level 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(parent=root, level=4, name="太深", code="010203")
