"""The texts a run of bytes can be read as, for the fail-closed guard of answers.

Whoever holds bytes (decoded from hex, decimal or base64: `core.byte_runs`) reads
them with one more line of code: inflated if they are compressed (gzip, zlib, raw
deflate, bzip2, xz or lzma), then decoded in the charset they look like (a byte
order mark, the zero bytes of UTF-32 or UTF-16 text in either byte order, UTF-8,
else windows-1252 or Latin-1 when that reads as letters). `views` returns every such
text, so that a guard can mask or scrub each; bytes no view reads are no text.

Inflating is capped (`MAX_INFLATED`, one `INFLATE_PIECE` a step, as the HTTP
connector decodes content-codings): bytes that inflate past the cap raise `TooBig`
and are withheld whole by the caller (a bomb of a few kilobytes costs the cap).
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable, Iterator
from typing import Protocol

from phigate.core.limits import INFLATE_PIECE as PIECE

# The most text one run is inflated to (the masker's cap for compressed text).
MAX_INFLATED = 16 * PIECE
# Text may hold one character in ten that does not print (and always one).
_ODD_SHARE = 10
_LAYOUT = str.maketrans("", "", "\t\n\r")
_LEGACY = ("cp1252", "latin-1")
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class TooBig(Exception):
    """The bytes inflate past `MAX_INFLATED`: withheld, never read in part."""


class _Inflater(Protocol):
    @property
    def eof(self) -> bool: ...

    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


def views(raw: bytes) -> list[str]:
    """Every text `raw` reads as, inflated first when it inflates; TooBig past the cap."""
    found: list[str] = []
    for inner in _unpacked(raw):
        text = as_text(inner)
        if text is not None:
            found.append(text)
    return found


def _unpacked(raw: bytes) -> Iterator[bytes]:
    """`raw` itself, and what each decompressor its header allows makes of it."""
    yield raw
    for make in _decompressors(raw):
        inner = _inflated(raw, make)
        if inner:
            yield inner


def _decompressors(raw: bytes) -> list[Callable[[], _Inflater]]:
    makers: list[Callable[[], _Inflater]] = []
    if raw[:2] == b"\x1f\x8b":
        makers.append(lambda: zlib.decompressobj(16 + zlib.MAX_WBITS))
    if len(raw) >= 2 and raw[0] & 0x0F == 8 and (raw[0] << 8 | raw[1]) % 31 == 0:
        makers.append(lambda: zlib.decompressobj(zlib.MAX_WBITS))
    if raw[:3] == b"BZh":
        makers.append(bz2.BZ2Decompressor)
    if raw[:6] == b"\xfd7zXZ\x00" or raw[:3] == b"\x5d\x00\x00":
        makers.append(lambda: lzma.LZMADecompressor(lzma.FORMAT_AUTO))
    # Raw deflate has no header (SAML's redirect binding, a zip member): always tried.
    makers.append(lambda: zlib.decompressobj(-zlib.MAX_WBITS))
    return makers


def _inflated(raw: bytes, make: Callable[[], _Inflater]) -> bytes:
    """What `raw` inflates to, a piece at a time, as far as it goes (a stream cut short
    or bytes that only look compressed read as far as they do); TooBig past the cap."""
    inflater = make()
    out: list[bytes] = []
    size = 0
    data = raw
    try:
        while True:
            piece = inflater.decompress(data, PIECE)
            # zlib hands back what it did not read; bzip2 and lzma keep it inside.
            data = getattr(inflater, "unconsumed_tail", b"")
            size += len(piece)
            if size > MAX_INFLATED:
                raise TooBig
            out.append(piece)
            if not piece or inflater.eof:
                break
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError):
        pass
    return b"".join(out)


def as_text(raw: bytes) -> str | None:
    """The text `raw` is in the first charset it reads as, or None."""
    read = read_text(raw)
    return None if read is None else read[0]


def read_text(raw: bytes) -> tuple[str, str] | None:
    """The text `raw` is and the charset it reads as (by its byte order mark, else
    UTF-32/UTF-16 by where its zero bytes fall, else UTF-8, else a legacy charset
    when that reads as letters), or None. Encoding the text back in that charset
    writes the same bytes: a UTF-16/32 mark stays in the text."""
    for charset in _charsets(raw):
        try:
            text = raw.decode(charset)
        except UnicodeDecodeError:
            continue
        if _mostly_printable(text) and (charset not in _LEGACY or _mostly_letters(text)):
            return text, charset
    return None


def _charsets(raw: bytes) -> tuple[str, ...]:
    for mark, charset in _BOMS:
        if raw.startswith(mark):
            return (charset,)
    wide = _wide_order(raw)
    return ("utf-8", *_LEGACY) if wide is None else (wide, "utf-8", *_LEGACY)


def _wide_order(raw: bytes) -> str | None:
    """UTF-32 or UTF-16 without a byte order mark: text in the ASCII range has zero
    bytes in fixed places of most units, which UTF-8 and legacy charsets never have."""
    if len(raw) >= 8 and len(raw) % 4 == 0:
        units = len(raw) // 4
        lanes = [raw[i::4].count(0) for i in range(4)]
        if min(lanes[1:]) * 4 >= units * 3 and lanes[0] * 4 < units:
            return "utf-32-le"
        if min(lanes[:3]) * 4 >= units * 3 and lanes[3] * 4 < units:
            return "utf-32-be"
    if len(raw) >= 4 and len(raw) % 2 == 0:
        pairs = len(raw) // 2
        low, high = raw[0::2].count(0), raw[1::2].count(0)
        if high * 4 >= pairs * 3 and low == 0:
            return "utf-16-le"
        if low * 4 >= pairs * 3 and high == 0:
            return "utf-16-be"
    return None


def _mostly_printable(text: str) -> bool:
    odd = sum(1 for char in text.translate(_LAYOUT) if not char.isprintable())
    return odd <= max(1, len(text) // _ODD_SHARE)


def _mostly_letters(text: str) -> bool:
    """Any bytes decode as Latin-1: only text mostly of ASCII letters, digits and
    spaces is taken for a note."""
    plain = sum(1 for char in text if char.isascii() and (char.isalnum() or char.isspace()))
    return plain * 4 >= len(text) * 3
