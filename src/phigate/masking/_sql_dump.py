"""Which column of a SQL dump a value stands in: a pg_dump `COPY … FROM stdin` block's
tab-separated row, or a one-line `INSERT INTO t (cols) VALUES (…)`.

Only the reading is here; what a column's name means (a software table's bookkeeping
stamp) is the caller's to judge.
"""

from __future__ import annotations

import re2

# A COPY block's header: its table and its columns, the rows follow up to "\.".
_COPY_HEAD = re2.compile(rb"(?m:^COPY [^\n(]{1,128}\(([^)\n]+)\) FROM stdin;$)")
# An INSERT with its columns named, up to the value's opening of its row.
_INSERT_HEAD = re2.compile(rb"(?i:^\s*INSERT INTO [^\n(]{1,128}\(([^)\n]+)\) VALUES\s*\()")
# How far above a row its COPY header is looked for.
_BLOCK = 8192
_LINE = 4096


class Column:
    """A value's column in a dump: the table's head line and the column's name."""

    __slots__ = ("head", "name", "row", "row_end")

    def __init__(self, head: bytes, name: bytes, row: int, row_end: int) -> None:
        self.head = head
        self.name = name
        self.row = row
        self.row_end = row_end


def dump_column(data: bytes, start: int, end: int) -> Column | None:
    """The column of the dump value at data[start:end], or None if it stands in none."""
    row = data.rfind(b"\n", max(0, start - _LINE), start) + 1
    row_end = data.find(b"\n", end, end + _LINE)
    row_end = end + _LINE if row_end < 0 else row_end
    before = data[row:start]
    if b"\t" in before or data[end : end + 1] == b"\t":
        return _copy_column(data, row, before, row_end)
    insert = _INSERT_HEAD.search(before)
    if insert is None:
        return None
    names = insert.group(1).split(b",")
    index = _values_before(before[insert.end() :])
    if index is None or index >= len(names):
        return None
    return Column(insert.group(0), names[index].strip().strip(b'"'), row, row_end)


def _copy_column(data: bytes, row: int, before: bytes, row_end: int) -> Column | None:
    """The column of a COPY block's row: the header above, with no end of data ("\\.")
    or blank line between."""
    floor = max(0, row - _BLOCK)
    found = data.rfind(b"\nCOPY ", floor, row)
    head_start = found + 1 if found >= 0 else (0 if data.startswith(b"COPY ") else -1)
    if head_start < 0:
        return None
    head_end = data.find(b"\n", head_start, row)
    if head_end < 0 or data.find(b"\n\\.", head_end, row) >= 0:
        return None
    head = _COPY_HEAD.search(data[head_start:head_end])
    if head is None:
        return None
    names = head.group(1).split(b",")
    index = before.count(b"\t")
    if index >= len(names):
        return None
    return Column(head.group(0), names[index].strip().strip(b'"'), row, row_end)


def _values_before(values: bytes) -> int | None:
    """How many values of an INSERT's row come before the current one (commas outside
    quotes), or None when the current one is not a quoted value's start."""
    if not values.endswith(b"'"):
        return None
    count, quoted = 0, False
    for byte in values[:-1]:
        if byte == 0x27:  # a doubled quote inside a string toggles twice
            quoted = not quoted
        elif byte == 0x2C and not quoted:
            count += 1
    return None if quoted else count
