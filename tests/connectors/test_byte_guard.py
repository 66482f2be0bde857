"""Encoded bytes, fail closed: the reader of byte runs (`core.byte_runs`), their text
views (`core.byte_views`) and the guard of answers (`connectors._byte_guard`)."""

from __future__ import annotations

import base64
import binascii
import bz2
import hashlib
import lzma
import zlib

import pytest

from phigate.connectors._byte_guard import ENTITY, ByteGuard, backwards
from phigate.core.byte_runs import byte_runs
from phigate.core.byte_views import MAX_INFLATED, TooBig, views
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings

NOTE = b"Jane Roe lives at 12 Elm Street, MRN 00412345"
SECRET = "Roe"


def _shows(text: str, counts: dict[str, int]) -> bool:
    """A stand-in masker: the note's surname is PHI."""
    if SECRET in text:
        counts["NAME"] = counts.get("NAME", 0) + 1
        return True
    return False


def _dump(raw: bytes, per: int, group: int, offset: bool) -> str:
    rows = []
    for at in range(0, len(raw), per):
        row = raw[at : at + per]
        cells = " ".join(row[i : i + group].hex() for i in range(0, len(row), group))
        rows.append((f"{at:08x}: " if offset else "") + cells)
    return "\n".join(rows)


_B85 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def _deflated(raw: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush()


LAYOUTS = {
    "groups of 8 with offsets": _dump(NOTE, 16, 8, True),
    "groups of 16, no offsets": _dump(NOTE, 32, 16, False),
    "groups of 3 bytes": _dump(NOTE, 12, 3, False),
    "hex lines of 20 characters": "\n".join(
        NOTE.hex()[i : i + 20] for i in range(0, 2 * len(NOTE), 20)
    ),
    "dashed bytes": "-".join(f"{b:02X}" for b in NOTE),
    "comma bytes": ", ".join(f"0x{b:02x}" for b in NOTE),
    "decimal list": str(list(NOTE)),
    "decimal lines": "\n".join(
        " ".join(str(b) for b in NOTE[i : i + 7]) for i in range(0, len(NOTE), 7)
    ),
    "base64 of UTF-32BE": base64.b64encode(NOTE.decode().encode("utf-32-be")).decode(),
    "base64 of UTF-16 with BOM": base64.b64encode(NOTE.decode().encode("utf-16")).decode(),
    "base64 of raw deflate": base64.b64encode(_deflated(NOTE)).decode(),
    "base64 of bzip2": base64.b64encode(bz2.compress(NOTE)).decode(),
    "base64 of xz": base64.b64encode(lzma.compress(NOTE)).decode(),
    "base64 of lzma alone": base64.b64encode(lzma.compress(NOTE, lzma.FORMAT_ALONE)).decode(),
    "base64 in 20-character lines": "\n".join(
        base64.b64encode(NOTE).decode()[i : i + 20] for i in range(0, 64, 20)
    ),
    "base32": base64.b32encode(NOTE).decode(),
    "base32 unpadded lower case": base64.b32encode(NOTE).decode().lower().rstrip("="),
    "ascii85 bare": base64.a85encode(NOTE).decode(),
    "ascii85 delimited": base64.a85encode(NOTE, adobe=True, wrapcol=20).decode(),
    "base85 (RFC 1924)": base64.b85encode(NOTE).decode(),
    "Z85": base64.b85encode(NOTE, pad=True).decode().translate(str.maketrans(_B85, _Z85)),
    "uuencode block": "begin 644 note.txt\n"
    + "".join(binascii.b2a_uu(NOTE[i : i + 30]).decode() for i in range(0, len(NOTE), 30))
    + "`\nend",
    "octal escapes": "".join(f"\\{b:03o}" for b in NOTE),
    "binary digits": " ".join(f"{b:08b}" for b in NOTE),
    "binary digit lines": "\n".join(
        " ".join(f"{b:08b}" for b in NOTE[i : i + 6]) for i in range(0, len(NOTE), 6)
    ),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_reads_as_the_note_and_is_withheld(layout: str) -> None:
    text = f"result:\n{LAYOUTS[layout]}\nend"
    runs = byte_runs(text)
    assert any(NOTE.decode() in v for r in runs for b in r.readings for v in views(b)), runs
    counts: dict[str, int] = {}
    shown = ByteGuard(_shows, keep_blobs=False).text(text, counts)
    assert "holding masked text]" in shown and shown.startswith("result:\n")
    assert shown.endswith("\nend") and counts == {"NAME": 1, ENTITY: 1}


def test_a_run_cut_by_lines_is_read_whole() -> None:
    (run,) = byte_runs(LAYOUTS["hex lines of 20 characters"])
    assert run.readings[0] == NOTE


def test_a_dump_with_a_text_column_is_replaced_with_its_column() -> None:
    lines = [
        f"{at:08x}: {NOTE[at : at + 8].hex()}  {NOTE[at : at + 8].decode()}"
        for at in range(0, len(NOTE), 8)
    ]
    shown = ByteGuard(_shows, keep_blobs=False).text("\n".join(lines), {})
    assert SECRET not in shown and shown.startswith("[withheld:")


@pytest.mark.parametrize(
    "opaque",
    [
        hashlib.sha256(b"x").hexdigest(),
        hashlib.sha1(b"x").hexdigest(),
        "550e8400-e29b-41d4-a716-446655440000",
        base64.b64encode(hashlib.sha512(b"x").digest()).decode(),
        "\n".join(hashlib.sha256(bytes([i])).hexdigest() for i in range(6)),
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0."
        + base64.urlsafe_b64encode(bytes(range(200, 256)) * 5).decode().rstrip("="),
        " ".join(["0"] * 40),
        str([72, 75, 71, 72, 80, 88, 91, 77, 70, 69, 74, 72, 73, 75, 71, 70] * 5),
        "/usr/local/lib/python3/site-packages/phigate/connectors/secrets/held",
        "the quick brown fox 12 34 56 jumps over 1999 2024-03-14 10:22:33",
        base64.b32encode(hashlib.sha256(b"x").digest()).decode(),
        "https://example.org/api/v2/Patients?filter=Active&sort=-updatedAt#Results",
        '{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:1"}]}',
        "=" * 40 + "\n" + "-" * 21 + "\nWARNING: THE SYSTEM WILL GO DOWN AT 22:00 UTC TONIGHT",
        "status 0110 bits 10101010 flags 11110000",
    ],
)
def test_opaque_ids_and_prose_stay_as_written(opaque: str) -> None:
    counts: dict[str, int] = {}
    assert ByteGuard(_shows, keep_blobs=False).text(opaque, counts) == opaque
    assert counts == {}


def test_a_long_undecodable_run_is_withheld_unless_binary_is_allowed() -> None:
    blob = base64.b64encode(bytes(range(256)) * 2).decode()
    counts: dict[str, int] = {}
    assert ByteGuard(_shows, keep_blobs=False).text(blob, counts) == (
        "[withheld: 512 undecodable bytes]"
    )
    assert counts == {ENTITY: 1}
    assert ByteGuard(_shows, keep_blobs=True).text(blob, {}) == blob


def test_a_bomb_is_withheld_whole() -> None:
    bomb = base64.b64encode(bz2.compress(b"a" * (MAX_INFLATED + 1))).decode()
    (run,) = byte_runs(bomb)
    with pytest.raises(TooBig):
        views(run.readings[0])
    shown = ByteGuard(_shows, keep_blobs=True).text(bomb, {})
    assert shown == "[withheld: compressed bytes past the gateway's cap]"


def test_json_strings_and_byte_arrays_are_guarded() -> None:
    guard = ByteGuard(_shows, keep_blobs=False)
    series = [60 + i % 40 for i in range(100)]
    value = {"data": list(NOTE), "hex": NOTE.hex(" "), "n": [1, 2, 3], "hr": series}
    shown = guard.json(value, {})
    assert shown["n"] == [1, 2, 3] and shown["hr"] == series
    assert str(shown["data"]).startswith("[withheld:") and SECRET not in str(shown)


def test_od_lines_with_leading_blanks_and_a_short_last_line_are_one_run() -> None:
    lines = [" ".join(f"{b:3d}" for b in NOTE[i : i + 16]) for i in range(0, len(NOTE), 16)]
    (run,) = byte_runs("\n".join(f"   {line}" for line in lines))
    assert NOTE in run.readings  # (two-digit numbers read as hex too, merged)
    dump = "\n".join(f" {NOTE[i : i + 8].hex()}" for i in range(0, len(NOTE), 8))
    (run,) = byte_runs(dump)
    assert run.readings[0] == NOTE


def test_short_byte_arrays_are_read_joined_with_their_siblings() -> None:
    guard = ByteGuard(_shows, keep_blobs=False)
    value = {"first": list(b"Jane"), "last": list(b"Roe"), "xy": [1, 2], "id": 7}
    counts: dict[str, int] = {}
    shown = guard.json(value, counts)
    assert shown["first"] == shown["last"] == shown["xy"]
    assert str(shown["first"]).startswith("[withheld:") and shown["id"] == 7
    assert counts == {"NAME": 1, ENTITY: 1}
    quiet = {"first": list(b"Jane"), "xy": [1, 2]}
    assert guard.json(quiet, {}) == quiet


def test_a_run_of_one_character_strings_is_read_joined() -> None:
    guard = ByteGuard(_shows, keep_blobs=False)
    shown = guard.json({"note": ["x", "yz", *NOTE.decode(), None, "a", "b"]}, {})
    assert shown["note"][:2] == ["x", "yz"] and shown["note"][-3:] == [None, "a", "b"]
    assert len(shown["note"]) == 6 and str(shown["note"][2]).startswith("[withheld: 45 char")


@pytest.fixture(scope="module")
def safe_harbor() -> Masker:
    return MaskingEngine(MaskingSettings(), b"test-key-0123456789abcdef").masker(
        "hipaa-safe-harbor"
    )


def test_a_line_written_backwards_is_masked_where_it_stands(safe_harbor: Masker) -> None:
    note = "Patient Maria Garcia, DOB 03/14/1980, phone (415) 555-0199"
    heading = "DISCHARGE SUMMARY / UB-04 CMS-1450"
    counts: dict[str, int] = {}
    shown = backwards(safe_harbor, f"{heading}\n{note[::-1]}", counts)
    first, second = shown.split("\n")
    assert first == heading and second.endswith(" tneitaP")
    assert not any(word in second[::-1] for word in ("Maria", "Garcia", "555-0199", "1980"))
    assert counts["PERSON"] == 1
