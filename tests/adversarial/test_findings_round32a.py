"""Round 32a: a promises-only attack on encoded content (promises 2 and 6) through the
REST door's HTTP connector, the MCP proxy (/mcp) and the exec connector's output.

Each finding was a strict xfail through a real door (all sixteen fixed the same session:
the byte reader's new codes, JSON siblings and character runs, the backwards reading, and
the held values' precomputed forms); the reader reads the answer back the way a one-line
decoder does and must see no PHI and no held credential.

1. A note in base32 (padded upper case, or unpadded lower case) passes whole (HTTP).
2. A note in ascii85 passes whole (HTTP).
3. A note uuencoded passes whole (HTTP).
4. A note as C octal escapes (`\\120\\141…`) passes whole (HTTP).
5. A note as binary digits (`xxd -b` without its column) passes whole (HTTP).
6. Names as JSON arrays of byte values shorter than 16 pass (HTTP).
7. A note as a JSON array of one-character strings shows its SSN and phone (HTTP).
8. A note written backwards shows its name, DOB and phone (HTTP).
9-11. A held credential read by an MCP tool passes whole in ascii85 or base85,
   uuencoded, reversed.
12. An exec env secret in `xxd -b` output: the dump's text column, six characters a
   line, joins to the whole secret.
13. An exec env secret printed reversed (`rev`) passes whole.
14-16. The HTTP connection's own bearer token, echoed by the upstream, passes whole
   uuencoded, reversed, or as binary digits.
17-18 (issue 15). The bearer token (HTTP) or a held value (MCP) as dash-joined hex
   pairs (`6b-75-62-65-…`): masked before the byte guard read it, the first pairs
   became `[DEVICE_ID]` and the last ones, too short to read, passed (`…-34-35-36`).

Held (dropped as slow): HTTP base85, rot13, Go `[]byte{0x..}`, `\\u00XX` escapes,
base64 of hex, hex of base64, base64 of base64; the bearer token echoed in ascii85 or
octal escapes; over MCP base32, octal, binary digits, a value split over two content
blocks; exec `base32 -w0`, `od -b`, `od -c`; SQL (wire and REST) `translate`,
`reverse`, `encode(..., 'escape')` on PHI columns and notes (masked or withheld),
`ascii()` arrays, `to_hex`, `overlay`, `regexp_split_to_array` (held for approval).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
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
        path = self.path.split("?", 1)[0]
        if path.startswith("/echo/"):  # an echo endpoint (httpbin's) writing a header encoded
            header = self.headers.get("authorization", "").encode()
            answer = Answer(ECHOES[path[len("/echo/") :]][0](header).encode())
        else:
            answer = ANSWERS[path]
        self.send_response(200)
        self.send_header("content-type", answer.content_type)
        self.send_header("content-length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with http_upstream(_Fixed, "round32a") as served:
        yield served


@pytest.fixture
async def api(tmp_path: Path, address: str) -> AsyncIterator[Harness]:
    auth = {"scheme": "bearer", "value": TOKEN}
    conn = {"type": "http", "base_url": f"http://{address}", "auth": auth}
    h = await harness_with(tmp_path, {"api": conn})
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


# A hex pair standing alone (not inside a longer hex word or a marker's letters).
_PAIR = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{2}(?![0-9A-Za-z])")
_MARKS = re.compile(r"\[[^\]]*\]")


def _pairs_left(text: str) -> bytes:
    """The bytes of the hex pairs an answer still shows (outside the gateway's markers,
    `[withheld: 36 …]`), read as `xxd -r -p` would."""
    return bytes.fromhex("".join(_PAIR.findall(_MARKS.sub(" ", text))))


def _uu(raw: bytes) -> str:
    return "".join(binascii.b2a_uu(raw[i : i + 45]).decode() for i in range(0, len(raw), 45))


def _unuu(text: str) -> str:
    return b"".join(binascii.a2b_uu(line) for line in text.splitlines()).decode("latin-1")


# name -> (body text, how its reader reads it back)
_TEXT: dict[str, tuple[str, Callable[[str], str]]] = {
    "base32": (
        base64.b32encode(RAW).decode(),
        lambda t: base64.b32decode(t).decode("latin-1"),
    ),
    "base32-lower": (
        base64.b32encode(RAW).decode().lower().rstrip("="),
        lambda t: base64.b32decode(t.upper() + "=" * (-len(t) % 8)).decode("latin-1"),
    ),
    "ascii85": (base64.a85encode(RAW).decode(), lambda t: base64.a85decode(t).decode("latin-1")),
    "uuencode": (_uu(RAW), _unuu),
    "octal-escapes": (
        "".join(f"\\{b:03o}" for b in RAW),
        lambda t: "".join(chr(int(c, 8)) for c in t.split("\\")[1:]),
    ),
    "binary-digits": (
        " ".join(f"{b:08b}" for b in RAW),
        lambda t: "".join(chr(int(c, 2)) for c in t.split()),
    ),
    "reversed": (NOTE[::-1], lambda t: t[::-1]),
}
for _name, (_text, _) in _TEXT.items():
    ANSWERS[f"/text/{_name}"] = Answer(_text.encode())

# Short byte lists (under the guard's 16 bytes) each in a JSON field of its own.
_FIELDS = {
    "ssn": list(SSN.encode()),
    "first": list(b"Maria"),
    "last": list(b"Garcia"),
    "phone": list(b"555-0199"),
}
ANSWERS["/json/short-byte-lists"] = Answer(json.dumps(_FIELDS).encode(), "application/json")
ANSWERS["/json/char-list"] = Answer(json.dumps({"note": list(NOTE)}).encode(), "application/json")


# The gateway's own bearer token, echoed back by the upstream: (encode, read back).
ECHOES: dict[str, tuple[Callable[[bytes], str], Callable[[str], bytes]]] = {
    "uuencode": (lambda b: binascii.b2a_uu(b).decode(), binascii.a2b_uu),
    "reversed": (lambda b: b.decode()[::-1], lambda t: t[::-1].encode()),
    "binary": (
        lambda b: " ".join(f"{x:08b}" for x in b),
        lambda t: bytes(int(c, 2) for c in t.split()),
    ),
    "hex-dash": (lambda b: b.hex("-"), _pairs_left),
}
# Findings 14-16 fixed: held values' uuencoded, reversed and binary-digit forms.
_ECHO_FINDINGS: dict[str, pytest.MarkDecorator] = {}


@pytest.mark.parametrize("form", [pytest.param(f, marks=_ECHO_FINDINGS.get(f, ())) for f in ECHOES])
async def test_the_gateways_own_token_echoed_encoded_is_redacted(api: Harness, form: str) -> None:
    """Promise 6: the connection's bearer token, echoed by the upstream, never reaches
    the caller in any encoding."""
    body = await _get(api, f"/echo/{form}")
    text = body if isinstance(body, str) else json.dumps(body)
    try:
        read = ECHOES[form][1](text.strip()).decode("latin-1")
    except (ValueError, binascii.Error, UnicodeError):
        read = ""
    assert "7e57c0ffee123456" not in read, (read, text)


async def test_the_gateways_own_token_as_dash_joined_hex_is_withheld_whole(api: Harness) -> None:
    """Finding 17: the guard reads the run before the masker rewrites part of it."""
    body = await _get(api, "/echo/hex-dash")
    assert _pairs_left(body) == b"", body
    assert "encoded bytes holding masked text]" in body, body


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
    except (ValueError, binascii.Error, UnicodeError):
        read = ""
    assert not _shown(read), (read, text)


async def test_short_byte_lists_in_json_fields_are_masked(api: Harness) -> None:
    body = await _get(api, "/json/short-byte-lists")
    read = " ".join(
        bytes(v).decode("latin-1")
        if isinstance(v, list) and all(isinstance(x, int) for x in v)
        else str(v)
        for v in body.values()
    )
    assert not _shown(read), (read, body)


async def test_a_note_as_a_list_of_characters_is_masked(api: Harness) -> None:
    body = await _get(api, "/json/char-list")
    note = body["note"]
    read = "".join(note) if isinstance(note, list) else str(note)
    assert not _shown(read), (read, body)


# ── a held credential read by an MCP tool (/mcp) ─────────────────────────────────
UPSTREAM = str(Path(__file__).with_name("round32a_upstream.py"))
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


_READ_BACK: dict[str, Callable[[str], str]] = {
    "ascii85": lambda t: base64.a85decode(t).decode("latin-1"),
    "base85": lambda t: base64.b85decode(t).decode("latin-1"),
    "uuencode": lambda t: binascii.a2b_uu(t).decode("latin-1"),
    "reversed": lambda t: t[::-1],
    "hex-dash": lambda t: _pairs_left(t).decode("latin-1"),
}
# Findings 9-11 fixed: held values' ascii85, base85, uuencoded and reversed forms.
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
    except (ValueError, binascii.Error, UnicodeError):
        read = ""
    assert "9f8e7d6c5b4a3928" not in read, (read, shown)


async def test_a_held_credential_as_dash_joined_hex_is_withheld_whole(
    mcp_gateway: tuple[Harness, str], token_file: str
) -> None:
    """Finding 18: the guard reads the run before the masker rewrites part of it."""
    h, url = mcp_gateway
    async with mcp_client(url, h.tokens["claims-bot"]) as client:
        result = await client.call_tool(
            "records__read_file", {"path": token_file, "view": "hex-dash"}
        )
    shown = "".join(getattr(block, "text", "") for block in result.content)
    assert _pairs_left(shown) == b"", shown
    assert "encoded bytes holding masked text]" in shown, shown


# ── a connection's env secret printed encoded by an allowed program (exec) ─────────
SECRET = "s3cr3t-Deploy-Key-4f9a8b7c6d5e4f3a"
DUMP = """#!/bin/sh
# An allowed deploy helper whose output format the caller picks (`dump FORMAT`).
printf '%s' "$DEPLOY_KEY" | case "$1" in
  base32) base32 -w0 ;;
  binary) xxd -b -c 6 ;;
  od-b) od -b ;;
  od-c) od -c ;;
  reversed) rev ;;
esac
"""


@pytest.fixture
async def deploy(tmp_path: Path) -> AsyncIterator[Harness]:
    program = tmp_path / "bin" / "dump"
    program.parent.mkdir()
    program.write_text(DUMP)
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    conn = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(work),
        "env": {"DEPLOY_KEY": SECRET},
        "timeout_seconds": 20,
        "rules": [{"name": "dumps are reads", "program": "dump", "args": ["*"], "risk": "read"}],
    }
    h = await harness_with(tmp_path, {"ops": conn})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


def _xxd_b(t: str) -> str:
    """xxd's own text column (after two spaces), six characters a line, joined."""
    return "".join(line.split("  ", 1)[1] for line in t.splitlines() if "  " in line)


_EXEC_READ: dict[str, Callable[[str], str]] = {
    "binary": _xxd_b,
    "reversed": lambda t: t.strip()[::-1],
}
# Findings 12-13 fixed: `xxd -b` dumps read as bytes, held values reversed.
_EXEC_FINDINGS: dict[str, pytest.MarkDecorator] = {}


@pytest.mark.parametrize(
    "form", [pytest.param(f, marks=_EXEC_FINDINGS.get(f, ())) for f in _EXEC_READ]
)
async def test_an_env_secret_printed_encoded_is_redacted(deploy: Harness, form: str) -> None:
    body = {"connection": "ops", "argv": ["dump", form]}
    got = await deploy.client.post("/v1/actions", headers=deploy.auth("claims-bot"), json=body)
    assert got.status_code == 200, got.text[:300]
    stdout = got.json()["result"]["stdout"]
    try:
        read = _EXEC_READ[form](stdout)
    except (ValueError, binascii.Error, UnicodeError):
        read = ""
    assert "Deploy-Key-4f9a" not in read, (read, stdout)
