"""The console shows the hostile statement of issue 15, item 1 as what it is: the
literal on one line, each hidden or look-alike character marked as an escape, the
warnings above the statement, and the reason escaped too (detail page and inbox)."""

from __future__ import annotations

import html
import re

from tests.conftest import Harness
from tests.console.conftest import sign_in
from tests.support import hostile

TAGS = re.compile(r"<[^>]+>")


def text_of(page: str, element_id: str, end: str) -> str:
    """The visible text of the element with `element_id` (up to the tag `end`)."""
    inner = page.split(f'id="{element_id}"', 1)[1].split(">", 1)[1].split(end, 1)[0]
    return html.unescape(TAGS.sub("", inner))


async def test_the_detail_page_escapes_and_warns(harness: Harness) -> None:
    answer = await harness.submit("claims-bot", hostile.STATEMENT, reason=hostile.REASON)
    assert answer.status_code == 202, answer.text
    alice = await sign_in(harness, "alice")
    page = (await alice.get(f"/ui/approvals/{answer.json()['approval']['id']}")).text
    statement = text_of(page, "statement", "</pre>")
    assert "SET status = " + hostile.SHOWN in statement.splitlines()  # one line, not three
    parts = (("statement", "</pre>"), ("reason", "</dd>"), ("review-warnings", "</div>"))
    shown = " ".join(text_of(page, name, end) for name, end in parts)
    hostile.assert_escaped(shown)
    assert page.count('<mark class="hidden-char">') >= 6  # statement, as sent, reason
    await alice.aclose()


async def test_the_inbox_row_carries_the_warning(harness: Harness) -> None:
    answer = await harness.submit("claims-bot", hostile.STATEMENT, reason="routine")
    assert answer.status_code == 202, answer.text
    alice = await sign_in(harness, "alice")
    rows = html.unescape((await alice.get("/ui/approvals/rows")).text)
    assert "⚠ 3 warnings" in rows and hostile.HIDDEN_WARNING in rows
    assert "\u02bc" not in rows and "\\u02bc" in rows
    await alice.aclose()


async def test_a_literal_override_is_escaped_on_the_page(harness: Harness) -> None:
    sql = "UPDATE claims SET status = 'paid' WHERE status = '\u202e 9 = di EREHW'"
    answer = await harness.submit("claims-bot", sql)
    alice = await sign_in(harness, "alice")
    page = (await alice.get(f"/ui/approvals/{answer.json()['approval']['id']}")).text
    assert hostile.LITERAL_SHOWN in text_of(page, "statement", "</pre>")
    assert "\u202e" not in page
    await alice.aclose()
