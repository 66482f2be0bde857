"""Round 25b: a promises-only attack on the HTTP connector (through REST) and the MCP
proxy (through /mcp): what upstreams answer, and what the gateway makes of it.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.

1. PHI an upstream carries as base64 (a FHIR DocumentReference's `attachment.data`,
   the standard place for a clinical note) reaches the caller unmasked: HTTP JSON,
   MCP structured content and MCP text blocks alike.
2. A name whose accented letters are escaped passes the masker from the first escape
   on: HTML references (`Mu&ntilde;oz`, PHP's `htmlentities`), `\\u00f1` (a JSON log
   line that Python's `json.dumps` wrote, carried as text), percent-escapes and
   quoted-printable.
3. A `Content-Encoding: gzip, gzip` answer of 273 bytes is inflated whole (64 MiB,
   157 MiB peak) before `max_response_bytes` is looked at: a ~10 KB answer is ~10 GB.
4. A JSON answer nested a few thousand levels deep ends in the catch-all
   `the upstream action failed: RecursionError` instead of a clean refusal.
5. A query name PHP reads as one `base_url` sets (`tenant.id`, `tenant id`,
   ` tenant_id` are `tenant_id` to PHP) is sent, so the caller's value wins there.
6. A name holding a byte that is no UTF-8 (Latin-1 data in a UTF-8 answer, the
   commonest mis-encoding) is cut at its U+FFFD by the masker: `Gon�alves` is shown.
7. A name written with combining accents (NFD: macOS, search indexes) is cut at the
   first mark: `Gonçalves` is shown whole, through REST and MCP alike.
8. An answer whose charset label disagrees with its bytes (ASCII labelled `utf-16le`
   or `cp037`) is decoded into text no detector reads and returned: one
   `.encode(<the charset the answer names>)` gives the note back whole.
9. An MCP upstream on the gateway host that reads files (a filesystem server) hands
   the agent the gateway's masking key, token hash key and another connection's
   bearer token: the scrubber knows only the calling connection's own values.
10. A path starting `//x/admin/…` is read by the rules as `/x/admin/…` (a read), but
    a Node.js server parsing it as its documentation shows (`new URL(req.url, base)`)
    takes `x` for a host and routes `/admin/…`: the admin area, unapproved.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import html
import json
import re
import shutil
import subprocess
import sys
import tracemalloc
import unicodedata
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest

from phigate.doors.app import build_app
from tests.adversarial.harness import http_upstream
from tests.adversarial.round25b_upstream import NFD_NAME, NOTE, NOTE_B64, SSN
from tests.conftest import Harness
from tests.connectors.support import harness_with, review_all_tools
from tests.mcp.conftest import mcp_client, serve_app

UPSTREAM = str(Path(__file__).with_name("round25b_upstream.py"))
TOKEN = "api-token-7e57c0ffee123456"
OTHER_TOKEN = "pat-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
# Words of the note that must never come back, in any form the caller can undo.
NOTE_PHI = (SSN, "Garcia", "555-0199", "03/14/1980")


# ── a local HTTP upstream answering fixed bodies by path ──────────────────────────
@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


ANSWERS: dict[str, Answer] = {}
SEEN: list[str] = []


class _Fixed(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        SEEN.append(self.path)
        answer = ANSWERS[self.path.split("?", 1)[0]]
        self.send_response(200)
        self.send_header("content-type", answer.content_type)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with http_upstream(_Fixed, "round25b") as served:
        yield served


async def _api(tmp_path: Path, address: str, **settings: Any) -> Harness:
    auth = {"scheme": "bearer", "value": TOKEN}
    base = settings.pop("base_url", f"http://{address}")
    conn = {"type": "http", "base_url": base, "auth": auth, **settings}
    return await harness_with(tmp_path, {"api": conn})


@pytest.fixture
async def api(tmp_path: Path, address: str) -> AsyncIterator[Harness]:
    h = await _api(tmp_path, address)
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _get(h: Harness, path: str, query: dict[str, str] | None = None) -> httpx.Response:
    request: dict[str, Any] = {"method": "GET", "path": path, "query": query or {}}
    return await h.client.post(
        "/v1/actions", headers=h.auth("claims-bot"), json={"connection": "api", "request": request}
    )


_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def base64_decoded(text: str) -> str:
    """Every base64 run of the text decoded (what a caller undoes in one line)."""
    out = []
    for run in _BASE64_RUN.findall(text):
        try:
            out.append(base64.b64decode(run + "=" * (-len(run) % 4)).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            continue
    return "\n".join(out)


def shown_phi(text: str) -> list[str]:
    return [word for word in NOTE_PHI if word in text]


# ── 1. base64 PHI passes every masker ─────────────────────────────────────────────
ANSWERS["/fhir/DocumentReference/7"] = Answer(
    json.dumps(
        {
            "resourceType": "DocumentReference",
            "content": [{"attachment": {"contentType": "text/plain", "data": NOTE_B64}}],
        }
    ).encode()
)


async def test_a_fhir_attachment_in_an_http_answer_is_masked(api: Harness) -> None:
    """docs/masking.md masks FHIR resources value by value; a DocumentReference
    carries its note in `content[].attachment.data`, base64 (FHIR's `base64Binary`).
    The agent gets it as the upstream sent it and decodes the SSN, name, birth date
    and phone in one line (cause: `masking/_json` scans strings as text, never
    decoding base64; the credential scrubber does decode base64, the PHI masker not)."""
    got = await _get(api, "/fhir/DocumentReference/7")
    assert got.status_code in (200, 403), got.text[:300]
    assert not shown_phi(base64_decoded(got.text)), got.text[:400]


@pytest.fixture
async def mcp_gateway(tmp_path: Path) -> AsyncIterator[tuple[Harness, str]]:
    conn = {
        "type": "mcp",
        "command": [sys.executable, UPSTREAM],
        "tools": {"*": "read"},
        "timeout_seconds": 20,
    }
    # Another connection's credential, held in a file as docs/http.md shows.
    (tmp_path / "patients-token").write_text(f"{OTHER_TOKEN}\n")
    patients = {
        "type": "http",
        "base_url": "http://127.0.0.1:9/api",
        "auth": {"scheme": "bearer", "value": f"file:{tmp_path / 'patients-token'}"},
    }
    h = await harness_with(tmp_path, {"records": conn, "patients": patients})
    try:
        await review_all_tools(h.gateway, "records")
        async with serve_app(build_app(h.gateway)) as base:
            yield h, base + "/mcp"
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _mcp_call(
    gateway: tuple[Harness, str], tool: str, arguments: dict[str, Any] | None = None
) -> str:
    """Everything the agent reads back from one upstream tool call over /mcp."""
    h, url = gateway
    async with mcp_client(url, h.tokens["claims-bot"]) as client:
        result = await client.call_tool(f"records__{tool}", arguments or {})
    texts = [getattr(block, "text", "") for block in result.content]
    return json.dumps({"content": texts, "structured": result.structured_content})


@pytest.mark.parametrize("tool", ["fetch_document", "fetch_attachment"])
async def test_base64_phi_in_an_mcp_tool_result_is_masked(
    mcp_gateway: tuple[Harness, str], tool: str
) -> None:
    """docs/mcp.md: text blocks go through the text masker, structured content through
    the JSON masker, non-text blocks are withheld. A note as base64 in either passes
    both (the same DocumentReference, or a text block quoting the attachment)."""
    shown = await _mcp_call(mcp_gateway, tool)
    assert not shown_phi(base64_decoded(shown)), shown[:400]


# ── 2. HTML character references hide PHI from the masker ─────────────────────────
PAGE = (
    "<table><tr><th>Patient</th><td>José Muñoz</td></tr>"
    "<tr><th>Phone</th><td>(415) 555-0142</td></tr>"
    "<tr><th>SSN</th><td>536-22-8412</td></tr></table>"
)
PAGE_PHI = ("Muñoz", "José", "555-0142", "536-22-8412")
# What PHP's htmlentities() writes (accents as named references); an SSN and a phone
# number written as numeric references, as some templating writes every non-word
# character.
ANSWERS["/chart.html"] = Answer(PAGE.encode(), "text/html; charset=utf-8")
ANSWERS["/chart-entities.html"] = Answer(
    PAGE.replace("é", "&eacute;")
    .replace("ñ", "&ntilde;")
    .replace("-", "&#45;")
    .replace("(", "&#40;")
    .replace(")", "&#41;")
    .encode(),
    "text/html; charset=utf-8",
)


def _body(got: httpx.Response) -> str:
    assert got.status_code == 200, got.text[:300]
    return str(got.json()["result"]["body"])


async def test_held_a_plain_html_chart_is_masked(api: Harness) -> None:
    body = _body(await _get(api, "/chart.html"))
    assert not [w for w in PAGE_PHI if w in body], body


async def test_an_html_chart_written_with_character_references_is_masked(api: Harness) -> None:
    """The same chart as PHP's `htmlentities` writes it: the agent (or any browser)
    reads `Mu&ntilde;oz`, `536&#45;22&#45;8412` as the name and SSN. The credential
    scrubber decodes HTML references (docs/http.md); the PHI masker does not."""
    body = _body(await _get(api, "/chart-entities.html"))
    assert not [w for w in PAGE_PHI if w in html.unescape(body)], body


# ── 3. a stacked Content-Encoding bomb is inflated whole before the cap ────────────
def _bomb() -> bytes:
    return gzip.compress(gzip.compress(bytes(64 * 1024 * 1024), 9), 9)  # 273 bytes


async def test_a_stacked_gzip_answer_is_not_inflated_past_the_cap(
    tmp_path: Path, address: str
) -> None:
    """docs/http.md: a body over `max_response_bytes` is read past the cap only by the
    longest credential form's length. httpx decodes each network chunk whole, every
    coding in turn (`_read_capped` iterates `aiter_bytes()`), so the cap is checked
    only after the chunk is inflated: 273 bytes become 64 MiB (≈157 MiB peak here);
    10 KB of doubly gzipped zeros are ~10 GB, and the gateway dies for every caller."""
    ANSWERS["/bomb"] = Answer(_bomb(), "text/plain", (("content-encoding", "gzip, gzip"),))
    h = await _api(tmp_path, address, max_response_bytes=4096)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        got = await _get(h, "/bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        await h.client.aclose()
        await h.gateway.close()
    assert got.status_code in (200, 403, 502), got.text[:300]
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.0f} MiB for a 4096-byte cap: {got.text[:200]}"


# ── 4. a deeply nested JSON answer ends in the catch-all ───────────────────────────
ANSWERS["/deep"] = Answer(("[" * 3000 + "]" * 3000).encode())


async def test_a_deeply_nested_json_answer_is_refused_cleanly(api: Harness) -> None:
    """`json.loads` raises RecursionError (not a ValueError) in `_masked_body`; the
    pipeline's catch-all logs a traceback and answers 502 naming a Python exception.
    The MCP door refuses deep messages by name (`more than 64 levels deep`); the HTTP
    connector should say what it refused too (or withhold the depth, as the JSON
    masker does)."""
    got = await _get(api, "/deep")
    assert "RecursionError" not in got.text, got.text[:300]
    assert got.status_code in (200, 403, 502), got.text[:300]


# ── 5. query names PHP reads as the name base_url sets ─────────────────────────────
ANSWERS["/api/visits"] = Answer(b"{}")


@pytest.mark.parametrize("name", ["tenant.id", "tenant id", " tenant_id", "tenant[id"])
async def test_a_query_name_php_reads_as_base_urls_own_is_refused(
    tmp_path: Path, address: str, name: str
) -> None:
    """docs/http.md: "A query name that base_url already sets (any case) makes the
    request unknown: servers take the first of two values or the last, so the
    caller's could win." PHP (php.net, "Variables From External Sources") turns dots
    and spaces in names into `_`, drops leading spaces and an unmatched `[` becomes
    `_`: all four are `tenant_id` to `$_GET`, which keeps the last — the caller's 43,
    not the connection's 42. The comparison is `str(name).casefold()` only
    (`HttpConnector._request_problem`)."""
    h = await _api(tmp_path, address, base_url=f"http://{address}/api?tenant_id=42")
    SEEN.clear()
    try:
        got = await _get(h, "/visits", {name: "43"})
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert not SEEN, SEEN
    assert got.status_code == 403, got.text[:300]


async def test_held_base_urls_own_query_name_in_another_case_is_refused(
    tmp_path: Path, address: str
) -> None:
    h = await _api(tmp_path, address, base_url=f"http://{address}/api?tenant_id=42")
    SEEN.clear()
    try:
        got = await _get(h, "/visits", {"TENANT_ID": "43"})
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert got.status_code == 403 and not SEEN, (got.text[:300], SEEN)


# ── 6. a byte that is no UTF-8 cuts a name short ──────────────────────────────────
_NAME = "Renée Gonçalves"
_SURNAME_PARTS = ("Gon", "alves", "Ren")
ANSWERS["/latin1.json"] = Answer(
    json.dumps({"patient": _NAME, "note": f"Seen: {_NAME} today"}, ensure_ascii=False).encode(
        "latin-1"
    )
)
ANSWERS["/latin1.txt"] = Answer(f"Patient {_NAME} was seen today.".encode("latin-1"), "text/plain")
ANSWERS["/utf8.txt"] = Answer(f"Patient {_NAME} was seen today.".encode(), "text/plain")


# The same name escaped the ways text carries it: JSON written by `json.dumps` (its
# default `ensure_ascii`) inside a JSON string or a log line, a percent-encoded link,
# a quoted-printable mail body.
ANSWERS["/escaped-json-string.json"] = Answer(
    json.dumps({"event": "visit", "payload": json.dumps({"patient_name": _NAME})}).encode()
)
ANSWERS["/escaped-log.txt"] = Answer(
    ("visit " + json.dumps({"msg": f"Patient {_NAME} was seen today"})).encode(), "text/plain"
)
ANSWERS["/escaped-percent.txt"] = Answer(
    b"Patient Ren%C3%A9e Gon%C3%A7alves was seen today.", "text/plain"
)
ANSWERS["/escaped-qp.txt"] = Answer(
    b"Patient Ren=C3=A9e Gon=C3=A7alves was seen today.\r\n", "text/plain"
)


@pytest.mark.parametrize("path", ["/escaped-log.txt", "/escaped-percent.txt", "/escaped-qp.txt"])
async def test_a_name_with_escaped_accents_is_masked_whole(api: Harness, path: str) -> None:
    """The credential scrubber reads all of these escapes (docs/http.md); the masker
    stops the name at the first one: `[PERSON]\\u00e9e Gon\\u00e7alves`. A JSON log
    line carried as text is the common case: Python's `json.dumps` escapes every
    non-ASCII letter by default (a JSON document inside a JSON string is read, below)."""
    body = json.dumps(_body_value(await _get(api, path)), ensure_ascii=False)
    assert not [p for p in _SURNAME_PARTS if p in body], body


@pytest.mark.parametrize("path", ["/utf8.txt", "/escaped-json-string.json"])
async def test_held_the_name_in_utf8_or_in_an_embedded_json_is_masked_whole(
    api: Harness, path: str
) -> None:
    body = json.dumps(_body_value(await _get(api, path)), ensure_ascii=False)
    assert not [p for p in _SURNAME_PARTS if p in body], body


@pytest.mark.parametrize("path", ["/latin1.json", "/latin1.txt"])
async def test_a_name_with_a_byte_that_is_no_utf8_is_masked_whole(api: Harness, path: str) -> None:
    """docs/http.md: bytes that are no UTF-8 in a UTF-8 answer are replaced. Legacy
    Latin-1 data served as UTF-8 (or with no charset) is common; each accented letter
    becomes U+FFFD, which the name detector reads as the end of the name: `Renée
    Gonçalves` comes back `[PERSON]�e Gon�alves`, the surname readable."""
    body = json.dumps(_body_value(await _get(api, path)), ensure_ascii=False)
    assert not [p for p in _SURNAME_PARTS if p in body], body


def _body_value(got: httpx.Response) -> Any:
    assert got.status_code in (200, 403), got.text[:300]
    return got.json().get("result", {}).get("body")


# ── 7. combining accents (NFD) cut a name short ───────────────────────────────────
ANSWERS["/nfd.json"] = Answer(
    json.dumps({"patient": NFD_NAME, "note": f"Seen: {NFD_NAME} today"}).encode()
)
ANSWERS["/nfd.txt"] = Answer(f"Patient {NFD_NAME} was seen today.".encode(), "text/plain")


def _shown_name(text: str) -> list[str]:
    composed = unicodedata.normalize("NFC", text)
    return [part for part in ("Gonçalves", "Renée", "alves") if part in composed]


@pytest.mark.parametrize("path", ["/nfd.json", "/nfd.txt"])
async def test_a_name_with_combining_accents_is_masked_whole_over_rest(
    api: Harness, path: str
) -> None:
    """`Rene\u0301e Gonc\u0327alves` (what macOS and `normalize('NFD')` write) renders
    as `Renée Gonçalves`; the same name composed (NFC) is masked whole. Decomposed, the
    detector stops at the first combining mark: `[PERSON]\u0301e Gonçalves`. docs/
    masking.md folds NFKC forms only where they read as ASCII."""
    body = json.dumps(_body_value(await _get(api, path)), ensure_ascii=False)
    assert not _shown_name(body), body


async def test_a_name_with_combining_accents_is_masked_whole_over_mcp(
    mcp_gateway: tuple[Harness, str],
) -> None:
    shown = json.loads(await _mcp_call(mcp_gateway, "nfd_note"))
    assert not _shown_name(json.dumps(shown, ensure_ascii=False)), shown


# ── 8. a wrong charset label makes a lossless disguise ───────────────────────────
_LABELLED = f"Patient Maria Garcia, SSN {SSN}, phone (415) 555-0199.  ".encode()


@pytest.mark.parametrize("charset", ["utf-16le", "cp037"])
async def test_an_answer_in_a_charset_it_is_not_written_in_is_not_a_disguise(
    api: Harness, charset: str
) -> None:
    """docs/http.md reads text "in the charset it is written in" and refuses what does
    not decode; it declines to guess a BOM-less UTF-16 byte order because "a wrong guess
    is text no detector reads". A wrong *label* is the same: ASCII read as UTF-16LE is
    CJK (`慐楴湥⁴…`), as EBCDIC accented Latin; every detector misses, and the decoding
    is lossless, so the caller re-encodes the body in the charset the answer's own
    `content-type` names and reads the SSN (`connectors/http.py` `_as_utf8`)."""
    ANSWERS[f"/labelled-{charset}"] = Answer(_LABELLED, f"text/plain; charset={charset}")
    got = await _get(api, f"/labelled-{charset}")
    body = _body_value(got)
    undone = body.encode(charset, "replace").decode("ascii", "replace") if body else ""
    assert not shown_phi(undone), undone


# ── 9. an MCP upstream on the gateway host reads the gateway's own secrets ────────
@pytest.mark.parametrize("secret", ["secrets/masking_key", "secrets/token_hash_key", "token"])
async def test_an_mcp_upstream_never_hands_out_the_gateways_own_secrets(
    mcp_gateway: tuple[Harness, str], tmp_path: Path, secret: str
) -> None:
    """docs/security.md, "No connector returns the gateway's own secrets": one class
    (`GatewaySecrets`) expands "every gateway-held value". For an MCP connection it
    holds that connection's `headers` and `env` only (`_mcp_session.secrets`), so a
    stdio upstream (the gateway's user, on its host) that reads a file returns the
    masking key (pseudonyms and MCP tool tags are keyed by it), the token hash key
    or the `patients` connection's bearer token as they are. The exec connector
    makes reads of the gateway host admin; an MCP tool is only what `tools` says."""
    path = tmp_path / ("patients-token" if secret == "token" else secret)
    value = path.read_text().strip()
    shown = await _mcp_call(mcp_gateway, "read_file", {"path": str(path)})
    assert value not in shown, shown[:300]


# ── 10. a leading `//` is a host to WHATWG URL parsers ───────────────────────────
# A Node.js server routing as the Node docs show (`new URL(request.url, base)`); it
# prints its port, then answers every request with the path it routed.
_NODE_SERVER = """
const http = require('http');
const server = http.createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const area = url.pathname.startsWith('/admin') ? 'admin' : 'public';
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({routed: url.pathname, area}));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
"""


@pytest.fixture
def node_upstream() -> Iterator[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs node for a WHATWG-parsing upstream")
    process = subprocess.Popen([node, "-e", _NODE_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield f"127.0.0.1:{process.stdout.readline().strip()}"
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


async def test_a_leading_double_slash_does_not_hide_the_admin_area(
    tmp_path: Path, node_upstream: str
) -> None:
    """docs/http.md: rules match "the way servers read it", repeated slashes dropped
    (`//admin//stats/` is `/admin/stats`). To a WHATWG URL parser (Node's `URL`, which
    the Node.js `http` docs use to read `request.url`; browsers; Deno) a target starting
    `//` is scheme-relative: `//x/admin/users` is host `x`, path `/admin/users`. The
    gateway reads `/x/admin/users`, no rule matches, GET is a read: it runs, and the
    upstream answers from its admin area (`_http_rules.normal_path`)."""
    rules = [{"name": "admin area", "path": "/admin/**", "risk": "admin"}]
    h = await _api(tmp_path, node_upstream, base_url=f"http://{node_upstream}", rules=rules)
    try:
        direct = await _get(h, "/admin/users")
        got = await _get(h, "//x/admin/users")
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert direct.status_code == 403, direct.text[:300]  # the rule holds as written
    assert got.status_code == 403, got.text[:300]


# ── held: answers that came back as promised ──────────────────────────────────────
ANSWERS["/echo-key"] = Answer(json.dumps({TOKEN: 1, "seen": {f"Bearer {TOKEN}": "x"}}).encode())
ANSWERS["/nan"] = Answer(f'{{"a": NaN, "b": Infinity, "ssn": "{SSN}"}}'.encode())
ANSWERS["/duplicate"] = Answer(f'{{"note": "{NOTE}", "note": "x"}}'.encode())
ANSWERS["/gzip"] = Answer(
    gzip.compress(json.dumps({"note": NOTE}).encode()), headers=(("content-encoding", "gzip"),)
)
ANSWERS["/headers"] = Answer(
    b"{}", headers=(("etag", f'"{TOKEN}"'), ("location", f"/x?ssn={SSN}&t={TOKEN}"))
)


async def test_held_answers_keep_no_credential_or_phi(api: Harness) -> None:
    """The token as a JSON key, NaN and Infinity, a duplicate key, a gzip body, and
    the token and an SSN in the shown headers: none comes back."""
    for path in ["/echo-key", "/nan", "/duplicate", "/gzip", "/headers"]:
        got = await _get(api, path)
        assert got.status_code == 200, (path, got.text[:300])
        assert TOKEN not in got.text and not shown_phi(got.text), (path, got.text[:400])
