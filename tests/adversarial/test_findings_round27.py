"""Round 27: a promises-only attack on what the masker and the connectors read in
encoded content: every answer through the HTTP connector (REST door) and the MCP proxy
(/mcp) is to be masked as its reader will read it, and no connector returns a secret
the gateway holds, in any encoding.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.

1. A base64 note is read as text only when every character of it is printable: one
   UTF-8 byte order mark (Notepad, .NET), a no-break space (text taken from HTML), a
   C string's closing NUL or a form feed, and the whole note passes as it was sent.
2. A base64 note in another charset than UTF-8 (a FHIR attachment says which in its
   `contentType`: Latin-1, UTF-16) passes whole: only UTF-8 is tried.
3. A note as hex (PostgREST's JSON of a `bytea` column, `\\x5061…`) passes whole; the
   credential scrubber reads hex, the PHI masker does not.
4. A note gzipped then base64-encoded (a compressed attachment, a Helm release) passes.
5. A form-encoded answer (`application/x-www-form-urlencoded`) is read with `+` as a
   plus, not a space: `phone=%28415%29+555-0199` shows the phone number.
6. An MCP tool that reads a file by byte range (offset, length) hands over another
   connection's credential in two pieces: each piece alone is not recognised; read as
   an `xxd` hex dump (two-byte groups, the text column cut every 16 bytes), it passes
   in one call.
7. With `allow_binary`, a binary answer is returned as base64 scrubbed of credentials
   only: a note served as `application/octet-stream`, or a text answer holding one
   NUL (which makes it binary), reaches the caller whole.
8. Base64 a reader decodes that the masker takes for none: a run of 4k+1 characters
   (a preview cut at a fixed length) or one glued to a word by `_` while it holds `/`
   (read as two alphabets at once) passes whole.
9. An SSN in prose ("about SSN 536\u200b-22-8471") with a zero-width space, a soft
   hyphen, en dashes (Word's autocorrect) or non-breaking hyphens is shown whole; with
   the label "SSN:" it is masked.
10. An SSN in Arabic-Indic or Devanagari digits is shown, even after "SSN:".

Held: an SSN written with a zero-width space, a soft hyphen, en dashes or non-breaking
hyphens in a text answer is masked; the credential read whole is redacted.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import json
import re
import sys
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from phigate.doors.app import build_app
from tests.adversarial.harness import http_upstream
from tests.adversarial.round27_upstream import NOTE
from tests.conftest import Harness
from tests.connectors.support import harness_with, review_all_tools
from tests.mcp.conftest import mcp_client, serve_app

UPSTREAM = str(Path(__file__).with_name("round27_upstream.py"))
TOKEN = "api-token-7e57c0ffee123456"
OTHER_TOKEN = "pat-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SSN = "536-22-8471"
NOTE_PHI = ("Maria", "Garcia", SSN, "555-0199", "03/14/1980")


# ── a local HTTP upstream answering fixed bodies by path ──────────────────────────
@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str = "application/json"


ANSWERS: dict[str, Answer] = {}


class _Fixed(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        answer = ANSWERS[self.path.split("?", 1)[0]]
        self.send_response(200)
        self.send_header("content-type", answer.content_type)
        self.send_header("content-length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with http_upstream(_Fixed, "round27") as served:
        yield served


@pytest.fixture
async def api(tmp_path: Path, address: str) -> AsyncIterator[Harness]:
    auth = {"scheme": "bearer", "value": TOKEN}
    h = await harness_with(
        tmp_path, {"api": {"type": "http", "base_url": f"http://{address}", "auth": auth}}
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _get(h: Harness, path: str) -> str:
    """The body the agent reads back, as JSON text (non-ASCII as it is)."""
    request: dict[str, Any] = {"method": "GET", "path": path, "query": {}}
    got = await h.client.post(
        "/v1/actions", headers=h.auth("claims-bot"), json={"connection": "api", "request": request}
    )
    assert got.status_code in (200, 403), got.text[:300]
    return json.dumps(got.json().get("result", {}).get("body"), ensure_ascii=False)


def _shown(text: str) -> list[str]:
    return [word for word in NOTE_PHI if word in text]


def _fhir(data: str, content_type: str = "text/plain") -> Answer:
    attachment = {"contentType": content_type, "data": data}
    resource = {"resourceType": "DocumentReference", "content": [{"attachment": attachment}]}
    return Answer(json.dumps(resource).encode())


_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def _base64_read(text: str, read: Callable[[bytes], str]) -> str:
    """Every base64 run of `text` decoded and read by `read` (what the reader does)."""
    out = []
    for run in _BASE64_RUN.findall(text):
        try:
            out.append(read(base64.b64decode(run + "=" * (-len(run) % 4))))
        except (binascii.Error, ValueError, OSError):
            continue
    return "\n".join(out)


def _utf8(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


# ── 1. one character that is not printable and base64 text is no text ────────────
_UNPRINTABLE = {
    "bom": ("\ufeff", ""),
    "no-break-space": ("Patient:\u00a0", ""),
    "nul-terminated": ("", "\0"),
    "form-feed": ("", "\f"),
}
for _name, (_head, _tail) in _UNPRINTABLE.items():
    ANSWERS[f"/fhir/{_name}"] = _fhir(base64.b64encode(f"{_head}{NOTE}{_tail}".encode()).decode())
ANSWERS["/fhir/plain"] = _fhir(base64.b64encode(NOTE.encode()).decode())


async def test_held_a_base64_note_is_masked(api: Harness) -> None:
    body = await _get(api, "/fhir/plain")
    assert not _shown(_base64_read(body, _utf8)), body


@pytest.mark.parametrize("name", list(_UNPRINTABLE))
async def test_a_base64_note_with_one_unprinted_character_is_masked(
    api: Harness, name: str
) -> None:
    body = await _get(api, f"/fhir/{name}")
    assert not _shown(_base64_read(body, _utf8)), body


@pytest.fixture
def token_file(tmp_path: Path) -> str:
    """Another connection's credential, held in a file as docs/http.md shows."""
    path = tmp_path / "patients-token"
    path.write_text(f"{OTHER_TOKEN}\n")
    return str(path)


@pytest.fixture
async def mcp_gateway(tmp_path: Path, token_file: str) -> AsyncIterator[tuple[Harness, str]]:
    conn = {
        "type": "mcp",
        "command": [sys.executable, UPSTREAM],
        "tools": {"*": "read"},
        "timeout_seconds": 20,
    }
    patients = {
        "type": "http",
        "base_url": "http://127.0.0.1:9/api",
        "auth": {"scheme": "bearer", "value": f"file:{token_file}"},
    }
    h = await harness_with(tmp_path, {"records": conn, "patients": patients})
    try:
        await review_all_tools(h.gateway, "records")
        async with serve_app(build_app(h.gateway)) as base:
            yield h, base + "/mcp"
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _mcp_call(gateway: tuple[Harness, str], tool: str, arguments: dict[str, Any]) -> str:
    """Everything the agent reads back from one upstream tool call over /mcp."""
    h, url = gateway
    async with mcp_client(url, h.tokens["claims-bot"]) as client:
        result = await client.call_tool(f"records__{tool}", arguments)
    texts = [getattr(block, "text", "") for block in result.content]
    return json.dumps({"content": texts, "structured": result.structured_content})


async def test_a_base64_note_with_a_byte_order_mark_is_masked_over_mcp(
    mcp_gateway: tuple[Harness, str],
) -> None:
    shown = await _mcp_call(mcp_gateway, "fetch_note", {})
    assert not _shown(_base64_read(shown, _utf8)), shown


# ── 2. base64 text in the charset its attachment names ─────────────────────────────
_LATIN1_NOTE = f"Patient José Muñoz, SSN {SSN}, phone (415) 555-0199"
_CHARSETS = {
    "latin-1": ("text/plain; charset=ISO-8859-1", _LATIN1_NOTE.encode("latin-1"), "latin-1"),
    "utf-16": ("text/plain; charset=UTF-16", NOTE.encode("utf-16"), "utf-16"),
}
for _name, (_type, _raw, _) in _CHARSETS.items():
    ANSWERS[f"/fhir/charset-{_name}"] = _fhir(base64.b64encode(_raw).decode(), _type)


@pytest.mark.parametrize("name", list(_CHARSETS))
async def test_a_base64_note_in_its_attachments_charset_is_masked(api: Harness, name: str) -> None:
    charset = _CHARSETS[name][2]
    body = await _get(api, f"/fhir/charset-{name}")
    read = _base64_read(body, lambda raw: raw.decode(charset, "replace"))
    assert not _shown(read) and "Muñoz" not in read, body


# ── 3. hex: PostgREST's JSON of a bytea column ─────────────────────────────────────
ANSWERS["/rest/notes"] = Answer(
    json.dumps([{"id": 7, "body": "\\x" + NOTE.encode().hex()}]).encode()
)


def _hex_read(text: str) -> str:
    return "\n".join(
        bytes.fromhex(run).decode("utf-8", "replace")
        for run in re.findall(r"(?:[0-9a-fA-F]{2}){8,}", text)
    )


async def test_a_hex_note_is_masked(api: Harness) -> None:
    body = await _get(api, "/rest/notes")
    assert not _shown(_hex_read(body)), body


# ── 4. gzip inside base64 ───────────────────────────────────────────────────────────
ANSWERS["/fhir/gzip"] = _fhir(
    base64.b64encode(gzip.compress(NOTE.encode(), mtime=0)).decode(), "text/plain"
)


async def test_a_gzipped_base64_note_is_masked(api: Harness) -> None:
    body = await _get(api, "/fhir/gzip")
    assert not _shown(_base64_read(body, lambda raw: _utf8(gzip.decompress(raw)))), body


# ── 5. a form-encoded answer ────────────────────────────────────────────────────────
ANSWERS["/form"] = Answer(
    b"patient=Maria+Garcia&ssn=536-22-8471&phone=%28415%29+555-0199&dob=03%2F14%2F1980",
    "application/x-www-form-urlencoded",
)


async def test_a_form_encoded_answer_is_masked_as_a_form_reads(api: Harness) -> None:
    body = await _get(api, "/form")
    assert not _shown(unquote_plus(json.loads(body))), body


# ── held: an SSN with a character its reader does not see ─────────────────────────────
_SPELLED = {
    "zero-width-space": "536\u200b-22-8471",
    "soft-hyphen": "536-22-\u00ad8471",
    "en-dash": "536\u201322\u20138471",
    "non-breaking-hyphen": "536\u201122\u20118471",
}
for _name, _ssn in _SPELLED.items():
    ANSWERS[f"/ssn/{_name}"] = Answer(f"Member SSN: {_ssn}".encode(), "text/plain; charset=utf-8")
    ANSWERS[f"/prose/{_name}"] = Answer(
        f"Called the member about SSN {_ssn} today.".encode(), "text/plain; charset=utf-8"
    )
ANSWERS["/prose/hyphen"] = Answer(
    f"Called the member about SSN {SSN} today.".encode(), "text/plain; charset=utf-8"
)


def _as_read(text: str) -> str:
    """What a person reads: invisible format characters gone, dashes as hyphens."""
    seen = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return re.sub("[\u2010-\u2015]", "-", seen)


@pytest.mark.parametrize("name", list(_SPELLED))
async def test_held_an_ssn_spelled_with_an_unseen_character_is_masked(
    api: Harness, name: str
) -> None:
    body = await _get(api, f"/ssn/{name}")
    assert SSN not in _as_read(body), body


# ── 6. a held credential read by byte range ─────────────────────────────────────────
async def test_held_a_held_credential_read_whole_is_redacted(
    mcp_gateway: tuple[Harness, str], token_file: str
) -> None:
    shown = await _mcp_call(
        mcp_gateway, "read_range", {"path": token_file, "offset": 0, "length": 4096}
    )
    assert OTHER_TOKEN not in shown and OTHER_TOKEN[4:] not in shown, shown


async def test_a_held_credential_read_in_two_ranges_is_redacted(
    mcp_gateway: tuple[Harness, str], token_file: str
) -> None:
    pieces = []
    for offset, length in ((0, 18), (18, 4096)):
        shown = await _mcp_call(
            mcp_gateway, "read_range", {"path": token_file, "offset": offset, "length": length}
        )
        pieces.append("".join(json.loads(shown)["content"]).strip())
    assert OTHER_TOKEN not in "".join(pieces), pieces


# ── 7. a binary answer (allow_binary) is never read for PHI ─────────────────────────
ANSWERS["/files/note.txt"] = Answer(NOTE.encode(), "application/octet-stream")
# A text answer holding one NUL (a C string's end, a fixed-width record's padding) is
# binary too (docs/http.md).
ANSWERS["/records/note"] = Answer(NOTE.encode() + b"\0", "text/plain; charset=utf-8")


@pytest.fixture
async def binary_api(tmp_path: Path, address: str) -> AsyncIterator[Harness]:
    auth = {"scheme": "bearer", "value": TOKEN}
    conn = {"type": "http", "base_url": f"http://{address}", "auth": auth, "allow_binary": True}
    h = await harness_with(tmp_path, {"api": conn})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


@pytest.mark.parametrize("path", ["/files/note.txt", "/records/note"])
async def test_a_text_note_answered_as_binary_is_masked(binary_api: Harness, path: str) -> None:
    body = await _get(binary_api, path)
    assert not _shown(_base64_read(body, _utf8)), body


async def test_held_an_ssn_in_prose_is_masked(api: Harness) -> None:
    body = await _get(api, "/prose/hyphen")
    assert SSN not in body, body


@pytest.mark.parametrize("name", list(_SPELLED))
async def test_an_ssn_in_prose_spelled_with_an_unseen_character_is_masked(
    api: Harness, name: str
) -> None:
    """The same spellings as above, in a sentence ("about SSN …" rather than the
    label "SSN:"): the hyphenated SSN is masked there, the others are shown whole."""
    body = await _get(api, f"/prose/{name}")
    assert SSN not in _as_read(body), body


# ── 8. base64 its reader decodes that the masker takes for no base64 ───────────────
_NOTE_B64 = base64.b64encode(f"{NOTE}. Follow up in two weeks.".encode()).decode()
# A preview cut at a fixed length (109 characters: 4k+1) and a run glued to a word by
# `_` while it holds `/` (the masker reads `_` and `/` as two alphabets at once).
_CUT = _NOTE_B64[:109]
_GLUED_NOTE = "Patient Maria Garcia?? SSN 536-22-8471 >> DOB 03/14/1980"
_GLUED = "note_" + base64.b64encode(_GLUED_NOTE.encode()).decode()
ANSWERS["/preview"] = Answer(json.dumps({"id": 7, "data_preview": _CUT}).encode())
ANSWERS["/glued"] = Answer(f"stored as {_GLUED}".encode(), "text/plain")


def _lenient_base64(text: str) -> str:
    """What a reader decodes: each run, a word glued before it dropped, cut to whole
    groups of four (what a lenient decoder or a person pasting a preview gets)."""
    out = []
    for run in re.findall(r"[A-Za-z0-9+/]{16,}", text.replace("note_", " ")):
        with_pad = run[: len(run) // 4 * 4]
        with contextlib.suppress(binascii.Error, ValueError):
            out.append(base64.b64decode(with_pad).decode("utf-8", "replace"))
    return "\n".join(out)


@pytest.mark.parametrize("path", ["/preview", "/glued"])
async def test_base64_its_reader_decodes_is_masked(api: Harness, path: str) -> None:
    body = await _get(api, path)
    assert not _shown(_lenient_base64(body)), body


async def test_a_held_credential_in_a_hex_dump_is_redacted(
    mcp_gateway: tuple[Harness, str], token_file: str
) -> None:
    """A file tool's hex view: the scrubber knows hex plain and byte by byte, not in
    `xxd`'s two-byte groups, nor the text column cut every 16 bytes."""
    arguments = {"path": token_file, "offset": 0, "length": 4096, "format": "xxd"}
    shown = "".join(json.loads(await _mcp_call(mcp_gateway, "read_range", arguments))["content"])
    hexed = "".join(re.findall(r"^[0-9a-f]{8}: ((?:[0-9a-f]{2,4} )+)", shown, re.M))
    column = "".join(line[51:] for line in shown.splitlines())
    read = bytes.fromhex(hexed.replace(" ", "")).decode("latin-1")
    assert OTHER_TOKEN not in read and OTHER_TOKEN not in column, shown


# ── 10. an SSN in another script's digits ───────────────────────────────────────────
_DIGITS = {"arabic-indic": "٠١٢٣٤٥٦٧٨٩", "devanagari": "०१२३४५६७८९"}
for _name, _digits in _DIGITS.items():
    _ssn = SSN.translate(str.maketrans("0123456789", _digits))
    ANSWERS[f"/digits/{_name}"] = Answer(
        f"Member SSN: {_ssn}".encode(), "text/plain; charset=utf-8"
    )


@pytest.mark.parametrize("name", list(_DIGITS))
async def test_an_ssn_in_another_scripts_digits_is_masked(api: Harness, name: str) -> None:
    """Fullwidth digits are folded (NFKC) and masked; other scripts' decimal digits
    (what an Arabic- or Hindi-locale system prints) are not read as digits at all."""
    body = await _get(api, f"/digits/{name}")
    read = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in body)
    assert SSN not in read, body
