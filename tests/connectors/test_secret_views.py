"""The scrubber's further views (`_secret_views`, round 29a): a held value compressed,
in `od` dumps, with format characters or separators inside, as a JSON byte array in
text; and ordinary text, read through the same views, left as it is."""

from __future__ import annotations

import base64
import gzip
import json
import sys
import unicodedata
import zlib
from collections.abc import Callable

import pytest

from phigate.connectors._binary_phi import masked_binary
from phigate.connectors._secret_views import FORMAT
from phigate.connectors._secrets import GatewaySecrets
from phigate.core.errors import NotAllowedError
from phigate.masking._packed_text import MAX_INFLATED
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings

TOKEN = "pat-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
RAW = f"{TOKEN}\n".encode()


def _od_c(raw: bytes) -> str:
    def cell(b: int) -> str:
        shown = chr(b) if 32 <= b < 127 else "\\n" if b == 10 else f"{b:03o}"
        return f"{shown:>4}"

    rows = (raw[at : at + 16] for at in range(0, len(raw), 16))
    return "\n".join(f"{16 * i:07o}" + "".join(map(cell, row)) for i, row in enumerate(rows))


def _every(text: str, size: int, separator: str) -> str:
    return separator.join(text[i : i + size] for i in range(0, len(text), size))


_SHOWN = {
    "gzip-base64": base64.b64encode(gzip.compress(RAW, mtime=0)).decode(),
    "zlib-base64": base64.b64encode(zlib.compress(RAW)).decode(),
    "gzip-hex": gzip.compress(RAW, mtime=0).hex(),
    "zlib-hex-in-prose": f"blob {zlib.compress(RAW).hex()} end",
    "od-c": _od_c(RAW),
    "od-An-tx1": "\n".join(
        "".join(f" {b:02x}" for b in RAW[at : at + 16]) for at in range(0, len(RAW), 16)
    ),
    "grouped": _every(TOKEN, 4, " "),
    "hyphen-groups": _every(TOKEN, 4, "-"),
    "zero-width": _every(TOKEN, 6, "\u200b"),
    "word-joiner": _every(TOKEN, 3, "\u2060"),
    "base64-soft-hyphens": _every(base64.b64encode(RAW).decode(), 7, "\u00ad"),
    "node-buffer": json.dumps({"type": "Buffer", "data": list(RAW)}),
}


@pytest.mark.parametrize("view", list(_SHOWN))
def test_a_held_value_in_another_view_is_redacted(view: str) -> None:
    counts: dict[str, int] = {}
    text = f"before:\n{_SHOWN[view]}\n:after"
    out = GatewaySecrets([("TOKEN", TOKEN)]).scrub(text, counts)
    assert "[REDACTED:TOKEN]" in out and counts, out
    assert out.startswith("before:\n") and out.endswith("\n:after"), out


_ORDINARY = [
    "The patient was seen on the ward - vitals stable, plan to continue care.",
    "Order 1234 5678 9012 shipped; tracking ABC-DEF-GHI-JKL.",
    "zero\u200bwidth\u00adjoined text, a soft\u00adhyphen and a word\u2060joiner",
    json.dumps({"type": "Buffer", "data": list(b"just some ordinary bytes here")}),
    "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 300]",
    base64.b64encode(gzip.compress(b"an ordinary compressed note", mtime=0)).decode(),
    zlib.compress(b"another ordinary note").hex(),
    _od_c(b"an ordinary od -c dump of prose\n"),
    "pat 9f8e",  # the value's first groups alone
    "\n".join(
        "".join(f" {b:02x}" for b in b"an od -An dump of prose"[i : i + 8]) for i in (0, 8, 16)
    ),
]


@pytest.mark.parametrize("text", _ORDINARY)
def test_ordinary_text_read_through_the_views_stays(text: str) -> None:
    counts: dict[str, int] = {}
    assert GatewaySecrets([("TOKEN", TOKEN)]).scrub(text, counts) == text and not counts


def test_a_compressed_run_past_the_cap_is_withheld() -> None:
    bomb = base64.b64encode(gzip.compress(b"\0" * (MAX_INFLATED + 1), mtime=0)).decode()
    out = GatewaySecrets([("TOKEN", TOKEN)]).scrub(f"x {bomb} y", {})
    assert out == "x [REDACTED:compressed] y"


def test_the_format_characters_are_unicodes_category_cf() -> None:
    """Every Cf character, and only those or ones this Python's Unicode has not yet
    assigned (the table follows Unicode 15)."""
    every = "".join(chr(c) for c in range(sys.maxunicode + 1))
    dropped = "".join(FORMAT.findall(every))
    assert {c for c in every if unicodedata.category(c) == "Cf"} <= set(dropped)
    assert {unicodedata.category(c) for c in dropped} <= {"Cf", "Cn"}


@pytest.fixture(scope="module")
def masker() -> Masker:
    return MaskingEngine(MaskingSettings(), b"test-key-0123456789abcdef").masker(
        "hipaa-safe-harbor"
    )


_NOTE = b"Patient Maria Garcia, SSN 536-22-8471, token " + RAW


@pytest.mark.parametrize("pack", [lambda raw: gzip.compress(raw, mtime=0), zlib.compress])
def test_a_compressed_binary_answer_is_masked_inflated_and_compressed_again(
    pack: Callable[[bytes], bytes], masker: Masker
) -> None:
    counts: dict[str, int] = {}
    out = masked_binary(pack(_NOTE), GatewaySecrets([("TOKEN", TOKEN)]), masker, counts)
    read = zlib.decompress(out, 47).decode()  # 47: gzip or zlib, by the header
    assert "[REDACTED:TOKEN]" in read and "536-22-8471" not in read and "Maria" not in read, read


def test_a_binary_answer_inflating_past_the_cap_is_withheld(masker: Masker) -> None:
    bomb = gzip.compress(b"\0" * (MAX_INFLATED + 1), mtime=0)
    with pytest.raises(NotAllowedError):
        masked_binary(bomb, GatewaySecrets([("TOKEN", TOKEN)]), masker, {})


def test_an_uncompressed_binary_answer_without_text_is_returned_as_it_is(
    masker: Masker,
) -> None:
    raw = bytes(range(256)) * 4
    assert masked_binary(raw, GatewaySecrets([("TOKEN", TOKEN)]), masker, {}) == raw
