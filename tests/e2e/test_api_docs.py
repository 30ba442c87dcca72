"""In chromium: the Swagger docs render from local files under the CSP, "Try it out" works with the session,
and a user makes a token on the tokens page that the API then accepts."""

from __future__ import annotations

import json

import pytest

from tests.e2e.actions import log_in

pytestmark = pytest.mark.e2e


def test_the_docs_render_under_the_csp_and_call_the_api(page, demo_site, browser_errors):
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(demo_site.url) else None)
    log_in(page, "paidan")
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .information-container .title")
    assert "jiedao API" in page.locator(".swagger-ui .information-container .title").inner_text()
    operations = page.locator(".swagger-ui .opblock")
    operations.first.wait_for()
    assert operations.count() >= 40
    # "Try it out" on GET /me runs in the page with the session
    me = page.locator(".opblock-get:has(.opblock-summary-path[data-path='/api/v1/me'])").first
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    body = me.locator(".responses-wrapper .live-responses-table .response-col_description pre").first
    body.wait_for()
    assert json.loads(body.inner_text())["username"] == "paidan"
    assert violations == []
    assert outside == []
    assert browser_errors.messages == []


def test_a_user_makes_a_token_on_the_page(page, browser_errors):
    log_in(page, "chengban")
    page.locator(".usermenu a[href='/api/tokens/']").click()
    page.get_by_label("名称").fill("巡查同步脚本")
    page.get_by_role("button", name="创建令牌").click()
    secret = page.locator("[data-testid=token-secret]").inner_text()
    assert secret.startswith("jd_")
    answer = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["username"] == "chengban"
    page.get_by_role("button", name="撤销").click()
    assert page.locator("[data-testid=tokens]").inner_text().count("已撤销") == 1
    assert page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status == 401
    assert browser_errors.messages == []
