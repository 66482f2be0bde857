"""Runs of a text in the standard binary-to-text encodings other than hex and base64.

`core.byte_runs` reads hex, decimal bytes and base64; this module reads the rest of
what a one-line decoder reads back (round 32a): base32 (RFC 4648, padded or not, in
either case), ascii85 (`<~ … ~>`, or bare as `base64.a85encode` writes it), base85
(RFC 1924, Git's, Python's `b85encode`) and Z85, uuencoded lines (`begin … end`
blocks or bare), C octal escapes (`\\120\\141…`) and 8-bit binary digit groups
(`xxd -b` without its columns). Each reader is one RE2 pass (linear whatever the
text) and yields `Coded` runs that `core.byte_runs` makes `ByteRun`s of.

Base32, uuencode, octal and binary runs are strict: bytes no view reads are
withheld unless opaque, as hex and base64 are. A bare base85-family token is
`LOOSE`: its alphabet is nearly all of printable ASCII (a long URL or a JSON word is
one), so it is withheld only when a text it reads as shows something.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import NamedTuple

import re2

# Kinds whose undecodable runs are prose, not bytes (see the module docstring).
LOOSE = frozenset({"base85"})
_MIN_BYTES = 16
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# 26 base32 characters hold 16 bytes; a token must mix letters and digits (or be
# padded), so a long word or identifier is not one.
_B32 = re2.compile(r"[A-Z2-7]{26,}={0,6}|[a-z2-7]{26,}={0,6}")
_A85_WRAPPED = re2.compile(r"<~([!-u \t\r\nz]{20,}?)~>")
# 20 characters of base85 hold 16 bytes.
_B85_TOKEN = re2.compile(r"[!-~]{20,}")
_UU_LINE = re2.compile(r"(?m:^[!-`][ -`]{4,}$)")
_OCTAL = re2.compile(r"(?:\\[0-3]?[0-7]{1,2}){16,}")
_OCTAL_ONE = re2.compile(r"\\([0-3]?[0-7]{1,2})")
_BINARY = re2.compile(r"[01]{8}(?:(?:[ \t,]{1,3}|[ \t]*\r?\n[ \t]*)?[01]{8}){15,}")
_Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
_RFC1924 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_Z85_TO_B85 = str.maketrans(_Z85, _RFC1924)
_B85_ONLY = frozenset(_RFC1924) | frozenset(_Z85)


class Coded(NamedTuple):
    """Where a run stands, the bytes it reads as (one way or more), and its kind."""

    start: int
    end: int
    readings: tuple[bytes, ...]
    kind: str


def code_runs(text: str) -> Iterator[Coded]:
    """Every run of `text` in one of these encodings (any length; the caller keeps
    those of `MIN_BYTES` or more)."""
    yield from _base32_runs(text)
    yield from _base85_runs(text)
    yield from _uu_runs(text)
    yield from _octal_runs(text)
    yield from _binary_runs(text)


def _glued(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1] in _WORD) or (end < len(text) and text[end] in _WORD)


# ── base32 ──────────────────────────────────────────────────────────────────────
def _base32_runs(text: str) -> Iterator[Coded]:
    for match in _B32.finditer(text):
        token = match.group()
        body = token.rstrip("=")
        if _glued(text, match.start(), match.end()):
            continue
        if not any(c.isdigit() for c in body) and not token.endswith("="):
            continue
        body = body[: len(body) - len(body) % 8] if len(body) % 8 in (1, 3, 6) else body
        try:
            raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
        except (binascii.Error, ValueError):
            continue
        yield Coded(match.start(), match.end(), (raw,), "base32")


# ── ascii85, base85, Z85 ───────────────────────────────────────────────────────────
def _base85_runs(text: str) -> Iterator[Coded]:
    wrapped: list[tuple[int, int]] = []
    if "<~" in text:
        for match in _A85_WRAPPED.finditer(text):
            body = "".join(match.group(1).split())
            raw = _a85(body)
            if raw is not None:  # delimited: ascii85 for sure, so read strictly
                wrapped.append(match.span())
                yield Coded(match.start(), match.end(), (raw,), "ascii85")
    for match in _B85_TOKEN.finditer(text):
        start, end = match.span()
        if any(s <= start < e for s, e in wrapped):
            continue
        token = match.group().strip("\"'`,;.()[]{}")
        readings = _b85_readings(token)
        if readings:
            yield Coded(start, end, readings, "base85")


def _b85_readings(token: str) -> tuple[bytes, ...]:
    """What a bare token reads as in each base85 alphabet that takes it. Text of
    ascii85 mixes cases and punctuation; a word or a path does not."""
    if not (any(c.isupper() for c in token) and any(c.islower() for c in token)):
        return ()
    if token.isalnum():
        return ()  # base64 or an identifier, read elsewhere
    found: list[bytes] = []
    for raw in (_a85(token), _b85(token), _z85(token)):
        if raw is not None and len(raw) >= _MIN_BYTES and raw not in found:
            found.append(raw)
    return tuple(found)


def _a85(body: str) -> bytes | None:
    if not all("!" <= c <= "u" or c == "z" for c in body):
        return None
    try:
        return base64.a85decode(body)
    except (ValueError, binascii.Error):
        return None


def _b85(body: str) -> bytes | None:
    if not set(body) <= _B85_ONLY:
        return None
    try:
        return base64.b85decode(body)
    except (ValueError, binascii.Error):
        return None


def _z85(body: str) -> bytes | None:
    if len(body) % 5 or not set(body) <= frozenset(_Z85):
        return None
    return _b85(body.translate(_Z85_TO_B85))


# ── uuencode ─────────────────────────────────────────────────────────────────────
def _uu_runs(text: str) -> Iterator[Coded]:
    """Lines whose first character counts the bytes the rest holds (`M` = 45);
    consecutive such lines are one run."""
    group: list[tuple[int, int, bytes]] = []
    for match in _UU_LINE.finditer(text):
        line = match.group().rstrip("\r")
        raw = _uu_line(line)
        if raw is None:
            yield from _uu_run(group)
            group = []
            continue
        if group and text[group[-1][1] : match.start()] not in ("\n", "\r\n", "\r\n\r"):
            yield from _uu_run(group)
            group = []
        group.append((match.start(), match.end(), raw))
    yield from _uu_run(group)


def _uu_line(line: str) -> bytes | None:
    n = (ord(line[0]) - 32) & 0x3F
    width = 4 * -(-n // 3)
    # Trailing spaces (zero values) may be lost on the way; never more characters. A
    # rule of one repeated character (`====`) is layout, not bytes.
    if n == 0 or not width - 3 <= len(line) - 1 <= width or len(set(line[1:])) < 4:
        return None
    try:
        return binascii.a2b_uu(line)
    except (binascii.Error, ValueError):
        return None


def _uu_run(group: list[tuple[int, int, bytes]]) -> Iterator[Coded]:
    if group:
        yield Coded(group[0][0], group[-1][1], (b"".join(g[2] for g in group),), "uuencode")


# ── octal escapes, binary digits ───────────────────────────────────────────────────
def _octal_runs(text: str) -> Iterator[Coded]:
    if "\\" not in text:
        return
    for match in _OCTAL.finditer(text):
        raw = bytes(int(d, 8) for d in _OCTAL_ONE.findall(match.group()))
        yield Coded(match.start(), match.end(), (raw,), "octal")


def _binary_runs(text: str) -> Iterator[Coded]:
    for match in _BINARY.finditer(text):
        if _glued(text, match.start(), match.end()):
            continue
        digits = "".join(c for c in match.group() if c in "01")
        raw = bytes(int(digits[i : i + 8], 2) for i in range(0, len(digits) - 7, 8))
        yield Coded(match.start(), match.end(), (raw,), "binary")
