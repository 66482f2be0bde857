"""The masker reads encoded text in the view its reader reads: UTF-16 without a
byte order mark, base64 percent-encoded or cut by invisible characters, tabs or
spaces every few characters, and a hex dump of a note (round 29a)."""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Callable

import pytest

from phigate.masking.engine import Masker

NOTE = "Patient Maria Garcia, SSN 536-22-8471, phone (415) 555-0199"
NOTE_PHI = ("Maria", "Garcia", "536-22-8471", "555-0199")
B64 = base64.b64encode(NOTE.encode()).decode()


def _read_b64(text: str) -> str:
    kept = re.sub(r"[^A-Za-z0-9+/=]", "", text)
    return base64.b64decode(kept[: len(kept) // 4 * 4]).decode("latin-1")


def _shown(text: str) -> list[str]:
    return [w for w in NOTE_PHI if w in text]


@pytest.mark.parametrize("charset", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(safe_harbor: Masker, charset: str) -> None:
    raw = NOTE.encode(charset)
    b64 = safe_harbor.mask_text(base64.b64encode(raw).decode()).text
    assert not _shown(base64.b64decode(b64).decode(charset)), b64
    hexed = safe_harbor.mask_text("0x" + raw.hex()).text
    assert not _shown(bytes.fromhex(hexed[2:]).decode(charset, "replace")), hexed


def test_percent_encoded_base64_is_read(safe_harbor: Masker) -> None:
    written = urllib.parse.quote(base64.b64encode(f"xx?>{NOTE}".encode()).decode(), safe="")
    assert "%2F" in written
    masked = safe_harbor.mask_text(f"next_cursor={written}").text
    assert not _shown(_read_b64(urllib.parse.unquote(masked.split("=", 1)[1]))), masked


@pytest.mark.parametrize(
    ("sep", "size"), [("\u200b", 10), ("\u00ad", 7), ("\t", 12), (" ", 8), (" ", 4)]
)
def test_base64_with_separators_inside_is_read(safe_harbor: Masker, sep: str, size: int) -> None:
    spread = sep.join(B64[i : i + size] for i in range(0, len(B64), size))
    masked = safe_harbor.mask_text(f"attachment: {spread}").text
    assert not _shown(_read_b64(masked.removeprefix("attachment: "))), masked


@pytest.mark.parametrize(
    "prose",
    [
        "Patient presented with chest pain radiating down left side since last week",
        "Take 1 tablet by mouth twice daily with food for seven days then stop",
        "ABCD EFGH IJKL MNOP QRST UVWX",
    ],
)
def test_spaced_words_are_left_as_they_are(safe_harbor: Masker, prose: str) -> None:
    assert safe_harbor.mask_text(prose).text == prose


def _rows(raw: bytes, cell: Callable[[bytes], str], offset: str) -> str:
    return "\n".join(offset.format(at) + cell(raw[at : at + 16]) for at in range(0, len(raw), 16))


def _column(row: bytes) -> str:
    return "|" + "".join(chr(b) if 32 <= b < 127 else "." for b in row) + "|"


_RAW = NOTE.encode()
_DUMPS = {
    "hexdump-C": _rows(
        _RAW, lambda r: " ".join(f"{b:02x}" for b in r) + "  " + _column(r), "{:08x}  "
    ),
    "xxd": _rows(
        _RAW, lambda r: " ".join(r[i : i + 2].hex() for i in range(0, len(r), 2)), "{:08x}: "
    ),
    "xxd-g1": _rows(_RAW, lambda r: " ".join(f"{b:02x}" for b in r), "{:08x}: "),
    "od-x": _rows(
        _RAW,
        lambda r: "".join(f" {r[i + 1 : i + 2].hex()}{r[i]:02x}" for i in range(0, len(r), 2)),
        "{:07o}",
    ),
    "xxd-i": ", ".join(f"0x{b:02x}" for b in _RAW),
}


def _dump_read(text: str, swapped: bool) -> str:
    body = re.sub(r"(?m)^[0-9a-f]{7,8}:? ", "", re.sub(r"\|.*\|", "", text).replace("0x", ""))
    groups = re.findall(r"\b[0-9a-f]{2,4}\b", body)
    raw = b"".join(bytes.fromhex(g)[::-1] if swapped else bytes.fromhex(g) for g in groups)
    return raw.decode("latin-1") + "".join(re.findall(r"\|(.*)\|", text))


@pytest.mark.parametrize("name", list(_DUMPS))
def test_a_hex_dump_of_a_note_is_masked(safe_harbor: Masker, name: str) -> None:
    masked = safe_harbor.mask_text(_DUMPS[name]).text
    assert not _shown(_dump_read(masked, swapped=name == "od-x")), masked
    assert masked.count("\n") == _DUMPS[name].count("\n")  # still a dump


def test_a_hex_dump_without_phi_is_left_as_it_is(safe_harbor: Masker) -> None:
    dump = _rows(
        b"#!/bin/sh\nmake check && echo done building the project\n",
        lambda r: " ".join(f"{b:02x}" for b in r),
        "{:08x}  ",
    )
    assert safe_harbor.mask_text(dump).text == dump
