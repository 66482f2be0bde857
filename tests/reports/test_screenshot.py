"""The HTML report in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Renders the report for a real scenario, opens the file with the console's CSP
enforced on the page, checks the charts and controls are drawn, and saves
report.png in a temporary folder (docs/screenshots/ under `make screenshots`).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from phigate.reports import build_evidence, render_html
from tests.reports.conftest import Scenario
from tests.support.browser import ARGS, CHROMIUM, require_chromium

CSP = "default-src 'none'; style-src 'self'; img-src 'self'"


def test_report_renders_in_chromium(
    scenario: Scenario, tmp_path: Path, screenshot_dir: Path
) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    evidence = build_evidence(
        scenario.audit(),
        scenario.start - timedelta(minutes=12),
        scenario.end + timedelta(minutes=2),
        policy_hash=scenario.policy_hash,
    )
    # Served the way the console serves it: stylesheet as a file, strict CSP, no inline style.
    (tmp_path / "report.css").write_bytes(
        (Path(__file__).parents[2] / "src/phigate/reports/report.css").read_bytes()
    )
    page_html = render_html(evidence, stylesheet_href="report.css").replace(
        "<head>", f'<head>\n<meta http-equiv="Content-Security-Policy" content="{CSP}">', 1
    )
    report = tmp_path / "report.html"
    report.write_text(page_html)
    violations: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: violations.append(m.text) if m.type == "error" else None)
            page.goto(report.as_uri())
            assert page.locator("figure.chart svg").count() == 3
            bars = page.locator("#chart-masked svg path").count()
            assert bars > 3
            assert page.locator("#control-self-approval [data-status=pass]").count() == 1
            assert page.locator("#control-chain [data-status=pass]").count() == 1
            color = page.locator("#control-chain .status").evaluate(
                "el => getComputedStyle(el).backgroundColor"
            )
            assert color == "rgb(198, 246, 213)"  # the stylesheet applied under the CSP
            page.screenshot(path=str(screenshot_dir / "report.png"), full_page=True)
        finally:
            browser.close()
    assert violations == [], violations  # e.g. a CSP refusal of an inline style
