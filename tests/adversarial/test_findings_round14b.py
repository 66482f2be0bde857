"""Round 14b: a promises-only attack on the credential scrubber after round 13's fixes.

docs/http.md promises the gateway's credential never comes back "with any of its
characters escaped" and names "HTML character references" among the escapes it
decodes. Open findings are strict xfails (`finding`): the mark comes off when the
finding is fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.adversarial.harness import finding, http_upstream, json_documents
from tests.conftest import Harness
from tests.connectors.support import http_api

# The credential of the `api` connection: a password-like token with the punctuation
# password generators use (`&`, `/`, `"`, `<`).
CREDENTIAL = 'gw/S3cr3t&Token"7f3a<9c2e1b'
# A numeric credential (an account PIN or a numeric API key).
NUMERIC = "8402719365518273"

# What programs print when they escape the credential for HTML or XML.
MARKUP = {
    # Python html.escape, Jinja2 autoescape, Go html/template: named references
    "html.escape": html.escape(CREDENTIAL),
    # XML serialisers (and html.escape(quote=False) for the rest)
    "xml-apos": CREDENTIAL.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"),
}
# JSON text written into a log line or a text field: the two-character escapes.
JSON_TEXT = {
    # Python json.dumps: `\"`
    "json.dumps": json.dumps({"header": f"Bearer {CREDENTIAL}"}),
    # PHP json_encode (default flags) also escapes `/` as `\/`
    "php-json_encode": json.dumps({"header": f"Bearer {CREDENTIAL}"}).replace("/", "\\/"),
}
HELD = {
    # numeric references, which the docs name
    "html-numeric": "".join(f"&#{ord(c)};" for c in CREDENTIAL),
    "as-sent": CREDENTIAL,
}

DOCUMENTS: dict[str, object] = {
    **{f"/markup/{k}": {"you_sent": v} for k, v in MARKUP.items()},
    **{f"/json/{k}": {"you_sent": v} for k, v in JSON_TEXT.items()},
    **{f"/held/{k}": {"you_sent": v} for k, v in HELD.items()},
    "/numeric": {"you_sent": int(NUMERIC)},
}


@pytest.fixture(scope="module")
def documents() -> Iterator[str]:
    with http_upstream(json_documents(DOCUMENTS), "round14b-documents") as address:
        yield address


@pytest.fixture
async def api(tmp_path: Path, documents: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, documents, CREDENTIAL) as harness:
        yield harness


@pytest.fixture
async def numeric_api(tmp_path: Path, documents: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, documents, NUMERIC) as harness:
        yield harness


async def _echoed(api: Harness, path: str) -> Any:
    """What the agent gets back under `you_sent` for a GET of `path`."""
    answer = await api.client.post(
        "/v1/actions",
        headers={"Authorization": f"Bearer {api.tokens['claims-bot']}"},
        json={"connection": "api", "request": {"method": "GET", "path": path}},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]["body"]["you_sent"]


@pytest.mark.parametrize("form", sorted(HELD))
async def test_held_the_credential_as_sent_or_numerically_referenced_is_redacted(
    api: Harness, form: str
) -> None:
    shown = await _echoed(api, f"/held/{form}")
    assert "REDACTED" in shown and CREDENTIAL not in html.unescape(shown), shown


@finding(1, "named HTML references (&amp; &quot; &lt;) are not decoded by the scrubber")
@pytest.mark.parametrize("form", sorted(MARKUP))
async def test_the_credential_html_escaped_with_named_references_is_redacted(
    api: Harness, form: str
) -> None:
    """docs/http.md: the scrubber decodes "HTML character references (with or without
    their `;`)". `&amp;`, `&quot;`, `&lt;` are HTML character references too — the
    only ones `html.escape`, Jinja2's autoescape or Go's html/template print — and
    the scrubber decodes only the numeric ones: an upstream's HTML error page that
    quotes the request's header hands the credential back, one `html.unescape` away."""
    shown = await _echoed(api, f"/markup/{form}")
    assert CREDENTIAL not in html.unescape(shown), shown


@finding(2, "JSON's two-character escapes (\\\" \\/ \\\\) in text are not decoded")
@pytest.mark.parametrize("form", sorted(JSON_TEXT))
async def test_the_credential_in_json_text_is_redacted(api: Harness, form: str) -> None:
    """docs/http.md names `\\uXXXX` among the escapes it reads, but not JSON's
    short escapes: a credential holding `"` (or `/`, which PHP's `json_encode`
    escapes by default, or `\\`) comes back whole inside a JSON log line carried as
    text (a log field, an error message, exec output), one `json.loads` away."""
    shown = await _echoed(api, f"/json/{form}")
    unescaped = re.sub(r"\\(.)", r"\1", shown)
    assert CREDENTIAL not in unescaped and "REDACTED" in shown, shown


@finding(3, "a credential of digits echoed as a JSON number is not scrubbed")
async def test_a_numeric_credential_echoed_as_a_json_number_is_redacted(
    numeric_api: Harness,
) -> None:
    """`scrub_json` scrubs strings and byte arrays; a number passes as it is. An echo
    that coerces a value of digits (YAML, query-string parsers with type coercion,
    a form field stored as an integer) answers the numeric credential as a JSON
    number, and the agent gets it back unredacted."""
    shown = await _echoed(numeric_api, "/numeric")
    assert NUMERIC not in json.dumps(shown), shown
