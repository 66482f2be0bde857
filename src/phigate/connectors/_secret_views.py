"""More views of a text a held secret can stand in, for the scrubber (`_secrets`).

Each is a way a reader still gets the value whole although the text does not spell
it so:

- `without_format`: Unicode format characters (category Cf: a zero-width space, a
  soft hyphen, a word joiner) are drawn as nothing, and decoders of base64 skip
  them; the scrubber reads its view with them dropped.
- `squeezed`: a value written in groups (`pat- 9f8e 7d6c …`, `ABCD-EFGH-…`) reads
  whole to whoever drops the separators: one or two spaces or hyphens between
  groups of three characters or more are dropped (bounded: prose's spaces between
  words are dropped too, but only a whole held value is looked for there, and a
  value spaced character by character is not read so).
- `byte_arrays`: a JSON array of byte values in text (Node's `JSON.stringify` of a
  `Buffer`: `{"type":"Buffer","data":[112,97,…]}`) reads as the bytes.
- `unpacked`: base64 or hex of gzip or zlib (`gzip | base64`, a `.gz` read as hex)
  reads as its inflated text, never past the masker's cap (`_packed_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from phigate.core.escapes import Origin
from phigate.masking._packed_text import TooBig, inflated, packing

# Unicode's general category Cf (format characters), as ranges; a test checks the
# table against `unicodedata` (reading the whole code space at import costs 0.2 s).
_FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
    (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)  # fmt: skip
FORMAT = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _FORMAT_RANGES) + "]+")
# The class above is slow to scan for (its astral ranges: ten times the time): the
# common case, no format character, is answered by these two.
_FORMAT_BMP = re.compile(
    "[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _FORMAT_RANGES if high < 0x10000) + "]"
)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# One or two spaces or hyphens between two groups of three characters or more.
_SEPARATOR = re.compile(r"(?<=[^\s-]{3})[ -]{1,2}(?=[^\s-]{3})")
# A JSON array of four or more integers (each up to three digits, spaced as JSON
# writers do); items above 255 make it no byte array.
_BYTE_ARRAY = re.compile(r"\[[ \t\r\n]{0,8}(?:\d{1,3}[ \t\r\n]{0,8},[ \t\r\n]{0,8}){3,}\d{1,3}")
_NUMBER = re.compile(r"\d{1,3}")
_HEX = frozenset("0123456789abcdefABCDEF")
# What a compressed run the cap stops reads as: unreadable, so redacted whole.
TOO_BIG = "\0too-big"


def without_format(text: str) -> tuple[str, Origin | None]:
    """`text` with its format characters dropped, and where each character of it came
    from (None when there were none: the text is its own view)."""
    if text.isascii() or (_FORMAT_BMP.search(text) is None and _ASTRAL.search(text) is None):
        return text, None
    return _dropped(text, FORMAT.finditer(text))


def squeezable(value: str) -> str:
    """`value` as its squeezed view shows it: spaces and hyphens dropped."""
    return value.replace(" ", "").replace("-", "")


def squeezed(view: str, needles: list[str], then: Origin) -> tuple[str, Origin] | None:
    """`view` with separators between groups dropped, and where each of its characters
    came from in the text (`then`: where the view's came from); None unless it holds
    one of `needles` (a squeezed value)."""
    # Every separator dropped (fast, in C) holds all the exact view could: the exact
    # view is made only when a value is there.
    quick = view.replace(" ", "").replace("-", "")
    if len(quick) == len(view) or not any(needle in quick for needle in needles):
        return None
    return _dropped(view, _SEPARATOR.finditer(view), then)


def _dropped(
    text: str, matches: Iterator[re.Match[str]], then: Origin | None = None
) -> tuple[str, Origin]:
    origin = Origin(then=then)
    parts: list[str] = []
    pos = length = 0
    for match in matches:
        start, end = match.span()
        length += start - pos
        origin.add(length, start, end, 0)
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts), origin


def byte_arrays(text: str) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    """Each JSON array of byte values in `text`, read as Latin-1 text (one character a
    byte), with where each item stands in `text`."""
    if "[" not in text:
        return
    for array in _BYTE_ARRAY.finditer(text):
        items = [(m.start(), m.end()) for m in _NUMBER.finditer(text, array.start(), array.end())]
        values = [int(text[s:e]) for s, e in items]
        if max(values) <= 255:
            yield bytes(values).decode("latin-1"), items


def unpacked(run: str, raw: bytes | None) -> str | None:
    """The text of a base64 (`raw`, decoded) or hex run compressed with gzip or zlib,
    inflated; `TOO_BIG` past the cap (fail closed); None when it is neither."""
    candidates = [raw] if raw is not None else []
    if len(run) % 2 == 0 and set(run) <= _HEX:
        candidates.append(bytes.fromhex(run))
    for packed in candidates:
        how = packing(packed)
        if not how:
            continue
        try:
            text = inflated(packed, how)
        except TooBig:
            return TOO_BIG
        if text is not None:
            return text.decode("utf-8", "replace")
    return None
