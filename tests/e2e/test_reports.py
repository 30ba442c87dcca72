"""A leader asks for a report in a real browser, sees it done and downloads the Word document."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING, Any

import pytest

from jiedao.core import clock
from jiedao.reports.periods import SHANGHAI
from tests.e2e.actions import log_in

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.e2e.conftest import BrowserErrors

pytestmark = pytest.mark.e2e


def test_a_leader_asks_for_the_monthly_report_and_downloads_it(
    page: Page, browser_errors: BrowserErrors, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    month = f"{clock.now().astimezone(SHANGHAI):%Y-%m}"

    # When the principal leader opens 报告 from the header and asks for this month's analysis of his office
    log_in(page, "zhuyao")
    page.locator("#mainnav [data-nav=reports]").click()
    form = page.locator("[data-testid=report-request]")
    form.locator("select[name=kind]").select_option("monthly")
    form.locator("input[name=period]").fill(month)
    form.locator("button[type=submit]").click()

    # Then the report page shows it done (the worker runs at once here) with its three files
    page.locator("[data-testid=report-status][data-status=done]").wait_for()
    assert page.locator("[data-testid=report-downloads] a").count() == 3
    with page.expect_download() as download:
        page.locator("[data-testid=report-downloads] a[data-format=docx]").click()
    saved = tmp_path / "report.docx"
    download.value.save_as(saved)
    assert "word/document.xml" in zipfile.ZipFile(saved).namelist()

    # And it is listed
    page.locator("a", has_text="全部报告").click()
    assert page.locator("[data-testid=report-list] tr[data-report]").count() == 1
    assert browser_errors.messages == []
