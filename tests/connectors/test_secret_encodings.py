"""Held values in the encodings a one-line decoder reads back (round 32a): ascii85,
base85 (RFC 1924, Z85), uuencode at any alignment, binary and octal digits, written
backwards, and cut into six-character pieces by an `xxd -b` dump's text column."""

from __future__ import annotations

import base64
import binascii

import pytest

from phigate.connectors._secret_forms import base85_cores
from phigate.connectors._secrets import GatewaySecrets

SECRET = "pat-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
RAW = SECRET.encode()
_Z85_FROM_B85 = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~",
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#",
)


def _xxd_b(raw: bytes, width: int) -> str:
    """`xxd -b -c width`, as xxd writes it."""
    lines = []
    for at in range(0, len(raw), width):
        chunk = raw[at : at + width]
        groups = " ".join(f"{b:08b}" for b in chunk).ljust(9 * width - 1)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{at:08x}: {groups}  {text}")
    return "\n".join(lines) + "\n"


def _forms(before: bytes) -> list[str]:
    raw = before + RAW
    return [
        base64.a85encode(raw).decode(),
        base64.b85encode(raw).decode(),
        base64.b85encode(raw).decode().translate(_Z85_FROM_B85),
        binascii.b2a_uu(raw).decode(),
        binascii.b2a_uu(raw, backtick=True).decode(),
        " ".join(f"{b:08b}" for b in raw),
        "".join(f"{b:08b}" for b in raw),
        " ".join(f"{b:03o}" for b in raw),
        raw.decode()[::-1],
        base64.b64encode(raw).decode()[::-1],
    ]


@pytest.mark.parametrize("before", [b"", b"x", b"xy", b"xyz"])
def test_a_held_value_encoded_at_any_alignment_is_scrubbed(before: bytes) -> None:
    secrets = GatewaySecrets([("TOKEN", SECRET)])
    for form in _forms(before):
        scrubbed = secrets.scrub(f"out: {form} end", {})
        assert "[REDACTED:TOKEN]" in scrubbed, (form, scrubbed)


@pytest.mark.parametrize("width", [4, 6, 7, 16])
def test_an_xxd_binary_dump_is_read_as_its_bytes(width: int) -> None:
    secrets = GatewaySecrets([("TOKEN", SECRET)])
    scrubbed = secrets.scrub(_xxd_b(RAW, width), {})
    column = "".join(line.split("  ", 1)[1] for line in scrubbed.splitlines())
    assert "9f8e" not in column and "[REDACTED:TOKEN]" in scrubbed, scrubbed


def test_base85_cores_leave_out_the_groups_a_neighbour_mixes_into() -> None:
    encoded = base64.a85encode(b"abc" + RAW + b"z").decode()
    assert any(core in encoded for core in base85_cores(RAW))


def test_prose_and_other_dumps_are_left_alone() -> None:
    secrets = GatewaySecrets([("TOKEN", SECRET)])
    text = "reverse the list; 01100001 is a; " + _xxd_b(b"hello, world of dumps", 6)
    assert secrets.scrub(text, {}) == text
