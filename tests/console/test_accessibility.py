"""Every console page passes axe-core in Chromium, for each kind of user, at desktop and
phone width: WCAG 2.0/2.1 A and AA, best practice, and WCAG 2.2 AA (target size).

axe cannot see a focus ring, so the keyboard is walked through each page and every
focus indicator is measured against what surrounds it (WCAG 1.4.11: 3:1).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.console.conftest import LiveGateway
from tests.support.browser import ARGS, CHROMIUM, require_chromium

require_chromium(module=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE = Axe()

# The colour of the focus indicator and of the first opaque background behind the element.
_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let under = el.parentElement, bg = "rgb(255, 255, 255)";
  while (under) {
    bg = getComputedStyle(under).backgroundColor;
    if (!bg.endsWith(", 0)") && bg !== "transparent") break;
    under = under.parentElement;
  }
  if (!under) bg = "rgb(255, 255, 255)";
  const index = Array.prototype.indexOf.call(document.querySelectorAll("*"), el);
  return {tag: el.tagName + (el.id ? "#" + el.id : "") + "@" + index,
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          ring: style.outlineColor, bg: bg};
}"""


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _ask(live: LiveGateway, subject: str, sql: str, **extra: object) -> dict[str, str]:
    answer = httpx.post(
        f"{live.url}/v1/actions",
        headers={"Authorization": f"Bearer {live.tokens[subject]}"},
        json={"connection": "ehr", "sql": sql, "reason": "checking a claim", **extra},
        timeout=30,
    )
    assert answer.status_code in (200, 202), answer.text
    body = answer.json()
    if body.get("approval"):
        return {"action": body["id"], "approval": body["approval"]["id"]}
    review = live.gateway.approval_for_action(body["id"])
    assert review is not None
    return {"action": body["id"], "approval": review.id}


def _requests(live: LiveGateway) -> dict[str, str]:
    """One of each kind of request a reviewer meets, by page name."""
    write = _ask(live, "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 2")
    other = _ask(live, "claims-bot", "UPDATE claims SET status = 'denied' WHERE id = 4")
    decided = _ask(live, "claims-bot", "DELETE FROM claims WHERE id = 6")  # fills the history
    denied = httpx.post(
        f"{live.url}/v1/approvals/{decided['approval']}/deny",
        headers={"Authorization": f"Bearer {live.tokens['bob']}"},
        json={"comment": "not this one"},
        timeout=30,
    )
    assert denied.status_code == 200, denied.text
    return {
        "decided": decided["approval"],
        "write": write["approval"],
        "other": other["approval"],
        "reveal": _ask(
            live, "claims-bot", "SELECT id, dob FROM patients WHERE id = 5", reveal=["DATE"]
        )["approval"],
        "held": _ask(live, "claims-bot", "SELECT id FROM patients WHERE ssn LIKE '1%'")["approval"],
        "own": _ask(live, "dana", "DELETE FROM claims WHERE id = 9")["approval"],
        "break-glass": _ask(
            live,
            "dana",
            "SELECT * FROM patients WHERE id = 3",
            masking="none",
            break_glass=True,
        )["approval"],
    }


def _sign_in(browser: Browser, live: LiveGateway, subject: str, viewport: str) -> Page:
    page = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()  # type: ignore[arg-type]
    page.goto(f"{live.url}/ui/login")
    page.click(f"#demo-{subject}")
    expect(page).to_have_url(f"{live.url}/ui/approvals")
    return page


def _violations(page: Page) -> list[str]:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']}: "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def _contrast(a: str, b: str) -> float:
    def luminance(css: str) -> float:
        parts = css[css.index("(") + 1 : css.index(")")].split(",")
        channels = [int(float(p)) / 255 for p in parts[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _weak_focus_rings(page: Page, limit: int = 40) -> list[str]:
    """Tab through the page; every focused element needs a ring of 3:1 against its
    background (WCAG 1.4.11 non-text contrast)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    weak, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        ring = page.evaluate(_RING)
        if ring is None or ring["tag"] in seen:
            break
        seen.add(ring["tag"])
        ratio = _contrast(ring["ring"], ring["bg"])
        if ring["style"] == "none" or ring["width"] < 2 or ratio < 3:
            weak.append(f"{page.url} {ring['tag']}: {ring['ring']} on {ring['bg']} = {ratio:.1f}:1")
    return weak


def _pages(live: LiveGateway, ids: dict[str, str], auditor: bool) -> list[str]:
    paths = ["/ui/approvals", "/ui/history", "/ui/connections", "/ui/approvals/apr_none"]
    paths += [f"/ui/approvals/{approval}" for approval in ids.values()]
    paths += ["/ui/audit", "/ui/reports"] if auditor else ["/ui/audit"]  # the 403 page too
    return [live.url + path for path in paths]


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_sign_in_page_passes_axe(browser: Browser, live: LiveGateway, viewport: str) -> None:
    page = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()  # type: ignore[arg-type]
    page.goto(f"{live.url}/ui/login")
    assert _violations(page) + _weak_focus_rings(page) == []


@pytest.mark.parametrize("subject", ["alice", "admin", "dana"])  # reviewer, auditor, requester
def test_every_console_page_passes_axe(browser: Browser, live: LiveGateway, subject: str) -> None:
    ids = _requests(live)
    found: list[str] = []
    for viewport in sorted(VIEWPORTS):
        page = _sign_in(browser, live, subject, viewport)
        for url in _pages(live, ids, auditor=subject == "admin"):
            page.goto(url)
            found += _violations(page)
            if viewport == "desktop":
                found += _weak_focus_rings(page)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_after_a_vote_focus_is_on_the_result(
    browser: Browser, live: LiveGateway, viewport: str
) -> None:
    ids = _requests(live)
    page = _sign_in(browser, live, "alice", viewport)
    for approval, button, said in (
        (ids["write"], "#approve", "approval"),
        (ids["other"], "#deny", "denial"),
    ):
        page.goto(f"{live.url}/ui/approvals/{approval}")
        # A named, focusable <pre> is announced as a region called "Statement".
        expect(page.get_by_role("region", name="Statement", exact=True)).to_have_id("statement")
        page.fill("#comment", "checked")
        page.click(button)
        result = page.locator("#result")
        expect(result).to_contain_text(f"Your {said} was recorded")
        expect(result).to_be_focused()
        assert _violations(page) == []


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_sign_out_is_a_large_enough_target(
    browser: Browser, live: LiveGateway, viewport: str
) -> None:
    page = _sign_in(browser, live, "alice", viewport)
    box = page.get_by_role("button", name="Sign out").bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
