"""A binary body read as each text it could be (`text_views`: UTF-16 in either byte
order at either alignment, UTF-8, Latin-1), and what is found in those texts
replaced in its bytes (`replaced_in_views`)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from phigate.core.escapes import Origin as _Origin

SpansOf = Callable[[str], Iterable[tuple[int, int, str]]]


def replaced_in_views(
    raw: bytes, views: Iterable[_BinaryView], spans_of: SpansOf, marker: Callable[[str, str], str]
) -> bytes:
    """`raw` with what `spans_of` finds in any of its text `views` (`text_views`)
    replaced by `marker(name, text found)`, written in the encoding of the view that
    found it, so a UTF-16 file reads on as UTF-16 after it."""
    found: list[_ByteSpan] = []
    readings: list[_Reading] = []
    merged: list[_ByteSpan] = []
    for text, bytes_of, reading in views:
        starts = [span[0] for span in merged]
        for start, end, name in spans_of(text):
            start, end = bytes_of(start, end)
            # What a reading before found, one byte off (ASCII in UTF-16 reads the
            # same in the other byte order a byte on; Latin-1 holds both): the same
            # text. Replacing the byte more would cut into a neighbouring character.
            i = bisect.bisect_right(starts, start + 1) - 1
            if i >= 0 and merged[i][0] - 1 <= start and end <= merged[i][1] + 1:
                continue
            found.append((start, end, name, len(readings)))
        readings.append(reading)
        merged = _merged_bytes(found, readings, len(raw))
    if not merged:
        return raw
    out: list[bytes] = []
    pos = 0
    for start, end, name, rank in merged:
        codec = readings[rank].codec
        value = raw[start:end].decode(codec, "replace")
        out += [raw[pos:start], marker(name, value).encode(codec, "replace")]
        pos = end
    out.append(raw[pos:])
    return b"".join(out)


class _Reading(NamedTuple):
    """One way to read a binary body as text: the encoding (a marker in it is written
    in it too), and where its characters start: every `unit` bytes after `skip`."""

    codec: str
    skip: int = 0
    unit: int = 1


# Each UTF-16 code unit is widened to UTF-32: its two bytes go at this offset of four.
_WIDE = (("utf-16-le", "utf-32-le", 0), ("utf-16-be", "utf-32-be", 2))
_BinaryView = tuple[str, Callable[[int, int], tuple[int, int]], _Reading]


def text_views(raw: bytes, readable: re.Pattern[str], non_ascii: bool) -> Iterator[_BinaryView]:
    """Each text `raw` could be read as, with how a span of it maps to `raw`'s bytes,
    in the order their markers are preferred where two find the same bytes (ASCII in
    UTF-16 reads the same one byte off in the other byte order: the reading from the
    body's first byte is taken, as a file starts there).

    UTF-16 in both byte orders at both alignments, each code unit one character (a
    lone surrogate kept as one: widened to UTF-32, so a character is always two
    bytes), when the view could hold a form at all (`readable`); UTF-8 when `raw`
    holds a multi-byte character (an undecodable byte is one character, a surrogate
    escape) and a form is `non_ascii` (holds such a character: a form all ASCII is
    found in ASCII bytes, and those read the same in Latin-1); Latin-1, one
    character a byte, always."""
    for skip in (0, 1):
        for codec, widened, at in _WIDE:
            units = raw[skip : skip + (len(raw) - skip) // 2 * 2]
            wide = bytearray(2 * len(units))
            wide[at::4], wide[at + 1 :: 4] = units[0::2], units[1::2]
            text = wide.decode(widened, "surrogatepass")
            if readable.search(text):
                yield text, _Units(skip).span, _Reading(codec, skip, 2)
    if non_ascii and not raw.isascii():
        text = raw.decode("utf-8", "surrogateescape")
        if len(text) < len(raw):
            yield text, _utf8_origin(text).span, _Reading("utf-8")
    yield raw.decode("latin-1"), _Units(0, 1).span, _Reading("latin-1")


class _Units:
    """Where each character of a view of bytes came from: `unit` bytes, after `skip`."""

    def __init__(self, skip: int, unit: int = 2) -> None:
        self.skip, self.unit = skip, unit

    def span(self, first: int, stop: int) -> tuple[int, int]:
        return self.skip + self.unit * first, self.skip + self.unit * stop


def _utf8_origin(text: str) -> _Origin:
    """Where each character of `text` (UTF-8 decoded with surrogate escapes) came from
    in its bytes: a multi-byte character is an escape of one character."""
    origin = _Origin()
    extra = 0
    for char in _MULTIBYTE.finditer(text):
        at = char.start()
        size = len(char[0].encode())
        origin.add(at, at + extra, at + extra + size)
        extra += size - 1
    return origin


# A character UTF-8 writes in more than one byte (not a surrogate escape: one byte).
_MULTIBYTE = re.compile(r"[\u0080-\udc7f\udd00-\U0010ffff]")
_ByteSpan = tuple[int, int, str, int]  # start, end, name, the rank of the view


def _merged_bytes(found: list[_ByteSpan], readings: list[_Reading], size: int) -> list[_ByteSpan]:
    """Overlapping byte spans as one each, named after the first (longest) there and
    written in the best-ranked view's encoding among them, widened to whole
    characters of that view (a UTF-16 text read one byte off finds the same
    credential a byte earlier; the marker then keeps the text after it aligned)."""
    out: list[_ByteSpan] = []
    for start, end, name, rank in sorted(found, key=lambda s: (s[0], -s[1])):
        if out and start < out[-1][1]:
            last = out[-1]
            out[-1] = (last[0], max(end, last[1]), last[2], min(rank, last[3]))
            continue
        out.append((start, end, name, rank))
    aligned: list[_ByteSpan] = []
    for start, end, name, rank in out:
        skip, unit = readings[rank].skip, readings[rank].unit
        start = max(0, start - (start - skip) % unit)
        end = min(size, end + (skip - end) % unit)
        if aligned and start < aligned[-1][1]:
            last = aligned[-1]
            aligned[-1] = (last[0], max(end, last[1]), last[2], last[3])
        else:
            aligned.append((start, end, name, rank))
    return aligned
