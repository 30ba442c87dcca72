"""Browser, live server and demo district for the end-to-end tests.

- `browser` (session): Debian's chromium driven by Playwright. Missing chromium skips these tests with a
  printed reason, except in CI (CI=true), where it fails them.
- `demo_site` (module): the demo district committed once per module to the test database and a live server
  on it; the module's end stops the server and flushes the database, as TransactionTestCase would.
- `db` (overridden here): plain database access for the test. pytest-django's own `db` wraps each test in a
  transaction the server cannot see (PostgreSQL) or shares (SQLite in memory), and `transactional_db`, which
  its `live_server` forces on every test, would flush the demo after each test.
- `page` / `phone_page` (function): a fresh browser context (no cookies) per test, on the live server.
- A failing test's page is saved as test-artifacts/e2e/<test name>.png.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connection, connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from django.test.utils import override_settings

from jiedao.demo.builder import demo_create
from jiedao.places import geo

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path("test-artifacts") / "e2e"
TIMEOUT_MS = 15_000
UNSAFE_IN_FILE_NAME = re.compile(r"[^\w.-]+")


def _say(config: pytest.Config, line: str) -> None:
    """Print a line on the terminal even while pytest captures the test's output."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    if capture is None:
        reporter.write_line(line, yellow=True)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line, yellow=True)


def _browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -r requirements.lock)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (make browser installs Debian's chromium when run as root)"
    return None


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config) -> Iterator[Browser]:
    reason = _browser_missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI (CI=true), but {reason}", pytrace=False)
        _say(pytestconfig, f"browser tests skipped: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, which Django takes for an async
    # context and refuses database calls in; they are plain synchronous calls here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


class _QueuedWSGIServer(WSGIServer):
    # Chromium opens several connections at once; let them wait instead of being refused.
    request_queue_size = 64


class _SerialLiveServerThread(LiveServerThread):
    """A live server answering one request at a time.

    With SQLite in memory the server uses the test's own connection; two request threads would interleave
    their transactions on it (Django's LiveServerTestCase documentation warns about this).
    """

    def _create_server(self, connections_override: Any = None) -> WSGIServer:
        return _QueuedWSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)


@dataclass(frozen=True)
class DemoSite:
    url: str


def _require_test_database() -> None:
    # pytest-django creates the test database only when some collected test asks for `db`; never write the
    # demo into the developer's own database.
    name = str(connection.settings_dict["NAME"])
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if not (in_memory or name.startswith("test_") or name == connection.settings_dict["TEST"].get("NAME")):
        pytest.fail(f"database {name!r} is not a test database; refusing to load the demo", pytrace=False)


def _require_front_end_files() -> None:
    for path in ("vendor/htmx/htmx.min.js", "vendor/leaflet/leaflet.js", "vendor/echarts/echarts.min.js"):
        if not finders.find(path):
            pytest.fail(f"static file {path} is missing: run `make bootstrap` to copy the front-end packages")


@contextmanager
def _live_server() -> Iterator[str]:
    """Serve the app on a free port of localhost (what pytest-django's live_server does, one request at a time)."""
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    thread = _SerialLiveServerThread("localhost", static_handler=StaticFilesHandler, connections_override=shared)
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    try:
        with override_settings(ALLOWED_HOSTS=["localhost"]):
            thread.start()
            thread.is_ready.wait()
            try:
                if thread.error is not None:
                    raise thread.error
                yield f"http://{thread.host}:{thread.port}"
            finally:
                thread.terminate()
    finally:
        for conn in shared.values():
            conn.dec_thread_sharing()


def _install_default_deadline_rules() -> None:
    from django.apps import apps

    migration = importlib.import_module("jiedao.cases.migrations.0002_default_deadline_rules")
    migration.create(apps, None)


@pytest.fixture(scope="module")
def demo_site(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoSite]:
    with django_db_blocker.unblock():
        _require_test_database()
        _require_front_end_files()
        try:
            # A flush at the end of an earlier module emptied the rules the migration installed: put them back.
            _install_default_deadline_rules()
            demo_create()
            with _live_server() as url:
                yield DemoSite(url=url)
        finally:
            # Committed rows outlive the module otherwise; empty every table as TransactionTestCase does.
            call_command("flush", interactive=False, verbosity=0)
            geo.invalidate()


@pytest.fixture
def db(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Database access without a wrapping transaction (see the module docstring)."""
    with django_db_blocker.unblock():
        yield


@dataclass
class BrowserErrors:
    """Uncaught JavaScript errors and server errors seen by the page; a test asserts there are none."""

    messages: list[str] = field(default_factory=list)


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


def _open_page(browser: Browser, site: DemoSite, errors: BrowserErrors, **options: Any) -> Generator[Page]:
    context = browser.new_context(base_url=site.url, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.messages.append(f"JavaScript: {exc}"))
    page.on(
        "response",
        lambda response: (
            errors.messages.append(f"HTTP {response.status}: {response.url}") if response.status >= 500 else None
        ),
    )
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser, demo_site: DemoSite, db: None, browser_errors: BrowserErrors) -> Iterator[Page]:
    yield from _open_page(browser, demo_site, browser_errors, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser: Browser, demo_site: DemoSite, db: None, browser_errors: BrowserErrors) -> Iterator[Page]:
    yield from _open_page(
        browser, demo_site, browser_errors, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if report.when == "call" and report.failed:
        for name in ("page", "phone_page"):
            shown = getattr(item, "funcargs", {}).get(name)
            if shown is None:
                continue
            path = item.config.rootpath / ARTIFACTS / (UNSAFE_IN_FILE_NAME.sub("_", item.name) + ".png")
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                shown.screenshot(path=str(path), full_page=True)
            except Exception as exc:  # the page may be gone; the failure itself matters more
                note = f"screenshot failed: {exc}"
            else:
                note = f"screenshot saved to {path}"
            report.sections.append(("e2e", note))
            _say(item.config, f"\n{item.nodeid}: {note}")
    return report
