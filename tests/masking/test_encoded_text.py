"""The masker reads hex and compressed base64 as its reader will: a `bytea` column's
hex (`\\x5061…`), a long hex run that decodes to text, and gzip or zlib inside base64
are read as the text they hold, masked and written back the same way; a digest and a
compression bomb are not."""

from __future__ import annotations

import base64
import gzip
import hashlib
import zlib

import pytest

from phigate.masking._json import TOO_DEEP
from phigate.masking.engine import Masker

NOTE = "Patient Maria Garcia, SSN 536-22-8471, phone (415) 555-0199"
NOTE_PHI = ("Maria", "Garcia", "536-22-8471", "555-0199")


def _shown(text: str) -> list[str]:
    return [w for w in NOTE_PHI if w in text]


@pytest.mark.parametrize("prefix", ["\\x", "", "note: "])
def test_hex_text_is_masked_and_stays_hex(safe_harbor: Masker, prefix: str) -> None:
    shown = safe_harbor.mask_text(prefix + NOTE.encode().hex()).text
    assert shown.startswith(prefix)
    note = bytes.fromhex(shown[len(prefix) :]).decode()
    assert not _shown(note) and "[SSN]" in note, note


def test_upper_case_hex_keeps_its_case(safe_harbor: Masker) -> None:
    shown = safe_harbor.mask_text(NOTE.encode().hex().upper()).text
    assert shown == shown.upper() and not _shown(bytes.fromhex(shown).decode())


@pytest.mark.parametrize(
    "digest", [hashlib.sha256(b"x").hexdigest(), hashlib.md5(b"y").hexdigest()]
)
def test_a_hex_digest_is_left_as_it_is(safe_harbor: Masker, digest: str) -> None:
    assert safe_harbor.mask_text(f"sha {digest}").text == f"sha {digest}"


@pytest.mark.parametrize(
    "pack", [lambda raw: gzip.compress(raw, mtime=0), zlib.compress], ids=["gzip", "zlib"]
)
def test_compressed_base64_text_is_masked_and_stays_compressed(
    safe_harbor: Masker, pack: object
) -> None:
    assert callable(pack)
    shown = safe_harbor.mask_text(base64.b64encode(pack(NOTE.encode())).decode()).text
    note = zlib.decompress(base64.b64decode(shown), 47).decode()  # gzip or zlib header
    assert not _shown(note) and "[SSN]" in note, note


def test_a_compression_bomb_is_withheld_not_inflated(safe_harbor: Masker) -> None:
    bomb = base64.b64encode(gzip.compress(b"A" * (64 << 20), mtime=0)).decode()
    assert safe_harbor.mask_text(bomb).text == TOO_DEEP


def test_compressed_bytes_that_are_no_text_are_left_as_they_are(safe_harbor: Masker) -> None:
    packed = base64.b64encode(gzip.compress(bytes(range(256)) * 4, mtime=0)).decode()
    assert safe_harbor.mask_text(packed).text == packed
