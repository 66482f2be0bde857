"""Hex dumps of a text, read for PHI as the bytes they show.

A note dumped by `hexdump -C`, `xxd`, `od -x` or written as `xxd -i`'s C array is
read by anyone who pastes it into a decoder (or reads the text column). `masked`
reads each dump as its bytes (the layout is `core.hex_dumps`', the credential
scrubber's, shared rather than written twice), finds PHI in them (as Latin-1: one
character a byte, so a span maps back to the groups that show it) and shows every
byte of a span as `*` (`2a`): in its hex group, in the text column, in the array.
The dump keeps its layout and stays a dump; its reader reads stars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import re2

from phigate.core.hex_dumps import dumps

# Where a dump may be: a line starting with an offset and a byte, or two array items.
_MAYBE = re2.compile(
    rb"(?mi)^[0-9a-f]{4,16}(?::[ ]{1,2}|[ ]{1,3})[0-9a-f]{2}|0x[0-9a-f]{2}, ?0x[0-9a-f]{2}"
)
# `xxd -i`: `0x50, 0x61, …`, eight bytes at least (a name).
_ARRAY = re2.compile(r"0x[0-9a-fA-F]{2}(?:,[ \t\r\n]*0x[0-9a-fA-F]{2}){7,}")
_ITEM = re2.compile(r"0x([0-9a-fA-F]{2})")
_STAR = "2a"  # `*`: what a masked byte shows as

# The PHI spans (start, end, entity) of a text read as Latin-1.
Finder = Callable[[str], list[tuple[int, int, str]]]


def may_hold(data: bytes) -> bool:
    """Whether the text (UTF-8) may hold a dump: one RE2 pass."""
    return _MAYBE.search(data) is not None


def masked(text: str, find: Finder, counts: dict[str, int]) -> str:
    """`text` with the bytes of every dump in it that `find` finds PHI in shown as `*`."""
    spans = sorted(set(_carriers(text, find, counts)))
    if not spans:
        return text
    out = list(text)
    for start, end in spans:
        star = _STAR * ((end - start) // 2) if _is_hex(text[start:end]) else "*" * (end - start)
        out[start:end] = star.ljust(end - start, "*")
    return "".join(out)


def _carriers(text: str, find: Finder, counts: dict[str, int]) -> Iterator[tuple[int, int]]:
    folded = text.lower()
    if len(folded) == len(text):  # (a case that changes a length: read as written only)
        for dump in dumps(folded):
            for start, end, entity in find(dump.text):
                counts[entity] = counts.get(entity, 0) + 1
                yield from dump.carriers(start, end)
    for array in _ARRAY.finditer(text):
        items = list(_ITEM.finditer(array.group()))
        shown = bytes(int(item[1], 16) for item in items).decode("latin-1")
        for start, end, entity in find(shown):
            counts[entity] = counts.get(entity, 0) + 1
            yield from (
                (array.start() + i.start(1), array.start() + i.end(1)) for i in items[start:end]
            )


def _is_hex(part: str) -> bool:
    return len(part) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in part)
