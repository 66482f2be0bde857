"""Compressed bytes (gzip, zlib) inflated within a hard cap, and packed back.

A compressed attachment (`gzip` then base64: a FHIR `attachment.data`, a Helm
release) is text to whoever runs `gunzip` on it. The masker inflates it to read it,
never past `MAX_INFLATED` bytes, a bounded piece at a time as the HTTP connector's
decoder does (`core.limits.INFLATE_PIECE`): a bomb of a few kilobytes that
inflates to gigabytes costs at most the cap, and is withheld (fail closed: what
could not be read whole is not shown).
"""

from __future__ import annotations

import gzip
import zlib

from phigate.core.limits import INFLATE_PIECE as PIECE

# The most compressed text read (the masker's window: a longer note is no value).
MAX_INFLATED = 16 * PIECE
GZIP, ZLIB = "gzip", "zlib"
_WBITS = {GZIP: 16 + zlib.MAX_WBITS, ZLIB: zlib.MAX_WBITS}


class TooBig(Exception):
    """Inflates past `MAX_INFLATED`: withheld, never read in part."""


def packing(raw: bytes) -> str:
    """How `raw` is compressed by its header: gzip (magic 1f 8b), zlib (deflate and a
    header checksum), or "" when it is neither."""
    if raw[:2] == b"\x1f\x8b":
        return GZIP
    if (
        len(raw) >= 2
        and raw[0] & 0x0F == 8
        and raw[0] >> 4 <= 7
        and (raw[0] << 8 | raw[1]) % 31 == 0
    ):
        return ZLIB
    return ""


def inflated(raw: bytes, how: str) -> bytes | None:
    """`raw` inflated (gzip members one after the other), None when it does not
    inflate (bytes that only look compressed); TooBig past the cap."""
    out: list[bytes] = []
    pending = raw
    while pending:
        inflater = zlib.decompressobj(_WBITS[how])
        try:
            _inflate(inflater, pending, out)
        except zlib.error:
            # What follows a whole gzip member may be padding: gunzip reads up to it.
            if not out:
                return None
            break
        if not inflater.eof or how != GZIP:
            break  # a stream cut short (a preview) reads as far as it goes
        pending = inflater.unused_data
    return b"".join(out) if out else None


def _inflate(inflater: zlib._Decompress, data: bytes, out: list[bytes]) -> None:
    """One stream inflated into `out`, `PIECE` bytes a step; TooBig past the cap."""
    size = sum(map(len, out))
    piece = inflater.decompress(data, PIECE)
    while piece:
        size += len(piece)
        if size > MAX_INFLATED:
            raise TooBig
        out.append(piece)
        piece = inflater.decompress(inflater.unconsumed_tail, PIECE)


def packed(raw: bytes, how: str) -> bytes:
    """`raw` compressed again as it was (gzip without a timestamp: deterministic)."""
    return gzip.compress(raw, mtime=0) if how == GZIP else zlib.compress(raw)
