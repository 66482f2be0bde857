"""The console in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

A real gateway serves HTTP on 127.0.0.1; an agent's write waits for approval in a
background thread while a reviewer signs in, sees it appear without a reload,
approves it, and the agent's request completes. Screenshots go to a temporary folder;
`make screenshots` writes them to docs/screenshots/ instead.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.console.conftest import LiveGateway
from tests.support import hostile
from tests.support.browser import ARGS, CHROMIUM, require_chromium

WRITE = "UPDATE claims SET status = 'paid' WHERE id = 2 -- note: paid by phone"

require_chromium(module=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def demo_sign_in(browser: Browser, live: LiveGateway, subject: str, **context: object) -> Page:
    page = browser.new_context(**context).new_page()  # type: ignore[arg-type]
    page.goto(f"{live.url}/ui/approvals")
    expect(page).to_have_url(f"{live.url}/ui/login?next=/ui/approvals")
    page.click(f"#demo-{subject}")
    expect(page).to_have_url(f"{live.url}/ui/approvals")
    return page


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / name), full_page=True)


def test_reviewer_approves_live_and_the_agent_action_completes(
    browser: Browser, live: LiveGateway, screenshot_dir: Path
) -> None:
    login = browser.new_context().new_page()
    login.goto(f"{live.url}/ui/login")
    shot(login, screenshot_dir, "console-sign-in.png")
    page = demo_sign_in(browser, live, "alice")
    expect(page.locator("#inbox-rows")).to_contain_text("Nothing is waiting")
    page.evaluate("window.__still_the_same_page = true")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        agent = pool.submit(live.submit, "claims-bot", WRITE, 60)
        row = page.locator("#inbox-rows a").first
        expect(row).to_contain_text("UPDATE claims", timeout=15_000)  # appears without reload
        assert page.evaluate("window.__still_the_same_page") is True
        shot(page, screenshot_dir, "console-inbox.png")
        row.click()
        expect(page.locator("#statement")).to_contain_text("WHERE id = 2")
        expect(page.locator("#statement")).not_to_contain_text("paid by phone")
        shot(page, screenshot_dir, "console-approval-detail.png")
        page.fill("#comment", "confirmed with the payer")
        page.click("#approve")
        # The waiting agent is woken at once and runs it: the page may already
        # show the step after approval.
        expect(page.locator("#state")).to_have_text(re.compile(r"^(approved|executed)$"))
        shot(page, screenshot_dir, "console-approved.png")
        answer = agent.result(timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "executed"


def test_csrf_and_get_side_effects_fail_in_the_browser(browser: Browser, live: LiveGateway) -> None:
    pending = live.submit("claims-bot", WRITE)
    approval_id = pending.json()["approval"]["id"]
    page = demo_sign_in(browser, live, "bob")
    page.goto(f"{live.url}/ui/approvals/{approval_id}/approve")  # a GET: nothing happens
    forged = page.request.post(
        f"{live.url}/ui/approvals/{approval_id}/approve",
        form={"csrf": "not-the-token", "comment": "forged"},
    )
    assert forged.status == 403
    missing = page.request.post(f"{live.url}/ui/approvals/{approval_id}/deny", form={})
    assert missing.status == 403
    assert live.gateway.approval(approval_id).state == "pending"
    # A page on another origin cannot frame the console (clickjacking).
    page.goto(f"{live.url}/ui/approvals/{approval_id}")
    csp = page.evaluate("fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert "frame-ancestors 'none'" in csp


def test_requesters_own_sign_in_cannot_approve(
    browser: Browser, live: LiveGateway, screenshot_dir: Path
) -> None:
    approval_id = live.submit("dana", WRITE).json()["approval"]["id"]
    page = demo_sign_in(browser, live, "dana", viewport={"width": 390, "height": 844})
    page.goto(f"{live.url}/ui/approvals/{approval_id}")
    expect(page.locator("#refusal")).to_contain_text("requester cannot approve")
    expect(page.locator("#approve")).to_have_count(0)
    shot(page, screenshot_dir, "console-phone-own-request.png")
    assert live.gateway.approval(approval_id).state == "pending"
    assert os.environ.get("PHIGATE_NEVER_SET") is None


def test_a_hostile_statement_reads_as_what_runs(
    browser: Browser, live: LiveGateway, screenshot_dir: Path
) -> None:
    """Issue 15, item 1: a look-alike quote, a line break inside the literal and 220
    spaces hiding the real quote. The reviewer's screen shows the literal on one line
    with its escapes marked, the warnings above it, and nothing off to the right."""
    answer = httpx.post(
        f"{live.url}/v1/actions",
        headers={"Authorization": f"Bearer {live.tokens['claims-bot']}"},
        json={"connection": "ehr", "sql": hostile.STATEMENT, "reason": hostile.REASON},
        timeout=30,
    )
    approval_id = answer.json()["approval"]["id"]
    page = demo_sign_in(browser, live, "alice", viewport={"width": 1024, "height": 900})
    expect(page.locator("#inbox-rows")).to_contain_text("2 hidden or look-alike", timeout=15_000)
    page.goto(f"{live.url}/ui/approvals/{approval_id}")
    statement = page.locator("#statement")
    expect(statement).to_contain_text(hostile.SHOWN)
    expect(statement.locator("mark.hidden-char")).to_have_count(3)
    for warning in (hostile.HIDDEN_WARNING, hostile.NO_WHERE_WARNING, hostile.REASON_WARNING):
        expect(page.locator("#review-warnings")).to_contain_text(warning)
    expect(page.locator("#reason")).to_have_text(hostile.REASON_SHOWN)
    # Every line of the statement is visible without scrolling sideways.
    assert statement.evaluate("e => e.scrollWidth <= e.clientWidth") is True
    lines = statement.inner_text().splitlines()
    assert lines[-1].startswith("SET status = 'denied") and lines[-1].endswith("spaces⟩'")
    shot(page, screenshot_dir, "console-hidden-characters.png")
