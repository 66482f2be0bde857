"""Round 29a: a promises-only attack on what the HTTP connector (REST door) and the MCP
proxy (/mcp) answer in encoded views: every answer is to be masked as its reader reads
it, and no held secret returned in any encoding, in pieces of 8+ characters or in a
hex dump.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.

1. Base64 of UTF-16 text without a byte order mark (what .NET's `Encoding.Unicode`
   and PowerShell's `-EncodedCommand` write; a FHIR attachment saying
   `charset=UTF-16LE`), or its hex (SQL Server's `varbinary` of an `nvarchar`),
   passes whole: UTF-16 is read only after a byte order mark.
2. Base64 written percent-encoded (a pagination cursor, a form field: `+` `/` `=` as
   `%2B` `%2F` `%3D`) passes whole: base64 runs are read before escapes, and the
   escaped view is never read for base64.
3. A hex dump of a note (`hexdump -C`, `od -x`, `xxd -g1`, `xxd -i`'s C array) passes
   whole: dumps are read for held secrets only, never for PHI.
4. With `allow_binary`, a gzip answer (`application/gzip`: a compressed note, a log
   archive) reaches the caller as base64 of gzip, the note and a held credential in
   it unmasked: base64 text is inflated, binary answers are not.
5. A held credential read by an MCP tool gzipped or zlib-compressed, as base64 or
   hex, passes whole: the credential scrubber inflates nothing.
6. A held credential in `od`'s dumps other than `od -x` (`od -c`, and `od -An -tx1`
   without offsets) passes whole.
7. A held credential with a separator every few characters passes whole in an MCP
   tool's text: in groups of four with spaces, with a zero-width space every six
   characters (shown to its reader whole), its base64 with a soft hyphen every seven
   characters (Python's `b64decode`, Node's `Buffer` skip it), or as Node.js's JSON
   of a `Buffer` (`{"type":"Buffer","data":[112,…]}`).
8. A note's base64 with a zero-width space, soft hyphen or tab every few characters
   passes whole; with spaces inside, the name and the SSN or the phone do.
9. A note answered as an array of lines (OCR output, a wrapped note, HL7 NTE
   segments) with a line break inside the SSN shows it: each line is masked alone,
   its reader joins them (a phone cut so was masked, by its first part). Fixed: the
   walk also reads sibling strings joined at each seam (`_json_seams`).

Held (tests here): a note in base64 of hex, hex of base64, hex of gzip, base64 of
UTF-16 with a byte order mark; the connection's token in a text answer. Held (tried
on the masker and the scrubber, not kept: each costs a gateway): a note in base64 of
base64, an SSN with digits of two scripts mixed, a Cf character inside an email or a
phone; the credential in hex with colons, in UTF-16 base64, percent-encoded, as
`xxd -i`, its base64 in spaced groups of four, `od -b` and spaced character by
character (both masked as numbers or an
id, by chance); a binary answer whose views split a credential (ASCII then UTF-16).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import sys
import urllib.parse
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from phigate.doors.app import build_app
from tests.adversarial.harness import http_upstream
from tests.conftest import Harness
from tests.connectors.support import harness_with, review_all_tools
from tests.mcp.conftest import mcp_client, serve_app

UPSTREAM = str(Path(__file__).with_name("round29a_upstream.py"))
TOKEN = "api-token-7e57c0ffee123456"
OTHER_TOKEN = "pat-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SSN = "536-22-8471"
NOTE = f"Patient Maria Garcia, SSN {SSN}, DOB 03/14/1980, phone (415) 555-0199"
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
    with http_upstream(_Fixed, "round29a") as served:
        yield served


async def _gateway(tmp_path: Path, address: str, **extra: Any) -> Harness:
    auth = {"scheme": "bearer", "value": TOKEN}
    conn = {"type": "http", "base_url": f"http://{address}", "auth": auth, **extra}
    return await harness_with(tmp_path, {"api": conn})


@pytest.fixture
async def api(tmp_path: Path, address: str) -> AsyncIterator[Harness]:
    h = await _gateway(tmp_path, address)
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


@pytest.fixture
async def binary_api(tmp_path: Path, address: str) -> AsyncIterator[Harness]:
    h = await _gateway(tmp_path, address, allow_binary=True)
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
_HEX_RUN = re.compile(r"(?:[0-9a-fA-F]{2}){8,}")


def _base64_read(text: str, read: Callable[[bytes], str]) -> str:
    """Every base64 run of `text` decoded and read by `read` (what the reader does)."""
    out = []
    for run in _BASE64_RUN.findall(text):
        try:
            out.append(read(base64.b64decode(run + "=" * (-len(run) % 4))))
        except (ValueError, OSError, EOFError):
            continue
    return "\n".join(out)


# ── held: nested encodings of a note ─────────────────────────────────────────────
_NESTED = {
    "base64-of-hex": (base64.b64encode(NOTE.encode().hex().encode()).decode(), "b64>hex"),
    "hex-of-base64": (base64.b64encode(NOTE.encode()).hex(), "hex>b64"),
    "hex-of-gzip": ("\\x" + gzip.compress(NOTE.encode(), mtime=0).hex(), "hex>gz"),
    "utf16-bom": (base64.b64encode(NOTE.encode("utf-16")).decode(), "b64>utf16"),
}
for _name, (_data, _) in _NESTED.items():
    ANSWERS[f"/nested/{_name}"] = _fhir(_data)


def _unwrap(text: str, how: str) -> str:
    """`text` read by each step of `how` in turn (outermost first), as its reader does."""
    steps: dict[str, Callable[[bytes], bytes]] = {
        "b64": lambda raw: base64.b64decode(raw + b"=" * (-len(raw) % 4)),
        "hex": lambda raw: bytes.fromhex(raw.decode()),
        "gz": gzip.decompress,
        "utf16": lambda raw: raw.decode("utf-16").encode(),
    }
    raw = text.removeprefix("\\x").encode()
    for step in how.split(">"):
        try:
            raw = steps[step](raw)
        except (ValueError, OSError, EOFError):
            return ""
    return raw.decode("latin-1")


@pytest.mark.parametrize("name", list(_NESTED))
async def test_held_a_note_in_nested_encodings_is_masked(api: Harness, name: str) -> None:
    body = await _get(api, f"/nested/{name}")
    data = json.loads(body)["content"][0]["attachment"]["data"]
    assert not _shown(_unwrap(data, _NESTED[name][1])), body


# ── 1. UTF-16 without a byte order mark ──────────────────────────────────────────────
_UTF16 = {
    "base64-utf16le": (
        _fhir(base64.b64encode(NOTE.encode("utf-16-le")).decode(), "text/plain; charset=UTF-16LE"),
        lambda body: _base64_read(body, lambda raw: raw.decode("utf-16-le", "replace")),
    ),
    "hex-nvarchar": (
        Answer(json.dumps([{"id": 7, "note": "0x" + NOTE.encode("utf-16-le").hex()}]).encode()),
        lambda body: "\n".join(
            bytes.fromhex(run).decode("utf-16-le", "replace") for run in _HEX_RUN.findall(body)
        ),
    ),
}
for _name, (_answer, _) in _UTF16.items():
    ANSWERS[f"/utf16/{_name}"] = _answer


@pytest.mark.parametrize("name", list(_UTF16))
async def test_utf16_text_without_a_byte_order_mark_is_masked(api: Harness, name: str) -> None:
    body = await _get(api, f"/utf16/{name}")
    assert not _shown(_UTF16[name][1](body)), body


# ── 2. percent-encoded base64 ───────────────────────────────────────────────────────
_QUOTED_NOTE = f"xx?>{NOTE}"  # `?>` puts a `/` in its first quad
_QUOTED = urllib.parse.quote(base64.b64encode(_QUOTED_NOTE.encode()).decode(), safe="")
ANSWERS["/next-page"] = Answer(json.dumps({"items": [], "next_cursor": _QUOTED}).encode())


async def test_percent_encoded_base64_is_masked(api: Harness) -> None:
    body = await _get(api, "/next-page")
    cursor = urllib.parse.unquote(json.loads(body)["next_cursor"])
    read = _base64_read(cursor, lambda raw: raw.decode("utf-8", "replace"))
    assert not _shown(read), body


# ── 3. a hex dump of a note ─────────────────────────────────────────────────────────
def _rows(raw: bytes, cell: Callable[[bytes], str], offset: str) -> str:
    return "\n".join(offset.format(at) + cell(raw[at : at + 16]) for at in range(0, len(raw), 16))


_RAW = NOTE.encode()
_DUMPS = {
    "hexdump-C": _rows(_RAW, lambda row: " ".join(f"{b:02x}" for b in row), "{:08x}  "),
    "xxd-g1": _rows(_RAW, lambda row: " ".join(f"{b:02x}" for b in row), "{:08x}: "),
    "od-x": _rows(
        _RAW,
        lambda row: "".join(
            f" {row[i + 1 : i + 2].hex()}{row[i]:02x}" for i in range(0, len(row), 2)
        ),
        "{:07o}",
    ),
    "xxd-i": ", ".join(f"0x{b:02x}" for b in _RAW),
}
for _name, _dump in _DUMPS.items():
    ANSWERS[f"/dump/{_name}"] = Answer(_dump.encode(), "text/plain; charset=utf-8")


def _dump_read(text: str, swapped: bool) -> str:
    """The bytes a dump shows: offsets dropped, each group's bytes (reversed for od)."""
    body = re.sub(r"(?m)^[0-9a-f]{7,8}:? ", "", text.replace("0x", ""))
    groups = re.findall(r"\b[0-9a-f]{2,4}\b", body)
    raw = b"".join(bytes.fromhex(g)[::-1] if swapped else bytes.fromhex(g) for g in groups)
    return raw.decode("latin-1")


@pytest.mark.parametrize("name", list(_DUMPS))
async def test_a_hex_dump_of_a_note_is_masked(api: Harness, name: str) -> None:
    body = json.loads(await _get(api, f"/dump/{name}"))
    assert not _shown(_dump_read(str(body), swapped=name == "od-x")), body


# ── 4. a gzip answer with allow_binary ──────────────────────────────────────────────
ANSWERS["/archive/note.gz"] = Answer(gzip.compress(NOTE.encode(), mtime=0), "application/gzip")
ANSWERS["/archive/config.gz"] = Answer(
    gzip.compress(f"upstream_token={TOKEN}\n".encode(), mtime=0), "application/gzip"
)
ANSWERS["/plain/config"] = Answer(f"upstream_token={TOKEN}\n".encode(), "text/plain")


def _gunzipped(body: str) -> str:
    return _base64_read(body, lambda raw: gzip.decompress(raw).decode("latin-1"))


async def test_a_gzip_binary_answer_is_masked(binary_api: Harness) -> None:
    body = await _get(binary_api, "/archive/note.gz")
    assert not _shown(_gunzipped(body)), body


async def test_held_the_connections_token_in_a_text_answer_is_redacted(api: Harness) -> None:
    body = await _get(api, "/plain/config")
    assert TOKEN not in body, body


async def test_a_held_token_in_a_gzip_binary_answer_is_redacted(binary_api: Harness) -> None:
    body = await _get(binary_api, "/archive/config.gz")
    assert TOKEN not in _gunzipped(body), body


# ── 5–7. a held credential read by an MCP tool in other views ───────────────────────
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


async def _views(gateway: tuple[Harness, str], path: str, views: list[str]) -> dict[str, str]:
    """The text the agent reads back from `read_file` in each view, one session."""
    h, url = gateway
    shown: dict[str, str] = {}
    async with mcp_client(url, h.tokens["claims-bot"]) as client:
        for view in views:
            result = await client.call_tool("records__read_file", {"path": path, "view": view})
            shown[view] = "".join(getattr(block, "text", "") for block in result.content)
    return shown


def _od_read(text: str, view: str) -> str:
    """What `od`'s dump shows, read back as characters."""
    rows = [line[7:] if view != "od-An-tx1" else line for line in text.splitlines()]
    cells = " ".join(rows).split()
    if view == "od-c":
        return "".join(cell if len(cell) == 1 else "\n" for cell in cells)
    base = 16 if view == "od-An-tx1" else 8
    return "".join(chr(int(cell, base)) for cell in cells if re.fullmatch(r"[0-9a-f]+", cell))


_PACKED = {
    "gzip-base64": lambda t: gzip.decompress(base64.b64decode(t)),
    "zlib-base64": lambda t: zlib.decompress(base64.b64decode(t)),
    "gzip-hex": lambda t: gzip.decompress(bytes.fromhex(t)),
}
_OD = ["od-c", "od-An-tx1"]
_SEPARATED = ["grouped", "zero-width", "base64-soft-hyphens", "node-buffer"]


def _read_back(view: str, text: str) -> str:
    if view in _PACKED:
        try:
            return _PACKED[view](text.strip()).decode("latin-1")
        except (ValueError, OSError, EOFError, zlib.error):
            return ""
    if view in _OD:
        return _od_read(text, view)
    if view == "node-buffer":
        try:
            return bytes(json.loads(text)["data"]).decode("latin-1")
        except (ValueError, KeyError, TypeError):
            return ""
    seen = re.sub("[ \u200b\u00ad]", "", text)
    if view.startswith("base64"):
        return base64.b64decode(seen).decode("latin-1")  # what `base64.b64decode` reads
    return seen


@pytest.mark.parametrize("view", list(_PACKED))
async def test_a_compressed_held_credential_is_redacted(
    mcp_gateway: tuple[Harness, str], token_file: str, view: str
) -> None:
    shown = (await _views(mcp_gateway, token_file, [view]))[view]
    assert OTHER_TOKEN not in _read_back(view, shown), shown


@pytest.mark.parametrize("view", _OD)
async def test_a_held_credential_in_an_od_dump_is_redacted(
    mcp_gateway: tuple[Harness, str], token_file: str, view: str
) -> None:
    shown = (await _views(mcp_gateway, token_file, [view]))[view]
    assert OTHER_TOKEN not in _read_back(view, shown), shown


@pytest.mark.parametrize("view", _SEPARATED)
async def test_a_held_credential_with_separators_is_redacted(
    mcp_gateway: tuple[Harness, str], token_file: str, view: str
) -> None:
    shown = (await _views(mcp_gateway, token_file, [view]))[view]
    assert OTHER_TOKEN not in _read_back(view, shown), shown


# ── 8. a note's base64 with separators inside ───────────────────────────────────────
_NOTE_B64 = base64.b64encode(NOTE.encode()).decode()
_INSIDE = {"zero-width": ("\u200b", 10), "soft-hyphen": ("\u00ad", 7), "tab": ("\t", 12)}
_INSIDE |= {"spaces": (" ", 8)}
for _name, (_sep, _size) in _INSIDE.items():
    _spread = _sep.join(_NOTE_B64[i : i + _size] for i in range(0, len(_NOTE_B64), _size))
    ANSWERS[f"/spread/{_name}"] = Answer(
        f"attachment: {_spread}".encode(), "text/plain; charset=utf-8"
    )


@pytest.mark.parametrize("name", list(_INSIDE))
async def test_a_base64_note_with_separators_inside_is_masked(api: Harness, name: str) -> None:
    """What Python's `base64.b64decode` (not validating) and Node's `Buffer.from`
    read: every character out of the alphabet skipped."""
    body = json.loads(await _get(api, f"/spread/{name}"))
    kept = re.sub(r"[^A-Za-z0-9+/=]", "", str(body).removeprefix("attachment: "))
    read = base64.b64decode(kept[: len(kept) // 4 * 4]).decode("latin-1")
    assert not _shown(read), body


# ── 9. a number cut across two lines of an array ────────────────────────────────────
ANSWERS["/ocr/page"] = Answer(
    json.dumps(
        {"page": 1, "lines": ["Called the member, SSN 536-22-", "8471, phone (415) 555-", "0199."]}
    ).encode()
)


async def test_a_number_cut_across_lines_of_an_array_is_masked(api: Harness) -> None:
    body = json.loads(await _get(api, "/ocr/page"))
    joined = "".join(body["lines"])
    assert SSN not in joined, body
