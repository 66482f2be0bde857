"""Round 30: a promises-only attack on round 29a's fixes: encoded views of a note and
of a held secret through the REST door's HTTP connector and the MCP proxy (/mcp).

Each finding was a strict xfail through a real door; all eleven are fixed by the
fail-closed reading of encoded bytes (`connectors._byte_guard`) and are ordinary tests now.

1. A dump in eight-byte groups (`xxd -g8`, `od -An -tx8`) shows the SSN and phone.
2. `xxd -p`'s 60-character hex lines are read one by one: an SSN cut by a line passes.
3. A note's hex bytes spaced on one line (no offset, one line) pass whole.
4. A note as decimal bytes (`od -An -tu1`, a byte list) passes whole.
5. A note in base64 of UTF-32 passes whole.
6. A note in base64 of raw deflate (SAML's HTTP-Redirect binding) passes whole.
7. A note in base64 of bzip2 or xz passes whole.
8-11. A held credential read by an MCP tool passes whole as `xxd -g8`, as decimal
   bytes, in base64 of raw deflate or bzip2, in base64 of UTF-32.

Held: hex with colons, `\\x` escapes, `od -b`, base64 in groups of five, in 64-char
lines, base64url, UTF-16BE base64 and hex; over MCP `xxd -p`, spaced hex, groups of
eight joined by dashes.
"""

from __future__ import annotations

import base64
import bz2
import json
import lzma
import re
import sys
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

TOKEN = "api-token-7e57c0ffee123456"
SSN = "536-22-8471"
NOTE = f"Patient Maria Garcia, SSN {SSN}, DOB 03/14/1980, phone (415) 555-0199"
NOTE_PHI = ("Maria", "Garcia", SSN, "555-0199", "03/14/1980")
RAW = NOTE.encode()


@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str = "text/plain; charset=utf-8"


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
    with http_upstream(_Fixed, "round30") as served:
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


async def _get(h: Harness, path: str) -> Any:
    request: dict[str, Any] = {"method": "GET", "path": path, "query": {}}
    got = await h.client.post(
        "/v1/actions", headers=h.auth("claims-bot"), json={"connection": "api", "request": request}
    )
    assert got.status_code in (200, 403), got.text[:300]
    return got.json().get("result", {}).get("body")


def _shown(text: str) -> list[str]:
    return [word for word in NOTE_PHI if word in text]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _lines(text: str, width: int) -> str:
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def _dump(raw: bytes, per: int, group: int, offset: str, swap: bool = False) -> str:
    """A dump: `per` bytes a line in groups of `group` bytes, after `offset`."""
    rows = []
    for at in range(0, len(raw), per):
        row = raw[at : at + per]
        cells = [row[i : i + group] for i in range(0, len(row), group)]
        hexed = " ".join((c[::-1] if swap else c).hex() for c in cells)
        rows.append(offset.format(at) + hexed)
    return "\n".join(rows)


def _unhex(text: str) -> bytes:
    return bytes.fromhex("".join(ch for ch in text if ch in "0123456789abcdefABCDEF"))


def _undump(text: str, swap: bool = False, width: int = 0) -> str:
    out = b""
    for line in text.splitlines():
        cells = line.split()[1:] if width else line.split()
        for c in cells:
            raw = bytes.fromhex(c)
            out += raw[::-1] if swap else raw
    return out.decode("latin-1")


def _deflated(raw: bytes) -> bytes:
    """Raw deflate (no header): SAML's HTTP-Redirect binding, a zip member."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush()


# name -> (body text, how its reader reads it back)
_TEXT: dict[str, tuple[str, Callable[[str], str]]] = {
    "xxd-g8": (
        _dump(RAW, 16, 8, "{:08x}: "),
        lambda t: _undump(t, width=1),
    ),
    "od-An-tx8": (
        _dump(RAW, 16, 8, " ", swap=True),
        lambda t: _undump(t, swap=True),
    ),
    "xxd-p": (_lines(RAW.hex(), 60), lambda t: _unhex(t).decode("latin-1")),
    "hex-spaced-one-line": (
        " ".join(f"{b:02x}" for b in RAW),
        lambda t: _unhex(t).decode("latin-1"),
    ),
    "hex-colons": (":".join(f"{b:02X}" for b in RAW), lambda t: _unhex(t).decode("latin-1")),
    "c-escapes": (
        "".join(f"\\x{b:02x}" for b in RAW),
        lambda t: _unhex(t.replace("\\x", "")).decode("latin-1"),
    ),
    "od-b": (
        "\n".join(
            f"{at:07o} " + " ".join(f"{b:03o}" for b in RAW[at : at + 16])
            for at in range(0, len(RAW), 16)
        ),
        lambda t: "".join(chr(int(c, 8)) for line in t.splitlines() for c in line.split()[1:]),
    ),
    "od-An-tu1": (
        "\n".join(" ".join(f"{b:3d}" for b in RAW[at : at + 16]) for at in range(0, len(RAW), 16)),
        lambda t: "".join(chr(int(c)) for c in t.split()),
    ),
    "base64-groups-of-5": (
        " ".join(_b64(RAW)[i : i + 5] for i in range(0, len(_b64(RAW)), 5)),
        lambda t: base64.b64decode(t.replace(" ", "")).decode("latin-1"),
    ),
    "base64-mime-lines": (
        _lines(_b64(RAW), 64),
        lambda t: base64.b64decode(t.replace("\n", "")).decode("latin-1"),
    ),
    "base64url": (
        base64.urlsafe_b64encode(b"\xfb\xff?>" + RAW).decode(),
        lambda t: base64.urlsafe_b64decode(t).decode("latin-1"),
    ),
    "base64-utf16be": (
        _b64(NOTE.encode("utf-16-be")),
        lambda t: base64.b64decode(t).decode("utf-16-be", "replace"),
    ),
    "hex-utf16be": (
        NOTE.encode("utf-16-be").hex(),
        lambda t: _unhex(t).decode("utf-16-be", "replace"),
    ),
    "base64-utf32le": (
        _b64(NOTE.encode("utf-32-le")),
        lambda t: base64.b64decode(t).decode("utf-32-le", "replace"),
    ),
    "base64-raw-deflate": (
        _b64(_deflated(RAW)),
        lambda t: zlib.decompress(base64.b64decode(t), -15).decode("latin-1"),
    ),
    "base64-bz2": (
        _b64(bz2.compress(RAW)),
        lambda t: bz2.decompress(base64.b64decode(t)).decode("latin-1"),
    ),
    "base64-xz": (
        _b64(lzma.compress(RAW)),
        lambda t: lzma.decompress(base64.b64decode(t)).decode("latin-1"),
    ),
}
for _name, (_text, _) in _TEXT.items():
    ANSWERS[f"/text/{_name}"] = Answer(_text.encode())


# Findings 1-7 fixed by the fail-closed guard (connectors/_byte_guard.py).
_FINDINGS: dict[str, pytest.MarkDecorator] = {}


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=_FINDINGS.get(name, ())) for name in _TEXT]
)
async def test_an_encoded_note_is_masked(api: Harness, name: str) -> None:
    """What the note's reader reads back from the answer shows none of its PHI."""
    body = await _get(api, f"/text/{name}")
    text = body if isinstance(body, str) else json.dumps(body)
    try:
        read = _TEXT[name][1](text)
    except (ValueError, OSError, EOFError, zlib.error, lzma.LZMAError):
        read = ""
    assert not _shown(read), (read, text)


# ── a held credential read by an MCP tool ────────────────────────────────────────
UPSTREAM = str(Path(__file__).with_name("round30_upstream.py"))
OTHER_TOKEN = "pat-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.fixture
def token_file(tmp_path: Path) -> str:
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


def _hexes(text: str) -> str:
    return bytes.fromhex(re.sub(r"(?m)^[0-9a-f]{8}: |[^0-9a-f]", "", text)).decode("latin-1")


_READ_BACK: dict[str, Callable[[str], str]] = {
    "xxd-g8": _hexes,
    "xxd-p": _hexes,
    "hex-spaced": _hexes,
    "decimal": lambda t: "".join(chr(int(c)) for c in t.split()),
    "deflate-base64": lambda t: zlib.decompress(base64.b64decode(t), -15).decode("latin-1"),
    "bz2-base64": lambda t: bz2.decompress(base64.b64decode(t)).decode("latin-1"),
    "utf32-base64": lambda t: base64.b64decode(t).decode("utf-32-le", "replace"),
    "dashed-8": lambda t: t.replace("-", ""),
}


# Findings 8-11 fixed by the same guard.
_HELD_FINDINGS: dict[str, pytest.MarkDecorator] = {}


@pytest.mark.parametrize(
    "view", [pytest.param(v, marks=_HELD_FINDINGS.get(v, ())) for v in _READ_BACK]
)
async def test_a_held_credential_in_an_encoded_view_is_redacted(
    mcp_gateway: tuple[Harness, str], token_file: str, view: str
) -> None:
    h, url = mcp_gateway
    async with mcp_client(url, h.tokens["claims-bot"]) as client:
        result = await client.call_tool("records__read_file", {"path": token_file, "view": view})
    shown = "".join(getattr(block, "text", "") for block in result.content)
    try:
        read = _READ_BACK[view](shown.strip())
    except (ValueError, OSError, EOFError, zlib.error):
        read = ""
    assert "9f8e7d6c5b4a3928" not in read.replace("-", ""), (read, shown)


# ── the fail-closed rule through the door ───────────────────────────────────────
_BLOB = base64.b64encode(bytes(range(256)) * 2).decode()  # 512 bytes no view reads
ANSWERS["/json/blob"] = Answer(
    json.dumps({"id": "r-1", "blob": _BLOB, "sha256": "ab" * 32}).encode(),
    "application/json",
)


async def _answer(h: Harness, path: str) -> Any:
    request: dict[str, Any] = {"method": "GET", "path": path, "query": {}}
    got = await h.client.post(
        "/v1/actions", headers=h.auth("claims-bot"), json={"connection": "api", "request": request}
    )
    assert got.status_code == 200, got.text[:300]
    return got.json()["result"]


async def test_an_undecodable_blob_is_withheld_and_counted(api: Harness) -> None:
    result = await _answer(api, "/json/blob")
    assert result["body"]["blob"] == "[withheld: 512 undecodable bytes]"
    assert result["body"]["sha256"] == "ab" * 32  # a digest stays readable
    assert result["masked"].get("ENCODED_BYTES") == 1


async def test_allow_binary_shows_an_undecodable_blob(binary_api: Harness) -> None:
    result = await _answer(binary_api, "/json/blob")
    assert result["body"]["blob"] == _BLOB


async def test_an_encoded_note_is_withheld_and_counted(api: Harness) -> None:
    result = await _answer(api, "/text/xxd-g8")
    assert re.fullmatch(r"\[withheld: \d+ encoded bytes holding masked text\]", result["body"])
    assert result["masked"].get("ENCODED_BYTES") == 1
