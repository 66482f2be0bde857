"""Runs of a text that are bytes written out: hex, decimal bytes, base64.

One reader for every layout a tool writes bytes in, rather than one per layout seen
(each list of layouts failed on the next): a run is consecutive tokens that are all
hex groups (1 to 16 bytes each, of one width as tools write them or not, as a
masker may have rewritten one; `xxd -g8`, `od -An -tx8`, spaced or colon,
comma or dash separated bytes, `0x`/`\\x` prefixed), or all decimal numbers 0-255
(`od -An -tu1`, `[80, 97, …]`), with one separator on a line; a line may start with
an offset (`00000010:`, a single token before the groups) and end with a text column
(after two spaces or a `|`). Consecutive lines that hold only such a run (and their
offset and column) are joined into ONE run, so a value cut by a line end is read
whole (`xxd -p`). A long base64 token, or lines of one base64 token of one width
(MIME), is a run too. Hex groups wider than a byte are also read reversed (`od -x`
prints words little-endian).

The other standard encodings (base32, ascii85/base85/Z85, uuencode, octal escapes,
binary digits) are read by `core.byte_codes`, and merged here with the rest.

`byte_runs` finds them with RE2 (linear, whatever the text) and splits each match in
one pass; a run is reported only when it holds `MIN_BYTES` or more.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass

import re2

from phigate.core.byte_codes import LOOSE, code_runs

# 16 bytes hold a name and a surname, an SSN with its label, or two eight-character
# pieces of a credential; shorter runs are everyday text (dates, short ids).
MIN_BYTES = 16
_HEX_TOK = r"(?:0[xX]|\\x)?[0-9A-Fa-f]{2,}"
_HEX_SEP = r"(?:[ \t]{1,3}|[ \t]?[,:;-][ \t]{0,2})"
_DEC_SEP = r"(?:[ \t]{1,3}|[ \t]?[,;][ \t]{0,2})"
# Four tokens or more, or fewer filling their line (a dump's last line): a date or a
# number of prose is never split, which is most of what these would match.
_HEX_LINE = (
    rf"(?m:^[ \t]*(?:[0-9A-Fa-f]{{4,16}}:?[ \t]+)?{_HEX_TOK}(?:{_HEX_SEP}{_HEX_TOK}){{0,2}}[ \t]*$)"
)
_HEX_SEQ = re2.compile(rf"{_HEX_LINE}|{_HEX_TOK}(?:{_HEX_SEP}{_HEX_TOK}){{3,}}|[0-9A-Fa-f]{{16,}}")
_DEC_LINE = rf"(?m:^[ \t]*\d{{1,3}}(?:{_DEC_SEP}\d{{1,3}}){{0,2}}[ \t]*$)"
_DEC_SEQ = re2.compile(rf"{_DEC_LINE}|\d{{1,3}}(?:{_DEC_SEP}\d{{1,3}}){{3,}}")
_B64_TOKEN = re2.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
# A lone base64 token this long holds 16 bytes; a line of wrapped base64 may be shorter.
_LONE = 22
_MAY_HOLD = re2.compile(
    r"[0-9A-Fa-f]{2}[ \t,:;-]{1,3}[0-9A-Fa-f]{2}|\d[ \t,;]{1,3}\d|[A-Za-z0-9+/_-]{16}"
    r"|[!-~]{20}|(?m:^[!-`][ -`]{4,}$)|\\[0-7]{3}|[01]{16}"
)
# The shortest stretch a run starts with (three bytes spaced, or a short word of
# prose or a number is skipped without being split).
_SHORTEST = 8
_SPLIT = re.compile(r"([ \t,:;-]+)")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(frozen=True)
class ByteRun:
    """Where a run stands, the bytes it reads as (one way or more), and its kind."""

    start: int
    end: int
    readings: tuple[bytes, ...]
    kind: str  # "hex", "decimal", "base64" or a `core.byte_codes` kind
    lines: tuple[int, ...] = ()  # each line's byte count (hex runs: a list of ids shows)

    @property
    def size(self) -> int:
        return max(len(r) for r in self.readings)


@dataclass(frozen=True)
class _Piece:
    """The tokens of one line that make one stretch of a run."""

    start: int
    end: int
    tokens: tuple[str, ...]
    whole_line: bool  # nothing else on its line but an offset and a text column
    line_start: int
    line_end: int


def may_hold(text: str) -> bool:
    """Whether `text` may hold a run: one RE2 search."""
    return len(text) >= MIN_BYTES and _MAY_HOLD.search(text) is not None


def byte_runs(text: str) -> list[ByteRun]:
    """Every run of `text` holding `MIN_BYTES` or more, in order; overlapping runs of
    different kinds are merged into one run read every way."""
    found = [*_line_runs(text, "hex"), *_line_runs(text, "decimal"), *_base64_runs(text)]
    found += [ByteRun(c.start, c.end, c.readings, c.kind) for c in code_runs(text)]
    return _merged(sorted(found, key=lambda r: (r.start, r.end)))


def _merged(runs: list[ByteRun]) -> list[ByteRun]:
    out: list[ByteRun] = []
    for run in runs:
        if out and run.start < out[-1].end:
            last = out[-1]
            readings = tuple(dict.fromkeys((*last.readings, *run.readings)))
            # A run read strictly anywhere is read strictly (undecodable: withheld).
            kind = run.kind if last.kind in LOOSE else last.kind
            out[-1] = ByteRun(last.start, max(last.end, run.end), readings, kind, last.lines)
        else:
            out.append(run)
    return [r for r in out if r.size >= MIN_BYTES]


# ── hex and decimal: pieces of lines, joined ─────────────────────────────────────
def _line_runs(text: str, kind: str) -> Iterator[ByteRun]:
    pattern = _HEX_SEQ if kind == "hex" else _DEC_SEQ
    group: list[_Piece] = []
    for match in pattern.finditer(text):
        if not group and match.end() - match.start() < _SHORTEST:
            continue  # a number or a hex-looking word of prose starts no run
        written = match.group()
        bare = written.strip(" \t")
        at = match.start() + len(written) - len(written.lstrip(" \t"))
        for piece in _pieces(text, at, bare, kind):
            if group and _continues(text, group[-1], piece):
                group.append(piece)
                continue
            if not _counts(piece, kind):
                continue  # a lone short token starts nothing: an offset, a number in prose
            if group:
                yield from _run(text, group, kind)
            group = [piece]
    if group:
        yield from _run(text, group, kind)


def _counts(piece: _Piece, kind: str) -> bool:
    if len(piece.tokens) > 1:
        return True
    return kind == "hex" and len(piece.tokens) == 1 and len(_bare(piece.tokens[0])) >= 16


def _pieces(text: str, start: int, written: str, kind: str) -> Iterator[_Piece]:
    """The stretches of a match whose tokens share one separator and (hex) one width
    (the last may be shorter); a lone token before a stretch is its offset."""
    parts = _SPLIT.split(written)
    tokens = parts[0::2]
    seps = [_sep(s) for s in parts[1::2]]
    places: list[int] = []
    at = start
    for i, token in enumerate(tokens):
        places.append(at)
        at += len(token) + (len(parts[2 * i + 1]) if 2 * i + 1 < len(parts) else 0)
    first = 0
    while first < len(tokens):
        stop = _stretch(tokens, seps, first, kind)
        if kind == "hex" and _offset(tokens, first, stop):
            first += 1
        if stop > first:
            end = places[stop - 1] + len(tokens[stop - 1])
            yield _piece(text, places[first], end, tokens[first:stop])
            first = stop
        else:
            first += 1


def _sep(sep: str) -> str:
    return sep.strip(" \t") or " "


def _stretch(tokens: list[str], seps: list[str], first: int, kind: str) -> int:
    """Where the stretch of tokens from `first` ends (exclusive); `first` when the
    token there starts none. Hex groups may differ in width (a masker may have
    rewritten some), none wider than 16 bytes when there are two or more."""
    if not _token_ok(tokens[first], kind):
        return first
    if first + 1 < len(seps) and seps[first] != seps[first + 1]:
        return first + 1  # its own separator: an offset (`00000010:`) or a label
    stop = first + 1
    while stop < len(tokens) and seps[stop - 1] == seps[first]:
        token = tokens[stop]
        if not _token_ok(token, kind) or (kind == "hex" and len(_bare(token)) > 32):
            break
        stop += 1
    if kind == "hex" and stop - first > 1 and len(_bare(tokens[first])) > 32:
        return first + 1  # a long token alone (an `xxd -p` line) ends before the next
    return stop


def _offset(tokens: list[str], first: int, stop: int) -> bool:
    """Whether the stretch's first token is an offset column: two or more groups of
    one width follow it, and it is of another width (`hexdump -C`'s `00000010  4d …`)."""
    if stop - first < 3:
        return False
    width = len(tokens[first + 1])
    return len(tokens[first]) != width and len(tokens[first + 2]) == width


def _bare(token: str) -> str:
    return token[2:] if token[:2] in ("0x", "0X", "\\x") else token


def _token_ok(token: str, kind: str) -> bool:
    if kind == "decimal":
        return int(token) <= 255
    bare = _bare(token)
    return len(bare) % 2 == 0 and set(bare) <= _HEX_DIGITS


def _piece(text: str, start: int, end: int, tokens: list[str]) -> _Piece:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start:start]
    after = text[end:line_end].rstrip("\r")
    head = before.strip(" \t[({")
    lead_ok = not head or (_is_offset(head) and before.endswith((" ", "\t")))
    tail_ok = not after.strip(" \t,])}") or after.startswith(("  ", " |", "\t"))
    glued = (start > 0 and text[start - 1] in _WORD) or (end < len(text) and text[end] in _WORD)
    whole = lead_ok and tail_ok and not glued
    return _Piece(start, end, tuple(tokens) if not glued else (), whole, line_start, line_end)


def _is_offset(head: str) -> bool:
    bare = head.rstrip(":")
    return 4 <= len(bare) <= 16 and all(c in _HEX_DIGITS for c in bare)


def _continues(text: str, last: _Piece, piece: _Piece) -> bool:
    """Whether `piece` carries on the run `last` ends: both fill their lines, and
    `piece`'s line is the next one."""
    return last.whole_line and piece.whole_line and piece.line_start == last.line_end + 1


def _run(text: str, group: list[_Piece], kind: str) -> Iterator[ByteRun]:
    pieces = [p for p in group if p.tokens]
    if not pieces:
        return
    whole = len(group) > 1 or group[0].whole_line
    if whole:  # its offsets and text column are part of what shows the bytes
        line = text[group[0].line_start : group[0].line_end]
        start, end = group[0].line_start + len(line) - len(line.lstrip()), group[-1].line_end
    else:
        start, end = group[0].start, group[-1].end
    tokens = [t for p in pieces for t in p.tokens]
    if kind == "decimal":
        yield ByteRun(start, end, (bytes(int(t) for t in tokens),), kind)
        return
    groups = [bytes.fromhex(_bare(t)) for t in tokens]
    readings = [b"".join(groups)]
    # Words (2, 4 or 8 bytes) may be printed little-endian; a masker may have rewritten
    # a group to another width, so most groups, not all, decide.
    widths = sorted(len(g) for g in groups)
    if widths[-1] > 1 and widths[len(widths) // 2] <= 8:
        readings.append(b"".join(g[::-1] for g in groups))
    lines = tuple(sum(len(_bare(t)) // 2 for t in p.tokens) for p in pieces)
    yield ByteRun(start, end, tuple(readings), kind, lines)


# ── base64 ─────────────────────────────────────────────────────────────────────
def _base64_runs(text: str) -> Iterator[ByteRun]:
    """Long base64 tokens; consecutive lines of one token each, of one width (the
    last no wider), joined."""
    group: list[tuple[int, int]] = []
    for match in _B64_TOKEN.finditer(text):
        start, end = match.start(), match.end()
        if _glued(text, start, end):
            continue
        if group and _next_line(text, group[-1], (start, end)):
            group.append((start, end))
            continue
        yield from _b64_run(text, group)
        group = [(start, end)]
    yield from _b64_run(text, group)


def _glued(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1] in _WORD) or (end < len(text) and text[end] in _WORD)


def _mixed(token: str) -> bool:
    """Base64 of bytes mixes cases and digits; a path, an identifier or a hex digest
    (read as hex) does not."""
    body = token.rstrip("=")
    if set(body) <= _HEX_DIGITS:
        return False
    lower = any(c.islower() for c in body)
    upper = any(c.isupper() for c in body)
    digit = any(c.isdigit() for c in body)
    return token.endswith("=") or (lower and upper and digit)


def _next_line(text: str, last: tuple[int, int], span: tuple[int, int]) -> bool:
    between = text[last[1] : span[0]]
    if between.strip(" \t\r") != "\n" and between not in ("\n", "\r\n"):
        return False
    return span[1] - span[0] <= last[1] - last[0]


def _b64_run(text: str, group: list[tuple[int, int]]) -> Iterator[ByteRun]:
    if not group:
        return
    widths = [e - s for s, e in group]
    if len(group) > 1 and len(set(widths[:-1])) > 1:
        for span in group:  # lines of different widths: each token alone
            yield from _b64_run(text, [span])
        return
    body = "".join(text[s:e] for s, e in group)
    if not _mixed(body) or (len(group) == 1 and len(body) < _LONE):
        return
    raw = _b64decode(body)
    if raw is not None:
        yield ByteRun(group[0][0], group[-1][1], (raw,), "base64")


def _b64decode(body: str) -> bytes | None:
    body = body.rstrip("=")
    if len(body) % 4 == 1:
        body = body[:-1]  # a run cut at a fixed length: its whole quads are read
    urlsafe = "-" in body or "_" in body
    if urlsafe and ("+" in body or "/" in body):
        return None
    try:
        return base64.b64decode(
            body + "=" * (-len(body) % 4), b"-_" if urlsafe else None, validate=True
        )
    except (binascii.Error, ValueError):
        return None
