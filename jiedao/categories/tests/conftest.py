from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from jiedao.categories import snapshot


@pytest.fixture(autouse=True)
def _fresh_snapshot() -> Iterator[None]:
    """Each test builds its own tree; the process-wide snapshot must not remember another test's."""
    snapshot.invalidate()
    yield
    snapshot.invalidate()


@pytest.fixture
def english() -> Iterator[None]:
    """Messages in English (the msgids), whatever the deployment's language and the .po files hold."""
    with translation.override("en"):
        yield
