"""The project's browser fixtures (Debian's chromium, the demo on a live server) for the API's browser tests."""

from tests.e2e.conftest import (  # noqa: F401  (pytest finds fixtures by name in this module)
    browser,
    browser_errors,
    db,
    demo_site,
    page,
    pytest_runtest_makereport,
)
