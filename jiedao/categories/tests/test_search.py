"""Type-ahead search and the picker tree, read from the per-process snapshot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiedao.categories import snapshot
from jiedao.categories.models import Category
from jiedao.categories.selectors import category_tree, search_categories
from jiedao.categories.services import categories_seed, category_update

# Codes: 环境保护 01, 绿化卫生 0101, 绿化养护 010101, 其他 010102; 城乡建设 02, 城市建设和市政管理 0201,
# 园林绿化 020101, 绿化 020102; 住房保障与房地产 0202, 保障性住房 020201; 交通运输 03, ETC卡办理 0301, 二套车 0302.
ROWS = [
    ("环境保护", "绿化卫生", "绿化养护"),
    ("环境保护", "绿化卫生", "其他"),
    ("城乡建设", "城市建设和市政管理", "园林绿化"),
    ("城乡建设", "城市建设和市政管理", "绿化"),
    ("城乡建设", "住房保障与房地产", "保障性住房"),
    ("交通运输", "ETC卡办理"),
    ("交通运输", "二套车"),
]


@pytest.fixture
def tree(db):
    categories_seed(rows=ROWS)


def names(categories: list[Category]) -> list[str]:
    return [c.name for c in categories]


def test_search_ranks_exact_name_then_prefix_then_substring_deeper_first(tree):
    assert names(search_categories("绿化")) == ["绿化", "绿化养护", "绿化卫生", "园林绿化"]


def test_search_by_pinyin_initials(tree):
    assert names(search_categories("lhws")) == ["绿化卫生"]
    assert names(search_categories("LHWS")) == ["绿化卫生"]
    # Initials prefix (deeper first, then code) before initials substring (园林绿化 is "yllh").
    assert names(search_categories("lh")) == ["绿化养护", "绿化", "绿化卫生", "园林绿化"]


def test_search_by_full_pinyin_prefix_only(tree):
    assert names(search_categories("lvhua")) == ["绿化养护", "绿化", "绿化卫生"]  # not yuanlin-lvhua
    assert names(search_categories("lv hua wei")) == ["绿化卫生"]
    assert names(search_categories("baozhangxing")) == ["保障性住房"]


def test_search_puts_a_name_match_before_a_pinyin_match(tree):
    # "ETC卡办理" starts with the letters; "二套车" only has them as initials.
    assert names(search_categories("etc")) == ["ETC卡办理", "二套车"]


def test_search_excludes_inactive_nodes_and_everything_under_them(tree):
    category_update(category=Category.objects.get(name="绿化养护"), is_active=False)
    assert "绿化养护" not in names(search_categories("绿化"))

    category_update(category=Category.objects.get(name="绿化卫生"), is_active=False)
    assert names(search_categories("lh")) == ["绿化", "园林绿化"]
    assert search_categories("其他") == []  # active, but its parent is not


def test_search_respects_the_limit(tree):
    assert names(search_categories("绿化", limit=2)) == ["绿化", "绿化养护"]
    assert search_categories("绿化", limit=0) == []


def test_search_of_nothing_finds_nothing(tree):
    assert search_categories("") == []
    assert search_categories("   ") == []
    assert search_categories("不存在的分类") == []


def test_search_costs_no_query_once_the_snapshot_is_warm(tree, django_assert_num_queries):
    search_categories("绿化")

    with django_assert_num_queries(0):
        hits = search_categories("lh")
        paths = [c.path for c in hits]  # parents are attached

    assert paths[0] == "环境保护 › 绿化卫生 › 绿化养护"
    assert hits[0].code == "010101"
    assert hits[0].pk == Category.objects.get(code="010101").pk


def test_search_returns_fresh_instances_each_time(tree):
    first = search_categories("绿化养护")[0]
    first.name = "改了"

    assert search_categories("绿化养护")[0].name == "绿化养护"


def test_snapshot_notices_a_change_by_another_process_after_the_refresh_interval(tree, monkeypatch):
    assert names(search_categories("保障性住房")) == ["保障性住房"]
    # Another process deactivates it: this process's snapshot is not told.
    later = timezone.now() + dt.timedelta(seconds=1)
    Category.objects.filter(name="保障性住房").update(is_active=False, updated_at=later)
    assert names(search_categories("保障性住房")) == ["保障性住房"]  # within the interval: still the old snapshot

    monkeypatch.setattr(snapshot, "REFRESH_SECONDS", 0.0)

    assert search_categories("保障性住房") == []


def test_category_tree_is_nested_in_code_order_without_inactive_branches(tree):
    category_update(category=Category.objects.get(name="住房保障与房地产"), is_active=False)

    result = category_tree()

    assert [node["name"] for node in result] == ["环境保护", "城乡建设", "交通运输"]
    city = result[1]
    assert [child["name"] for child in city["children"]] == ["城市建设和市政管理"]
    leaf = city["children"][0]["children"][1]
    assert leaf == {
        "id": Category.objects.get(code="020102").pk,
        "code": "020102",
        "name": "绿化",
        "level": 3,
        "path": "城乡建设 › 城市建设和市政管理 › 绿化",
        "children": [],
    }


def test_category_tree_follows_sort_order_before_code(tree):
    category_update(category=Category.objects.get(name="城乡建设"), sort_order=0)

    assert [node["name"] for node in category_tree()] == ["城乡建设", "环境保护", "交通运输"]
