"""The category admin: superusers edit the tree, other staff only look, everyone else stays out."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from jiedao.categories.models import Category
from jiedao.categories.services import categories_seed

CHANGELIST = reverse("admin:categories_category_changelist")
ADD = reverse("admin:categories_category_add")


def change_url(category: Category) -> str:
    return reverse("admin:categories_category_change", args=[category.pk])


@pytest.fixture
def tree(db):
    categories_seed(rows=[("环境保护", "环保管理", "环境执法"), ("环境保护", "绿化卫生"), ("城乡建设",)])


def model_admin():
    return site._registry[Category]


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_only_superusers_may_add_change_or_delete(dispatcher, office_admin, superuser, tree):
    node = Category.objects.get(name="环保管理")
    admin = model_admin()

    for user in (dispatcher, office_admin):
        request = request_for(user)
        assert not admin.has_add_permission(request)
        assert not admin.has_change_permission(request, node)
        assert not admin.has_delete_permission(request, node)
    request = request_for(superuser)
    assert admin.has_add_permission(request)
    assert admin.has_change_permission(request, node)
    assert admin.has_delete_permission(request, node)


def test_staff_may_view_and_others_may_not(dispatcher, office_admin, tree):
    admin = model_admin()

    assert admin.has_view_permission(request_for(office_admin))
    assert admin.has_module_permission(request_for(office_admin))
    assert not admin.has_view_permission(request_for(dispatcher))
    assert not admin.has_module_permission(request_for(dispatcher))


def test_dispatcher_cannot_reach_the_add_page(client, dispatcher, tree):
    client.force_login(dispatcher)

    response = client.post(ADD, {"name": "新分类", "is_active": "on"})

    assert response.status_code == 302  # to the admin login: not staff
    assert not Category.objects.filter(name="新分类").exists()


def test_office_admin_sees_the_tree_but_cannot_add_or_change_it(client, office_admin, tree):
    node = Category.objects.get(name="环保管理")
    client.force_login(office_admin)

    html = client.get(CHANGELIST).content.decode()
    assert "环境执法" in html
    assert client.get(change_url(node)).status_code == 200  # view only
    assert client.get(ADD).status_code == 403
    response = client.post(change_url(node), {"name": "改名", "is_active": "on", "sort_order": "1"})
    assert response.status_code == 403
    node.refresh_from_db()
    assert node.name == "环保管理"


def test_changelist_searches_by_pinyin_and_filters_by_level(client, superuser, tree):
    client.force_login(superuser)

    html = client.get(CHANGELIST, {"q": "lhws"}).content.decode()
    assert "绿化卫生" in html
    assert "环境执法" not in html

    html = client.get(CHANGELIST, {"level__exact": "1"}).content.decode()
    assert "城乡建设" in html
    assert "环境执法" not in html


def test_superuser_adds_a_category_with_code_level_and_pinyin(client, superuser, tree):
    parent = Category.objects.get(name="环保管理")
    client.force_login(superuser)

    response = client.post(ADD, {"parent": parent.pk, "name": "噪声污染", "is_active": "on"})

    assert response.status_code == 302
    node = Category.objects.get(name="噪声污染")
    assert (node.parent_id, node.level, node.code) == (parent.pk, 3, "010102")
    assert (node.pinyin_initials, node.full_pinyin) == ("zswr", "zaoshengwuran")


def test_superuser_cannot_put_a_category_under_a_level3_node(client, superuser, tree):
    leaf = Category.objects.get(name="环境执法")
    client.force_login(superuser)

    response = client.post(ADD, {"parent": leaf.pk, "name": "太深", "is_active": "on"})

    assert response.status_code == 200  # the form again, with the error
    assert not Category.objects.filter(name="太深").exists()


def test_superuser_renames_a_category_and_its_pinyin_follows(client, superuser, tree):
    node = Category.objects.get(name="环保管理")
    client.force_login(superuser)

    response = client.post(change_url(node), {"name": "噪声污染", "is_active": "on", "sort_order": "1"})

    assert response.status_code == 302
    node.refresh_from_db()
    assert (node.name, node.pinyin_initials, node.code) == ("噪声污染", "zswr", "0101")


def test_superuser_cannot_rename_to_a_sibling_name(client, superuser, tree):
    node = Category.objects.get(name="环保管理")
    client.force_login(superuser)

    response = client.post(change_url(node), {"name": "绿化卫生", "is_active": "on", "sort_order": "1"})

    assert response.status_code == 200
    node.refresh_from_db()
    assert node.name == "环保管理"
