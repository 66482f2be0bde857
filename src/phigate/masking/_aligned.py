"""Tables aligned with blanks (a pharmacy's fill log, a lab report, a report printed in
fixed-width columns): a cell is read under the header whose column it starts in.

A header is a line of three cells or more, each a few words, set apart by two blanks
or more; the rows under it (to the first blank line) are cut where the header's
columns start. A cell under a header that names an identifier ("RX#", "PATIENT",
"ZIP", "Occupation") is that identifier, as a CSV column under the same header is.
"""

from __future__ import annotations

from collections.abc import Iterator

import re2

from phigate.masking._fastre import Regex
from phigate.masking._structure import Found, classify_label, value_ok

_WORD = r"[A-Za-z#][A-Za-z0-9_#./()%'-]*"
_CELL = rf"{_WORD}(?: [A-Za-z0-9_#./()%'-]+){{0,3}}"
# The header and the first character of the row under it.
TRIGGER = rf"(?m:^ {{0,8}}{_CELL}(?: {{2,}}{_CELL}){{2,}} *\r?\n *\S)"
_HEADER = Regex(TRIGGER.encode())
# Cells of a line: runs of text whose words are one blank apart.
_RUN = re2.compile(r"\S+(?: \S+)*")
_RULE = re2.compile(r"[ \t]*[-=+| \t]*[-=][-=+| \t]*")
_MAX_ROWS = 500
# Each cell is placed among the header's columns: a bound on them keeps a row's
# reading linear in its length (a printed table has a few dozen at most).
_MAX_COLUMNS = 40


def aligned_values(data: bytes) -> Iterator[Found]:
    done = 0
    for found in _HEADER.spans(data):
        start = found[0][0]
        if start < done:
            continue  # a line of a table read already
        end = data.find(b"\n", start)
        header = data[start:end].rstrip(b"\r").decode("utf-8", "replace")
        heads = [(m.start(), m.group()) for m in _RUN.finditer(header)]
        columns = [classify_label(text) for _, text in heads]
        done = _table_end(data, end + 1)
        if any(columns) and len(heads) <= _MAX_COLUMNS:
            starts = [s for s, _ in heads]
            for pos, line in _rows(data, end + 1, done):
                yield from _row_cells(line, pos, starts, columns)


def _table_end(data: bytes, pos: int) -> int:
    """Where the table under a header ends: at its first blank line (or after
    `_MAX_ROWS` rows, so that a long report is read in tables of bounded size)."""
    for _ in range(_MAX_ROWS):
        if pos >= len(data):
            return len(data)
        line_end = data.find(b"\n", pos)
        line_end = len(data) if line_end < 0 else line_end
        if not data[pos:line_end].strip():
            return pos
        pos = line_end + 1
    return pos


def _rows(data: bytes, pos: int, end: int) -> Iterator[tuple[int, str]]:
    while pos < end:
        line_end = data.find(b"\n", pos)
        line_end = end if line_end < 0 or line_end > end else line_end
        line = data[pos:line_end].rstrip(b"\r").decode("utf-8", "replace")
        if _RULE.fullmatch(line) is None:
            yield pos, line
        pos = line_end + 1


def _row_cells(
    line: str, pos: int, starts: list[int], columns: list[str | None]
) -> Iterator[Found]:
    """The cells of one row under the header's columns, as byte spans of the text."""
    for first, last in _pieces(line, starts):
        entity = columns[_column(starts, first)]
        value = line[first:last]
        whole = first < 2 or line[first - 2] == " "  # not cut from a longer run of words
        if entity is None or not value_ok(entity, value.encode(), whole=whole):
            continue
        begin = pos + len(line[:first].encode())
        yield begin, begin + len(value.encode()), entity


def _pieces(line: str, starts: list[int]) -> Iterator[tuple[int, int]]:
    """The runs of a row, each cut again where a column starts after a blank (a value
    that fills its column leaves one blank before the next: "K. Abernathy BA1234563")."""
    for run in _RUN.finditer(line):
        first = run.start()
        for cut in starts:
            if first < cut < run.end() and line[cut - 1] == " ":
                yield first, cut - 1
                first = cut
        yield first, run.end()


def _column(starts: list[int], first: int) -> int:
    """The column a cell starting at `first` lies in: the last one starting at or
    before it (one character of slack for a value right-aligned under its header)."""
    column = 0
    for i, start in enumerate(starts):
        if start <= first + 1:
            column = i
    return column
