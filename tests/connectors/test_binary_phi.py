"""PHI in a binary answer (`allow_binary`) is masked as each of its text views reads:
the bytes of a note in UTF-8, UTF-16 or with a NUL; bytes no view reads are kept."""

from __future__ import annotations

import random
import zlib

import pytest

from phigate.connectors._binary_phi import mask_binary
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings

NOTE = "Patient Renée Garcia, SSN 536-22-8471, phone (415) 555-0199"
NOTE_PHI = ("Garcia", "536-22-8471", "555-0199")


@pytest.fixture(scope="module")
def masker() -> Masker:
    return MaskingEngine(MaskingSettings(), b"test-key-0123456789abcdef").masker(
        "hipaa-safe-harbor"
    )


@pytest.mark.parametrize("codec", ["utf-8", "utf-16-le", "utf-16-be", "latin-1"])
def test_a_note_in_binary_is_masked_in_its_encoding(masker: Masker, codec: str) -> None:
    counts: dict[str, int] = {}
    text = mask_binary(f"\0{NOTE}\0".encode(codec), masker, counts).decode(codec)
    assert not [w for w in NOTE_PHI if w in text], text
    assert counts.get("SSN") == 1 and text.startswith("\0") and text.endswith("\0")


def test_bytes_no_view_reads_as_phi_are_kept(masker: Masker) -> None:
    noise = random.Random(7).randbytes(4096)
    png = b"\x89PNG\r\n\x1a\n" + zlib.compress(noise)
    assert mask_binary(png, masker, {}) == png
    assert mask_binary(noise, masker, {}) == noise
