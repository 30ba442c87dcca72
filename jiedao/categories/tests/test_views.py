"""The htmx search fragment and the picker's JSON tree."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiedao.categories.models import Category
from jiedao.categories.services import categories_seed, category_update

SEARCH = reverse("categories:search")
TREE = reverse("categories:tree_json")
OPTION = re.compile(r'<li role="option"[^>]*data-category-id="(\d+)"[^>]*data-path="([^"]*)"[^>]*>([^<]*)</li>')


@pytest.fixture
def tree(db):
    categories_seed(
        rows=[("环境保护", "绿化卫生", "绿化养护"), ("环境保护", "绿化卫生", "其他"), ("城乡建设", "园林绿化")]
    )


def options(html: str) -> list[tuple[int, str, str]]:
    return [(int(pk), path, text) for pk, path, text in OPTION.findall(html)]


@pytest.mark.parametrize("url", [SEARCH + "?q=lh", TREE])
def test_category_endpoints_require_login(client, tree, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_search_fragment_lists_one_option_per_hit_with_id_and_path(client, dispatcher, tree):
    client.force_login(dispatcher)

    response = client.get(SEARCH, {"q": "lhws"})

    assert response.status_code == 200
    node = Category.objects.get(name="绿化卫生")
    assert options(response.content.decode()) == [(node.pk, "环境保护 › 绿化卫生", "环境保护 › 绿化卫生")]


def test_search_fragment_is_empty_for_an_empty_query(client, dispatcher, tree):
    client.force_login(dispatcher)

    response = client.get(SEARCH, {"q": "  "})

    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_search_fragment_says_when_nothing_matches(client, dispatcher, tree):
    client.force_login(dispatcher)

    html = client.get(SEARCH, {"q": "不存在"}).content.decode()

    assert options(html) == []
    assert 'role="presentation"' in html


def test_search_fragment_honours_a_limit(client, grid_worker, tree):
    client.force_login(grid_worker)

    html = client.get(SEARCH, {"q": "lh", "limit": "2"}).content.decode()

    assert [path for _pk, path, _text in options(html)] == ["环境保护 › 绿化卫生 › 绿化养护", "环境保护 › 绿化卫生"]


def test_search_fragment_escapes_names(client, dispatcher, db):
    categories_seed(rows=[('<b onclick="x">粗</b>',)])
    client.force_login(dispatcher)

    html = client.get(SEARCH, {"q": "粗"}).content.decode()

    assert "<b " not in html
    assert "&lt;b onclick=&quot;x&quot;&gt;粗&lt;/b&gt;" in html


def test_search_queries_stay_the_same_however_many_hits(client, dispatcher, tree):
    client.force_login(dispatcher)
    client.get(SEARCH, {"q": "x"})  # warm the snapshot

    with CaptureQueriesContext(connection) as many_queries:
        many = client.get(SEARCH, {"q": "h", "limit": "50"})
    with CaptureQueriesContext(connection) as one_query:
        one = client.get(SEARCH, {"q": "lhws"})

    assert (len(options(many.content.decode())), len(options(one.content.decode()))) == (4, 1)
    # Only the request's own (session, user, scope): the search reads the snapshot, and paths cost nothing.
    assert len(many_queries) == len(one_query) <= 6
    assert not [q for q in many_queries.captured_queries if "categories_category" in q["sql"]]


def test_search_refuses_post(client, dispatcher, tree):
    client.force_login(dispatcher)

    assert client.post(SEARCH, {"q": "lh"}).status_code == 405


def test_tree_json_is_the_nested_usable_tree(client, dispatcher, tree):
    category_update(category=Category.objects.get(name="其他"), is_active=False)
    client.force_login(dispatcher)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(TREE)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert list(data) == ["categories"]
    env, city = data["categories"]
    assert set(env) == {"id", "code", "name", "level", "path", "children"}
    assert (env["name"], env["code"], env["level"]) == ("环境保护", "01", 1)
    assert [c["name"] for c in env["children"]] == ["绿化卫生"]
    assert [c["name"] for c in env["children"][0]["children"]] == ["绿化养护"]  # 其他 is inactive
    assert env["children"][0]["children"][0]["children"] == []
    assert city["children"][0]["path"] == "城乡建设 › 园林绿化"
    # A cold snapshot: one fingerprint and one read of the whole tree, whatever its size.
    assert len([q for q in queries.captured_queries if "categories_category" in q["sql"]]) == 2
