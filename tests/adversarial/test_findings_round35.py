"""Round 35: a promises-only attack on the rule that withholds text that reads as no
language (docs/masking.md), through the REST door's HTTP and exec connectors and the
MCP proxy.

A note from the documents corpus (`--seed 9950`, the intake form: Aisha El-Amin, SSN,
address, phone) is sent back by an upstream in forms a reader undoes at a glance. Each
`@finding(N, ...)` test asserts that the form is masked or withheld, and fails today.
"""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from phigate.doors.app import build_app
from tests.adversarial.harness import finding, http_upstream
from tests.conftest import Harness
from tests.connectors.support import harness_with, review_all_tools
from tests.mcp.conftest import mcp_client, serve_app

MARKER = "[withheld: text that reads as no language]"
NAME, SSN, PHONE = "Aisha El-Amin", "796-95-9345", "630-992-0874"
NOTE = (
    f"Patient {NAME}, born 18 Mar 1939, Social Security number {SSN}, "
    f"lives at 6599 Murphy Row, North Charleshaven 97515, phone {PHONE}."
)
ROT13 = codecs.encode(NOTE, "rot13")

SMALL_CAPS = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡxʏᴢ"
_MORSE_CODES = (
    ".- -... -.-. -.. . ..-. --. .... .. .--- -.- .-.. -- -. --- .--. --.- .-. ... - "
    "..- ...- .-- -..- -.-- --.. ----- .---- ..--- ...-- ....- ..... -.... --... "
    "---.. ----."
)
MORSE = dict(zip("abcdefghijklmnopqrstuvwxyz0123456789", _MORSE_CODES.split(), strict=True))
_NATO_WORDS = (
    "alfa bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike "
    "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu"
)
NATO = _NATO_WORDS.split()


def _small_caps(text: str) -> str:
    return "".join(
        SMALL_CAPS[ord(c.lower()) - 97] if c.isascii() and c.isalpha() else c for c in text
    )


def _morse(text: str) -> str:
    return " / ".join(" ".join(MORSE.get(c.lower(), "") for c in w) for w in text.split())


def _a1z26(text: str) -> str:
    """Each letter as its number in the alphabet (`a` 1 ... `z` 26), words by ` / `."""
    words = [
        [str(ord(c.lower()) - 96) for c in w if c.isascii() and c.isalpha()] for w in text.split()
    ]
    return " / ".join(" ".join(w) for w in words if w)


def _nato(text: str) -> str:
    return " / ".join(
        " ".join(NATO[ord(c.lower()) - 97] for c in w if c.isascii() and c.isalpha())
        for w in text.split()
    )


def _circled(text: str) -> str:
    return "".join(
        chr(0x24D0 + ord(c.lower()) - 97) if c.isascii() and c.isalpha() else c for c in text
    )


def _pig_latin(text: str) -> str:
    return " ".join(w[1:] + w[0] + "ay" if w.isalpha() else w for w in text.split())


BODIES: dict[str, str] = {
    # Words joined by `_`, as a log field or an identifier: no word boundary anywhere.
    "underscores": "_".join(NOTE.split()),
    # The note rot13'd, its words joined by `/`: one chunk of 16+ with digits, a "hash".
    "rot13-slashes": "/".join(ROT13.split()),
    # Each rot13'd word in capitals and brackets: read as the masker's `[NAME]` markers.
    "rot13-brackets": " ".join(f"[{w.upper()}]" for w in ROT13.replace(",", "").split()),
    # Each rot13'd word with `[X]` after it: a chunk holding a marker counts as read.
    "rot13-suffixed": " ".join(f"{w}[X]" for w in ROT13.split()),
    # Circled letters (U+24D0 block, NFKC folds them to a-z): neither folded nor judged.
    "circled": _circled(NOTE),
    # Pig latin: its camelCase pieces ("urphyMay") are read as words.
    "pig-latin": _pig_latin(NOTE),
    # Latin small capitals (U+1D00 block): Latin script, neither folded nor judged.
    "small-caps": _small_caps(NOTE),
    # No letters at all: never judged.
    "morse": _morse(NOTE),
    "a1z26": _a1z26(NOTE),
    # Each letter as a word of the NATO alphabet: every word is a dictionary word.
    "nato": _nato(NAME + " Murphy Row Charleshaven"),
}


class _Fixed(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        name = self.path.strip("/").split("?", 1)[0]
        if name.startswith("json-"):
            raw = json.dumps({"id": "n-1", "note": BODIES[name[5:]]}).encode()
            kind = "application/json"
        else:
            raw, kind = BODIES[name].encode(), "text/plain; charset=utf-8"
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with http_upstream(_Fixed, "round35") as served:
        yield served


@pytest.fixture
async def api(tmp_path: Path, address: str) -> AsyncIterator[Harness]:
    conn = {"type": "http", "base_url": f"http://{address}"}
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
    assert got.status_code == 200, got.text[:300]
    return got.json()["result"]["body"]


def _undone(shown: str, needles: list[str]) -> list[str]:
    """The needles a reader finds in what the caller was shown."""
    return [n for n in needles if n in shown]


# ── 1: words joined by `_` ──────────────────────────────────────────────────────
async def test_a_note_joined_by_underscores_is_masked(api: Harness) -> None:
    shown = await _get(api, "/underscores")
    assert _undone(shown, [SSN, PHONE, "6599_Murphy_Row", "18_Mar_1939"]) == [], shown


# ── 2: a long chunk with a digit is skipped as a hash ───────────────────────────
async def test_a_rot13_note_joined_by_slashes_is_withheld(api: Harness) -> None:
    shown = await _get(api, "/rot13-slashes")
    assert _undone(shown, ["Nvfun", "Ry-Nzva", "Zhecul/Ebj", "Puneyrfunira"]) == [], shown


async def test_a_rot13_note_joined_by_slashes_in_json_is_withheld(api: Harness) -> None:
    shown = (await _get(api, "/json-rot13-slashes"))["note"]
    assert _undone(shown, ["Nvfun", "Ry-Nzva", "Zhecul/Ebj", "Puneyrfunira"]) == [], shown


# ── 3: capitals in brackets read as the masker's markers ────────────────────────
async def test_rot13_words_in_brackets_are_withheld(api: Harness) -> None:
    shown = await _get(api, "/rot13-brackets")
    assert _undone(shown, ["[NVFUN]", "[ZHECUL]", "[PUNEYRFUNIRA]"]) == [], shown


async def test_rot13_words_suffixed_with_a_marker_are_withheld(api: Harness) -> None:
    shown = await _get(api, "/rot13-suffixed")
    assert _undone(shown, ["Nvfun", "Zhecul", "Puneyrfunira"]) == [], shown


# ── 4: Latin small capitals ─────────────────────────────────────────────────────
async def test_a_note_in_small_capitals_is_masked(api: Harness) -> None:
    shown = await _get(api, "/small-caps")
    needles = [_small_caps(w) for w in ["Aisha", "El-Amin", "Murphy Row", "Charleshaven"]]
    assert _undone(shown, needles) == [], shown


# ── 5: codes without letters ────────────────────────────────────────────────────
@finding(5, "a note in Morse code has no letters: never judged, passes whole")
async def test_a_note_in_morse_is_withheld(api: Harness) -> None:
    shown = await _get(api, "/morse")
    assert _undone(shown, [_morse("Aisha"), _morse("Murphy")]) == [], shown


@finding(5, "a note as letter numbers (A1Z26) has no letters: never judged, passes whole")
async def test_a_note_as_letter_numbers_is_withheld(api: Harness) -> None:
    shown = await _get(api, "/a1z26")
    assert _undone(shown, [_a1z26("Aisha"), _a1z26("Murphy")]) == [], shown


# ── 6: a letter-to-word code ────────────────────────────────────────────────────
@finding(6, "a name spelled in the NATO alphabet is all dictionary words: passes")
async def test_a_name_in_the_nato_alphabet_is_withheld(api: Harness) -> None:
    shown = await _get(api, "/nato")
    assert _undone(shown, [_nato("Aisha"), _nato("Murphy")]) == [], shown


# ── 7: circled letters ──────────────────────────────────────────────────────────
async def test_a_note_in_circled_letters_is_masked(api: Harness) -> None:
    shown = await _get(api, "/circled")
    needles = [_circled(w) for w in ["Aisha", "El-Amin", "Murphy Row", "Charleshaven"]]
    assert _undone(shown, needles) == [], shown


# ── 8: pig latin ────────────────────────────────────────────────────────────────
async def test_a_note_in_pig_latin_is_withheld(api: Harness) -> None:
    shown = await _get(api, "/pig-latin")
    assert _undone(shown, ["urphyMay", "harleshavenCay", "ishaAay"]) == [], shown


# ── the same holes through the exec connector and the MCP proxy ─────────────────
async def _printed(h: Harness, text: str) -> str:
    body = {"connection": "box", "argv": ["show"], "stdin": text}
    got = await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)
    assert got.status_code == 200, got.text[:300]
    stdout: str = got.json()["result"]["stdout"]
    return stdout


async def test_exec_a_note_joined_by_underscores_is_masked(echo_box: Harness) -> None:
    shown = await _printed(echo_box, BODIES["underscores"] + "\n")
    assert _undone(shown, [SSN, PHONE, "6599_Murphy_Row"]) == [], shown


async def test_exec_rot13_words_in_brackets_are_withheld(echo_box: Harness) -> None:
    shown = await _printed(echo_box, BODIES["rot13-brackets"] + "\n")
    assert _undone(shown, ["[NVFUN]", "[ZHECUL]"]) == [], shown


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


def _written(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


async def _read_over_mcp(gateway: tuple[Harness, str], path: Path, text: str) -> str:
    h, url = gateway
    path = _written(path, text)
    async with mcp_client(url, h.tokens["claims-bot"]) as client:
        result = await client.call_tool("records__read_file", {"path": str(path), "view": "text"})
    return "".join(getattr(block, "text", "") for block in result.content)


async def test_mcp_a_note_in_small_capitals_is_masked(
    mcp_gateway: tuple[Harness, str], tmp_path: Path
) -> None:
    shown = await _read_over_mcp(mcp_gateway, tmp_path / "n.txt", BODIES["small-caps"])
    assert _undone(shown, [_small_caps("Aisha"), _small_caps("Murphy Row")]) == [], shown


async def test_mcp_a_rot13_note_joined_by_slashes_is_withheld(
    mcp_gateway: tuple[Harness, str], tmp_path: Path
) -> None:
    shown = await _read_over_mcp(mcp_gateway, tmp_path / "n.txt", BODIES["rot13-slashes"])
    assert _undone(shown, ["Nvfun", "Puneyrfunira"]) == [], shown
