"""Text carried as base64: found, decoded, and encoded back once masked.

A FHIR `attachment.data`, a `data:` URL, a JWT's payload or a token quoted in a log
hold a clinical note as base64, which any reader undoes in one line. A run of base64
characters long enough to carry a name (`MIN_RUN`) that decodes to UTF-8 text is
that text to the masker: `Masker` masks what it decodes to and, when that changed
anything, puts the masked text back in its place encoded the same way (alphabet and
padding kept), so a FHIR resource stays valid and its reader reads the note masked.
A run that decodes to bytes that are no text (an image, a PDF, a digest, a word that
happens to be base64) is left as it is.
"""

from __future__ import annotations

import base64
import binascii
from typing import NamedTuple

import re2

# 16 characters are 12 bytes: "Maria Garcia" fits, and ordinary words that long
# (which rarely decode to text) are few.
MIN_RUN = 16
RUN = f"[A-Za-z0-9+/_-]{{{MIN_RUN},}}={{0,2}}"
_RUN = re2.compile(RUN)
_RUN_BYTES = re2.compile(RUN.encode())
# What text holds besides printable characters.
_LAYOUT = str.maketrans("", "", "\t\n\r")


class Run(NamedTuple):
    """A base64 run of a text: its span, the text it decodes to, how it was written."""

    start: int
    end: int
    text: str
    urlsafe: bool
    padded: bool


def may_hold(data: bytes) -> bool:
    """Whether the text (UTF-8) has a run long enough to be base64 text: one RE2 pass."""
    return len(data) >= MIN_RUN and _RUN_BYTES.search(data) is not None


def runs(text: str) -> list[Run]:
    """The runs of `text` that decode to text."""
    found: list[Run] = []
    for match in _RUN.finditer(text):
        run = _decoded(match.group(), match.start(), match.end())
        if run is not None:
            found.append(run)
    return found


def encoded(run: Run, text: str) -> str:
    """`text` written as `run` was: the same alphabet, padded if it was."""
    raw = text.encode("utf-8", "surrogatepass")
    out = (base64.urlsafe_b64encode(raw) if run.urlsafe else base64.b64encode(raw)).decode()
    return out if run.padded else out.rstrip("=")


def _decoded(written: str, start: int, end: int) -> Run | None:
    body = written.rstrip("=")
    urlsafe = "-" in body or "_" in body
    if len(body) % 4 == 1 or (urlsafe and ("+" in body or "/" in body)):
        return None  # no base64 (or two alphabets at once)
    try:
        raw = base64.b64decode(
            body + "=" * (-len(body) % 4), b"-_" if urlsafe else None, validate=True
        )
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not text.translate(_LAYOUT).isprintable():
        return None  # bytes that are no text: an image, a digest, random bytes
    # Unpadded only when it shows: a run of whole quads is read as padded base64.
    return Run(start, end, text, urlsafe, written.endswith("=") or len(body) % 4 == 0)
