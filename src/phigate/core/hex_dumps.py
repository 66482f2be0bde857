"""Hex dumps read as the bytes they show, so a secret in one can be found and redacted.

`xxd` (`00000000: 7061 742d …  pat-…`), `hexdump -C` (`00000000  70 61 74 2d …
|pat-…|`), `od -x` and `hexdump` (octal or hex offsets, two-byte words) write bytes
as groups of one, two or four bytes after an offset, with a text column or without.
A credential dumped so is neither its hex (the groups are spaced, the lines cut)
nor its text (the column is cut every 16 bytes, its line ends shown as dots).

`od -An -tx1` (`-An`: no offsets) writes the groups alone, each line ` 70 61 74 …`;
`od -c` writes a cell of four characters a byte after an octal offset: the
character right-aligned, `\\n`-style escapes or three octal digits for the others,
four spaces for a space (busybox and others: three-character cells). Those lines
are read as bytes too.

`dumps` finds each run of dump lines and reads it as bytes twice: groups as written
(`xxd`, `hexdump -C`) and each group's bytes reversed (`od -x`, `hexdump`: words
printed as little-endian numbers). `Dump.carriers` maps bytes back to what shows
them: the groups holding them and, in the text column, their characters (the whole
column of a line when it does not show one character a byte: fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# An offset (4 to 16 hex or octal digits), `:` or spaces, then the rest of the line.
_LINE = re.compile(r"^([0-9a-f]{4,16})(?::[ ]{1,2}|[ ]{1,3})([0-9a-f][^\n]*)$", re.M)
# A group of one, two or four bytes, then one or two spaces (`hexdump -C` puts two
# between its eight-byte halves), or the line's end.
_GROUP = re.compile(r"((?:[0-9a-f]{2}){1,4})(?:[ ]{1,2}|$)")
_MAYBE = re.compile(r"^[0-9a-f]{4,16}(?::[ ]{1,2}|[ ]{1,3})[0-9a-f]{2}", re.M)
_OCTAL = frozenset("01234567")
# `od -An`: groups with no offset, a space before each (two lines or more run).
_BARE = re.compile(
    r"^[ ]{1,4}((?:[0-9a-f]{2}){1,4}(?:[ ]{1,2}(?:[0-9a-f]{2}){1,4}){0,63})[ ]*$", re.M
)
_MAYBE_BARE = re.compile(r"^[ ]{1,4}[0-9a-f]{2}(?:[0-9a-f]{2})*[ ]{1,2}[0-9a-f]{2}", re.M)
# `od -c`: a seven-digit octal offset, then cells (checked one by one, `_cells`).
_CHAR_LINE = re.compile(r"^([0-7]{7})([ ][^\n]{2,127})$", re.M)
_MAYBE_CHARS = re.compile(r"^[0-7]{7}[ ]{2,3}(?:[!-~]|\\[0abfnrtv])[ ]", re.M)
# `xxd -b`: an offset, then groups of eight binary digits a byte, then the text column.
_BINARY_LINE = re.compile(r"^([0-9a-f]{4,16}): ((?:[01]{8} ){0,63}[01]{8}) ([^\n]*)$", re.M)
_MAYBE_BINARY = re.compile(r"^[0-9a-f]{4,16}: [01]{8} ", re.M)
_ESCAPED = {"\\0": 0, "\\a": 7, "\\b": 8, "\\f": 12, "\\n": 10, "\\r": 13, "\\t": 9, "\\v": 11}
_MAX_LINE_BYTES = 64


# One byte shown: its value, where its group stands in the text (start, end), the
# index of its line in the dump, its index in its line as written.
_Byte = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class _Line:
    offset: str
    groups: list[tuple[int, int, str]]  # start, end, hex
    column: tuple[int, int]  # where the text column stands (empty when none)


class Dump:
    """The bytes a run of dump lines shows, read one way, and what shows each."""

    def __init__(self, lines: list[_Line], counts: list[int], swapped: bool) -> None:
        self._lines, self._counts = lines, counts
        self._bytes = [
            byte for i, line in enumerate(lines) for byte in _bytes(line, i, counts[i], swapped)
        ]
        self.text = bytes(b[0] for b in self._bytes).decode("latin-1")

    def carriers(self, first: int, stop: int) -> list[tuple[int, int]]:
        """The spans of the text that show bytes `first` to `stop`: per line, from the
        first group holding one to the last, and their characters of the column."""
        by_line: dict[int, list[_Byte]] = {}
        for byte in self._bytes[first:stop]:
            by_line.setdefault(byte[3], []).append(byte)
        spans: list[tuple[int, int]] = []
        for index, held in by_line.items():
            spans.append((min(b[1] for b in held), max(b[2] for b in held)))
            spans += self._column(index, held)
        return spans

    def _column(self, index: int, held: list[_Byte]) -> list[tuple[int, int]]:
        start, end = self._lines[index].column
        if end - start == self._counts[index]:
            places = [b[4] for b in held]
            return [(start + min(places), start + max(places) + 1)]
        return [(start, end)] if end > start else []


def dumps(view: str) -> Iterator[Dump]:
    """Each run of consecutive dump lines in `view` (case folded), read as bytes both ways."""
    yield from _offset_dumps(view)
    yield from _bare_dumps(view)
    yield from _char_dumps(view)
    yield from _binary_dumps(view)


def _offset_dumps(view: str) -> Iterator[Dump]:
    if _MAYBE.search(view) is None:  # (most texts: one search in C)
        return
    run: list[tuple[_Line, int]] = []  # each line, and where it ends
    for match in _LINE.finditer(view):
        line = _parsed(match)
        if line is None:
            continue
        if run and match.start() != run[-1][1] + 1:
            yield from _readings(run, view)
            run = []
        run.append((line, match.end()))
    if run:
        yield from _readings(run, view)


def _parsed(match: re.Match[str], offset: str = "", first: int = 2) -> _Line | None:
    """The groups of a dump line (from `match`'s group `first`), at `offset` (else the
    line's own)."""
    groups: list[tuple[int, int, str]] = []
    pos = match.start(first)
    while (group := _GROUP.match(match.string, pos, match.end())) is not None:
        groups.append((group.start(1), group.end(1), group[1]))
        pos = group.end()
    return _Line(offset or match[1], groups, (match.end(), match.end())) if groups else None


def _with_column(line: _Line, count: int, view: str, end: int) -> _Line:
    """`line` with only the groups of its `count` bytes, and its text column: what
    follows them (inside `|…|` for `hexdump -C`)."""
    kept: list[tuple[int, int, str]] = []
    size = 0
    for group in line.groups:
        if size >= count:
            break
        kept.append(group)
        size += len(group[2]) // 2
    rest = view[kept[-1][1] : end]
    start, stop = end - len(rest.lstrip(" ")), end - (len(rest) - len(rest.rstrip(" ")))
    if stop - start >= 2 and view[start] == "|" and view[stop - 1] == "|":
        start, stop = start + 1, stop - 1
    return _Line(line.offset, kept, (start, max(start, stop)))


def _readings(run: list[tuple[_Line, int]], view: str) -> Iterator[Dump]:
    counts = _counts([line for line, _ in run])
    if sum(counts) < 4:
        return
    lines = [_with_column(line, n, view, end) for (line, end), n in zip(run, counts, strict=True)]
    yield Dump(lines, counts, swapped=False)
    if any(len(hexed) > 2 for line in lines for _, _, hexed in line.groups):
        yield Dump(lines, counts, swapped=True)


def _counts(run: list[_Line]) -> list[int]:
    """How many bytes each line shows: the step to the next line's offset (hex, else
    octal) when its groups hold that many, else all its groups (a text column can
    begin with what reads as hex: `cafe`), the last line no more than the others."""
    shown = [sum(len(hexed) // 2 for _, _, hexed in line.groups) for line in run]
    counts: list[int] = []
    for i, line in enumerate(run[:-1]):
        steps = [_step(line.offset, run[i + 1].offset, 16)]
        if set(line.offset + run[i + 1].offset) <= _OCTAL:
            steps.append(_step(line.offset, run[i + 1].offset, 8))
        fitting = [s for s in steps if 0 < s <= shown[i]]
        counts.append(fitting[0] if fitting else shown[i])
    widest = max(counts, default=_MAX_LINE_BYTES)
    counts.append(min(shown[-1], widest))
    return counts


def _step(offset: str, after: str, base: int) -> int:
    return int(after, base) - int(offset, base)


def _bytes(line: _Line, index: int, count: int, swapped: bool) -> Iterator[_Byte]:
    place = 0
    for start, end, hexed in line.groups:
        values = list(bytes.fromhex(hexed))
        order = list(range(len(values)))
        for k in order[::-1] if swapped else order:
            if place >= count:
                return
            yield values[k], start, end, index, place
            place += 1


def _bare_dumps(view: str) -> Iterator[Dump]:
    """Runs of `od -An` lines: each line's offset is where its bytes would start."""
    if _MAYBE_BARE.search(view) is None:
        return
    run: list[tuple[_Line, int]] = []
    shown = 0
    for match in _BARE.finditer(view):
        if run and match.start() != run[-1][1] + 1:
            yield from _readings(run, view) if len(run) > 1 else ()
            run, shown = [], 0
        line = _parsed(match, f"{shown:08x}", 1)
        if line is not None:
            run.append((line, match.end()))
            shown += sum(len(hexed) // 2 for _, _, hexed in line.groups)
    if len(run) > 1:
        yield from _readings(run, view)


def _char_dumps(view: str) -> Iterator[Dump]:
    """Runs of `od -c` lines, each cell one byte (its group spans the cell)."""
    if _MAYBE_CHARS.search(view) is None:
        return
    lines: list[_Line] = []
    last = -2
    for match in _CHAR_LINE.finditer(view):
        cells = _cells(match)
        if cells is None:
            continue
        if lines and match.start() != last + 1:
            yield from _char_reading(lines)
            lines = []
        lines.append(_Line(match[1], cells, (match.end(), match.end())))
        last = match.end()
    yield from _char_reading(lines)


def _char_reading(lines: list[_Line]) -> Iterator[Dump]:
    counts = [len(line.groups) for line in lines]
    if sum(counts) >= 4:
        yield Dump(lines, counts, swapped=False)


def _cells(match: re.Match[str]) -> list[tuple[int, int, str]] | None:
    """The bytes of an `od -c` line's cells (four characters wide, else three), each
    as (start, end, hex); None when a cell is no `od -c` cell."""
    rest, base = match[2], match.start(2)
    for width in (4, 3):
        steps = range(0, len(rest), width)
        cells = [_cell(rest[at : at + width], base + at, width) for at in steps]
        if cells and all(cell is not None for cell in cells):
            return [cell for cell in cells if cell is not None]
    return None


def _cell(cell: str, at: int, width: int) -> tuple[int, int, str] | None:
    shown = cell.lstrip(" ")
    if len(cell) != width and shown:
        return None  # a short cell is only a space cut off at the line's end
    if not shown:
        value: int | None = 0x20
    elif len(shown) == 1:
        value = ord(shown) if "!" <= shown <= "~" else None
    elif len(shown) == 3 and set(shown) <= _OCTAL:
        value = int(shown, 8) if int(shown, 8) < 256 else None
    else:
        value = _ESCAPED.get(shown)
    return None if value is None else (at, at + len(cell), f"{value:02x}")


def _binary_dumps(view: str) -> Iterator[Dump]:
    """Runs of `xxd -b` lines, each group one byte; the text column is the line's last
    characters, one a byte (`xxd -b -c 6` cuts a secret into six-character pieces, each
    too short to be one, which a reader joins)."""
    if _MAYBE_BINARY.search(view) is None:
        return
    lines: list[_Line] = []
    last = -2
    for match in _BINARY_LINE.finditer(view):
        if lines and match.start() != last + 1:
            yield from _char_reading(lines)
            lines = []
        lines.append(_binary_line(match))
        last = match.end()
    yield from _char_reading(lines)


def _binary_line(match: re.Match[str]) -> _Line:
    groups: list[tuple[int, int, str]] = []
    for bits in re.finditer(r"[01]{8}", match.string[: match.end(2)]):
        if bits.start() >= match.start(2):
            groups.append((bits.start(), bits.end(), f"{int(bits[0], 2):02x}"))
    end = match.end()
    # The column is as wide as the line's bytes (after xxd's padding): else fail closed.
    width = len(groups) if len(match[3]) >= len(groups) else 0
    return _Line(match[1], groups, (end - width, end))
