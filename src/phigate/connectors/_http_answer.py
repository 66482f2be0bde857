"""What an upstream HTTP answer is: its body read to the cap with its content-codings
undone a bounded piece at a time (`read_capped`), its kind (`content_kind`), the
charset it is read in (`as_utf8`: an allow-list, never a label that turns ASCII into
other letters) and its JSON, refused when nested deeper than any masker reads
(`read_json`). The connector (`http`) scrubs, guards and masks what this reads."""

from __future__ import annotations

import codecs
import email.message
import json
import math
import re
from typing import Any

import httpx

from phigate.connectors._http_decode import PIECE, ContentDecoder
from phigate.core.errors import NotAllowedError
from phigate.masking._json_text import DRIVER_DEPTH, nesting_depth

_TEXT_TYPES = (
    "text/",
    "application/xml",
    "application/yaml",
    "application/x-yaml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/problem+xml",
)


NOT_JSON = object()


def read_json(text: str, upstream: str) -> Any:
    """A JSON answer's value, or `NOT_JSON`. JSON nested deeper than any masker reads
    (`DRIVER_DEPTH`) is refused (403, audited) before the reader, which recurses per
    level and would end in a RecursionError: a clean refusal that names the cause."""
    deep = text.count("[") + text.count("{") > DRIVER_DEPTH  # (most answers: no scan)
    if deep and nesting_depth(text, DRIVER_DEPTH) > DRIVER_DEPTH:
        raise NotAllowedError(
            f"upstream {upstream!r} sent JSON nested more than {DRIVER_DEPTH} levels deep, "
            "which the gateway does not read"
        )
    try:
        return json.loads(text, parse_constant=str, parse_float=json_number)
    except ValueError:
        return NOT_JSON


async def read_capped(response: httpx.Response, cap: int, reach: int) -> tuple[bytes, bool]:
    """The decoded body up to `cap` bytes and `reach` past it, and whether it was over
    the cap. Read raw and decoded here a piece at a time (`ContentDecoder`): httpx
    would inflate each chunk whole, every coding in turn, before the cap is seen."""
    decoder = ContentDecoder.for_header(response.headers.get_list("content-encoding"))
    data = bytearray()
    # Compression never doubles a body: raw bytes past this that decode to less are
    # padding (empty deflate blocks), read no further and counted as over the cap.
    raw_limit, raw_read = 2 * (cap + reach) + PIECE, 0
    async for chunk in response.aiter_raw():
        decoder.feed(chunk)
        raw_read += len(chunk)
        _decoded_into(data, decoder, cap + reach)
        if len(data) > cap + reach or raw_read > raw_limit:
            break
    else:
        _decoded_into(data, decoder, cap + reach)  # what the codings still hold
        raw_read = 0
    return bytes(data[: cap + reach]), len(data) > cap or raw_read > raw_limit


def _decoded_into(data: bytearray, decoder: ContentDecoder, limit: int) -> None:
    while len(data) <= limit and (piece := decoder.take()):
        data += piece


def json_number(text: str) -> float | str:
    """A JSON number as a float, or as its own text where no float holds it: `1e400`,
    and (through `parse_constant`) the `NaN` and `Infinity` many writers emit, which
    no JSON answer can carry as a number. The text is then masked as a string is."""
    value = float(text)
    return value if math.isfinite(value) else text


def content_kind(content_type: str, raw: bytes) -> str:
    """How to treat a response body: json, text, binary or empty."""
    if not raw:
        return "empty"
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media.startswith(_TEXT_TYPES) or media.endswith("+xml"):
        return "text"
    if not media:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return "binary"
        return "text"
    return "binary"


# Byte order marks, longest first (UTF-32 LE's begins with UTF-16 LE's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _charset(content_type: str, raw: bytes) -> tuple[str, int]:
    """The encoding a text answer is written in, and its BOM's length: a byte order
    mark wins over the header (as browsers read it), then the charset the
    content-type names, else UTF-8."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name, len(bom)
    message = email.message.Message()
    message["content-type"] = content_type
    return message.get_content_charset() or "utf-8", 0


# The charsets an answer is read in: ASCII and its supersets that write ASCII as
# ASCII, so a label can never turn ASCII text into other letters (ASCII labelled
# `cp037` is accented Latin, labelled `utf-16le` CJK: text no detector reads, which
# the caller re-encodes in the answer's own charset). UTF-16 and UTF-32 in the byte
# order a mark (`_BOMS`) or the label names, unless the bytes are ASCII text.
_ASCII_CHARSETS = frozenset({"utf-8", "utf-8-sig", "ascii", "iso8859-1", "cp1252", "iso8859-15"})
_WIDE_CHARSETS = frozenset({"utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"})
# ASCII bytes labelled (or marked) UTF-16: a run this long of printable ASCII bytes is
# text written in ASCII, disguised by the label (UTF-16 of Latin text has a NUL every
# other byte; CJK text in UTF-16 holds such a run rarely, and is refused then).
_ASCII_RUN = re.compile(rb"[\t\n\r\x20-\x7e]{8}")


def _readable_codec(charset: str, body: bytes) -> str | None:
    """The codec an answer labelled `charset` is read in, or None (read as binary):
    an ASCII-compatible one of `_ASCII_CHARSETS`, or UTF-16/32 in a known byte order
    (`utf-16` without a mark names none) when the bytes are not ASCII text."""
    try:
        codec = codecs.lookup(charset).name
    except (LookupError, ValueError):  # unknown, or a name holding a NUL
        return None
    if codec in _ASCII_CHARSETS:
        return codec
    if codec in _WIDE_CHARSETS and not _ASCII_RUN.search(body):
        return codec
    return None


def as_utf8(kind: str, content_type: str, raw: bytes, cap: int) -> tuple[str, bytes, int]:
    """A text or JSON answer re-encoded as UTF-8 from the charset it is written in, so
    the masker reads its text, and where `cap` falls in it; any other kind as it is.

    A UTF-16 answer read as UTF-8 is `S\0S\0N\0…`: every detector misses and the
    agent is one `replace` away from the value; ASCII read in the charset a wrong label
    names is the same disguise the other way. So a charset off the allow-list
    (`_readable_codec`), bytes that do not decode in it, or text holding a NUL
    character (no text has one) make the answer `binary`: refused unless
    `allow_binary`. Bytes that are no UTF-8 in a UTF-8 answer are replaced, as before.

    Decoders fail in more ways than UnicodeDecodeError: `utf-16` and `utf-32` without
    a byte order mark raise a plain UnicodeError (Python does not guess the byte order,
    and neither does the gateway: the wrong guess is text no detector reads), a name
    with a NUL a ValueError. Every one makes the answer `binary`, never a crash."""
    if kind not in ("text", "json"):
        return kind, raw, cap
    charset, skip = _charset(content_type, raw)
    codec = _readable_codec(charset, raw[skip:])
    if codec is None:
        return "binary", raw, cap
    if codec == "utf-8":
        body = raw[skip:]
        return ("binary" if b"\x00" in body else kind), body, max(0, cap - skip)
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        head = decoder.decode(raw[skip:cap])
        rest = decoder.decode(raw[cap:], final=len(raw) <= cap)  # a cut may split a character
    except ValueError:  # UnicodeError and its UnicodeDecodeError are ValueErrors
        return "binary", raw, cap
    if "\x00" in head or "\x00" in rest:
        return "binary", raw, cap
    return kind, (head + rest).encode("utf-8", "replace"), len(head.encode("utf-8", "replace"))
