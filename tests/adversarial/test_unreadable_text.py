"""Issue 15, promise 2: a clinical note written in a way the masker cannot read
(reversed, rot13, Caesar-3, Atbash, each word reversed, vowels removed, letters
interleaved with a fixed character) reaches no caller: each line that reads as no
language is withheld (`connectors._unreadable`) through the REST door's HTTP and exec
connectors and the MCP proxy. The same note as written passes, masked, and a
connection that sets `allow_unreadable_text` shows the encoded text.
"""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from phigate.doors.app import build_app
from tests.adversarial.harness import http_upstream
from tests.conftest import Harness
from tests.connectors.support import harness_with, review_all_tools
from tests.mcp.conftest import mcp_client, serve_app

MARKER = "[withheld: text that reads as no language]"
# A discharge note in the documents corpus's manner, one sentence a line.
NOTE = (
    "Patient Maria Garcia was admitted on the evening of March third with chest pain "
    "radiating to the left arm and shortness of breath.\n"
    "She has a history of hypertension and type two diabetes treated with metformin, "
    "and her mother had a stroke at the age of sixty.\n"
    "The troponin was elevated on arrival and the cardiology team started heparin and "
    "aspirin before the catheterisation the next morning.\n"
)


def _shift(text: str, key: Callable[[int], int]) -> str:
    out = []
    for ch in text:
        base = 97 if ch.islower() else 65
        out.append(chr(base + key(ord(ch) - base)) if ch.isascii() and ch.isalpha() else ch)
    return "".join(out)


def _lines(text: str, each: Callable[[str], str]) -> str:
    return "\n".join(each(line) for line in text.split("\n"))


ATTACKS: dict[str, Callable[[str], str]] = {
    "reversed": lambda t: _lines(t, lambda line: line[::-1]),
    "rot13": lambda t: codecs.encode(t, "rot13"),
    "caesar-3": lambda t: _shift(t, lambda i: (i + 3) % 26),
    "atbash": lambda t: _shift(t, lambda i: 25 - i),
    "words-reversed": lambda t: _lines(t, lambda s: " ".join(w[::-1] for w in s.split(" "))),
    "vowels-removed": lambda t: "".join(c for c in t if c.lower() not in "aeiou"),
    "interleaved-x": lambda t: _lines(t, lambda s: " ".join("x".join(w) for w in s.split(" "))),
    "interleaved-dot": lambda t: _lines(t, lambda s: " ".join(".".join(w) for w in s.split())),
}
BODIES = {name: attack(NOTE) for name, attack in ATTACKS.items()}


def _withheld(text: str) -> bool:
    lines = [line for line in text.split("\n") if line]
    return len(lines) == 3 and all(line == MARKER for line in lines)


class _Fixed(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        name = self.path.strip("/").split("?", 1)[0]
        if name.startswith("json-"):
            raw = json.dumps({"id": "n-1", "note": BODIES[name[5:]]}).encode()
            kind = "application/json"
        else:
            raw, kind = (NOTE if name == "plain" else BODIES[name]).encode(), "text/plain"
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with http_upstream(_Fixed, "unreadable") as served:
        yield served


async def _harness(tmp_path: Path, address: str, **extra: Any) -> Harness:
    conn = {"type": "http", "base_url": f"http://{address}", **extra}
    return await harness_with(tmp_path, {"api": conn})


@pytest.fixture
async def api(tmp_path: Path, address: str) -> AsyncIterator[Harness]:
    h = await _harness(tmp_path, address)
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _get(h: Harness, path: str) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "GET", "path": path, "query": {}}
    got = await h.client.post(
        "/v1/actions", headers=h.auth("claims-bot"), json={"connection": "api", "request": request}
    )
    assert got.status_code == 200, got.text[:300]
    result: dict[str, Any] = got.json()["result"]
    return result


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_an_unreadable_note_over_http_is_withheld(api: Harness, name: str) -> None:
    result = await _get(api, f"/{name}")
    assert _withheld(result["body"]), result["body"]
    assert result["masked"].get("UNREADABLE_TEXT") == 3


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_an_unreadable_note_in_json_is_withheld(api: Harness, name: str) -> None:
    body = (await _get(api, f"/json-{name}"))["body"]
    assert _withheld(body["note"]), body
    assert body["id"] == "n-1"


def _executed(h: Harness, action_id: str) -> dict[str, Any]:
    records = h.gateway.audit_records(since=0)
    done = [r for r in records if r["event"] == "action.executed" and r["action_id"] == action_id]
    assert len(done) == 1, records[-3:]
    result: dict[str, Any] = done[0]["result"]
    return result


async def test_the_audit_record_counts_the_withheld_lines(api: Harness) -> None:
    request = {"method": "GET", "path": "/caesar-3", "query": {}}
    got = await api.client.post(
        "/v1/actions",
        headers=api.auth("claims-bot"),
        json={"connection": "api", "request": request},
    )
    assert got.status_code == 200, got.text[:300]
    assert _executed(api, got.json()["id"])["masked"]["UNREADABLE_TEXT"] == 3


async def test_the_note_as_written_passes_masked(api: Harness) -> None:
    result = await _get(api, "/plain")
    assert MARKER not in result["body"]
    assert "chest pain" in result["body"] and "Garcia" not in result["body"]
    assert "UNREADABLE_TEXT" not in result["masked"]


async def test_allow_unreadable_text_shows_it(tmp_path: Path, address: str) -> None:
    h = await _harness(tmp_path, address, allow_unreadable_text=True)
    try:
        result = await _get(h, "/rot13")
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert MARKER not in result["body"] and "cnva" in result["body"]


# ── exec: a program printing the note it reads, one line after another ──────────
@pytest.mark.parametrize("name", list(ATTACKS))
async def test_an_unreadable_note_printed_by_a_program_is_withheld(
    echo_box: Harness, name: str
) -> None:
    body = {"connection": "box", "argv": ["show"], "stdin": BODIES[name]}
    got = await echo_box.client.post("/v1/actions", headers=echo_box.auth("claims-bot"), json=body)
    assert got.status_code == 200, got.text[:300]
    result = got.json()["result"]
    assert _withheld(result["stdout"]), result
    assert result["masked"].get("UNREADABLE_TEXT") == 3
    assert _executed(echo_box, got.json()["id"])["masked"]["UNREADABLE_TEXT"] == 3


# ── MCP: a file tool answering the note ─────────────────────────────────────────
UPSTREAM = str(Path(__file__).with_name("unreadable_upstream.py"))


@pytest.fixture
async def mcp_gateway(tmp_path: Path) -> AsyncIterator[tuple[Harness, str]]:
    conn = {"type": "mcp", "command": [sys.executable, UPSTREAM], "tools": {"*": "read"}}
    h = await harness_with(tmp_path, {"records": conn})
    try:
        await review_all_tools(h.gateway, "records")
        async with serve_app(build_app(h.gateway)) as base:
            yield h, base + "/mcp"
    finally:
        await h.client.aclose()
        await h.gateway.close()


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_an_unreadable_note_over_mcp_is_withheld(
    mcp_gateway: tuple[Harness, str], tmp_path: Path, name: str
) -> None:
    h, url = mcp_gateway
    path = tmp_path / f"{name}.txt"
    path.write_text(BODIES[name])
    async with mcp_client(url, h.tokens["claims-bot"]) as client:
        result = await client.call_tool("records__read_file", {"path": str(path), "view": "text"})
    shown = "".join(getattr(block, "text", "") for block in result.content)
    assert _withheld(shown), shown
