"""Triage in the browser: category suggestions appear as the dispatcher types, a click takes one, and the choice
is recorded next to what was suggested."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from jiedao.cases.models import Case
from jiedao.categories.models import Category
from jiedao.triage import examples as ex
from jiedao.triage import services, store
from jiedao.triage.choices import Kind
from jiedao.triage.models import Suggestion, TriageModel
from jiedao.triage.tests.corpus import texts
from tests.e2e.actions import log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e

DISPATCHER = "paidan"
# The invented problems of the triage tests, under level-1 categories of the seeded tree.
TREE_NAMES = {"light": "城乡建设", "noise": "环境保护", "garbage": "卫生计生"}


@pytest.fixture
def category_model(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    store._cache.clear()
    codes = {label: Category.objects.get(level=1, name=name).code for label, name in TREE_NAMES.items()}
    data = [
        ex.Example(key=f"{label}:{i}", doc=ex.Doc(title, content), label=codes[label])
        for label in TREE_NAMES
        for i, (title, content) in enumerate(texts(label, 40))
    ]
    model = services.triage_train(kind=Kind.CATEGORY_1, examples=data, source="e2e").model
    yield model
    TriageModel.objects.filter(pk=model.pk).delete()
    store._cache.clear()


def test_the_dispatcher_takes_a_suggested_category_while_typing(
    page: Page, browser_errors: BrowserErrors, category_model: TriageModel
) -> None:
    # Given a category model in use, when the dispatcher types a demand about a street lamp
    log_in(page, DISPATCHER)
    page.goto("/cases/new/")
    page.locator("#id_title").fill("向阳街路灯坏了")
    page.locator("#id_content").fill("天黑后看不清台阶，老人走路摔倒。")

    # Then up to three categories are proposed with their confidence, the likeliest first
    first = page.locator("[data-testid=category-suggestion]").first
    first.wait_for()
    assert first.inner_text().startswith("城乡建设")
    assert "%" in first.inner_text()
    assert page.locator("[data-testid=category-suggestion]").count() <= 3

    # When she clicks it, it becomes the chosen category
    first.click()
    assert page.locator("[data-category-chosen]").inner_text() == "城乡建设"
    assert first.get_attribute("aria-pressed") == "true"
    page.locator("#id_place").select_option(index=1)
    with page.expect_navigation():
        page.locator("[data-testid=register-form] button[type=submit]").click()

    # Then the case has that category, and the suggestion is recorded as taken
    case = Case.objects.get(title="向阳街路灯坏了")
    assert case.category is not None and case.category.name == "城乡建设"
    suggestion = Suggestion.objects.get(case=case)
    assert (suggestion.accepted, suggestion.model_id) == (True, category_model.pk)
    assert browser_errors.messages == []
