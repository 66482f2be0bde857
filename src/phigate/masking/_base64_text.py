"""Text carried as base64: found, decoded, and encoded back once masked.

A FHIR `attachment.data`, a `data:` URL, a JWT's payload or a token quoted in a log
hold a clinical note as base64, which any reader undoes in one line. A run of base64
characters long enough to carry a name (`MIN_RUN`) that decodes to text (UTF-8,
UTF-16 with its byte order mark or with a zero high byte in most pairs, or a legacy
charset that reads as letters; a stray unprintable character allowed) is that text
to the masker: `Masker` masks what it decodes to and, when that changed anything,
puts the masked text back in its place encoded the same way (charset, alphabet and
padding kept), so a FHIR resource stays valid and its reader reads the note masked.
A run that decodes to bytes that are no text (an image, a PDF, a digest, a word that
happens to be base64) is left as it is. Bytes compressed with gzip or zlib (a
compressed attachment) are inflated within a cap and read (`_packed_text`); the
masked text is compressed back the same way, one past the cap withheld. A run read
as its reader reads it: one cut to 4k+1 characters by its whole quads, one glued
after a word by `_` or `-` from there; one written in groups of whole quads of one
width with spaces or tabs between (which a decoder skips) read whole.
"""

from __future__ import annotations

import base64
import binascii
from typing import NamedTuple

import re2

from phigate.core.byte_views import read_text
from phigate.masking._packed_text import TooBig, inflated, packed, packing

# 16 characters are 12 bytes: "Maria Garcia" fits, and ordinary words that long
# (which rarely decode to text) are few.
MIN_RUN = 16
RUN = f"[A-Za-z0-9+/_-]{{{MIN_RUN},}}={{0,2}}"
_RUN = re2.compile(RUN)
# Base64 in groups of 4, 8, 12 or 16 with a space or a tab between (a wrapped or
# grouped attachment), 16 characters at least; a word cut from a longer one is not
# a group (the leading character). RE2: linear, however hostile the text.
_B = "A-Za-z0-9+/"
_GROUPED = "|".join(
    f"[{_B}]{{{width}}}(?:[ \t]{{1,2}}[{_B}]{{{width}}}){{{max(2, MIN_RUN // width - 1)},}}"
    for width in (4, 8, 12, 16)
)
SPACED = f"(?:^|[^{_B}=])((?:{_GROUPED})(?:[ \t]{{1,2}}[{_B}]{{1,16}})?={{0,2}})(?:$|[^{_B}=])"
_SPACED = re2.compile(SPACED)
_ANY_BYTES = re2.compile(f"{RUN}|{SPACED}".encode())


class Run(NamedTuple):
    """A base64 run of a text: its span, the text it decodes to, how it was written."""

    start: int
    end: int
    text: str
    urlsafe: bool
    padded: bool
    charset: str = "utf-8"
    packed: str = ""  # gzip or zlib: the text is compressed inside (`_packed_text`)
    withheld: bool = False  # compressed past the cap: shown as nothing


def may_hold(data: bytes) -> bool:
    """Whether the text (UTF-8) has a run long enough to be base64 text: one RE2 pass."""
    return len(data) >= MIN_RUN and _ANY_BYTES.search(data) is not None


def runs(text: str) -> list[Run]:
    """The runs of `text` that decode to text, whole or written in spaced groups."""
    found: list[Run] = []
    for match in _RUN.finditer(text):
        run = _decoded(match.group(), match.start(), match.end())
        if run is not None:
            found.append(run)
    for match in _SPACED.finditer(text):
        run = _spaced(match.group(1), match.start(1))
        if run is not None and not any(r.start < run.end and run.start < r.end for r in found):
            found.append(run)
    return sorted(found)


def _spaced(written: str, start: int) -> Run | None:
    """A run written in groups of whole quads, all of one width (the last may be
    shorter) with a space or a tab between (a decoder skips them): read whole, and
    written back whole (the groups are the reader's to redo)."""
    pieces = written.split()
    width = len(pieces[0])
    if any(len(piece) != width for piece in pieces[:-1]) or len(pieces[-1]) > width:
        return None
    run = _decoded("".join(pieces), start, start + len(written))
    return None if run is None else run._replace(end=start + len(written))


def encoded(run: Run, text: str) -> str:
    """`text` written as `run` was: the same alphabet, padded if it was."""
    errors = "surrogatepass" if run.charset == "utf-8" else "replace"
    raw = text.encode(run.charset, errors)
    if run.packed:
        raw = packed(raw, run.packed)
    out = (base64.urlsafe_b64encode(raw) if run.urlsafe else base64.b64encode(raw)).decode()
    return out if run.padded else out.rstrip("=")


def _decoded(written: str, start: int, end: int) -> Run | None:
    body = written.rstrip("=")
    if len(body) % 4 == 1:
        # A run cut at a fixed length (a preview): a lenient reader decodes its whole
        # quads, so the masker reads them too; the stray character stays as written.
        cut = _decoded(body[:-1], start, start + len(body) - 1)
        return None if cut is None else cut._replace(padded=False)
    run = _whole(written, body, start, end)
    if run is not None:
        return run
    # A run glued after a word by `_` or `-` (`note_SGVs…`): its reader splits there.
    glue = max(body.rfind("_"), body.rfind("-"))
    tail = written[glue + 1 :]
    if glue >= 0 and len(tail.rstrip("=")) >= MIN_RUN:
        return _decoded(tail, start + glue + 1, end)
    return None


def _whole(written: str, body: str, start: int, end: int) -> Run | None:
    urlsafe = "-" in body or "_" in body
    if urlsafe and ("+" in body or "/" in body):
        return None  # two alphabets at once: split by the caller
    try:
        raw = base64.b64decode(
            body + "=" * (-len(body) % 4), b"-_" if urlsafe else None, validate=True
        )
    except (binascii.Error, ValueError):
        return None
    # Unpadded only when it shows: a run of whole quads is read as padded base64.
    padded = written.endswith("=") or len(body) % 4 == 0
    try:
        read = content(raw)
    except TooBig:
        return Run(start, end, "", urlsafe, padded, withheld=True)
    if read is None:
        return None  # bytes that are no text: an image, a digest, random bytes
    return Run(start, end, read[0], urlsafe, padded, read[1], read[2])


def content(raw: bytes) -> tuple[str, str, str] | None:
    """The text `raw` holds, its charset and how it is compressed ("" when it is
    not): compressed bytes are inflated first (TooBig past the cap)."""
    how = packing(raw)
    if how:
        inner = inflated(raw, how)
        if inner is not None:
            read = read_text(inner)
            return None if read is None else (*read, how)
    read = read_text(raw)
    return None if read is None else (*read, "")
