"""Text carried as hex: found, decoded, and encoded back once masked.

PostgREST answers a `bytea` column as `"\\x5061746965…"`, `xxd -p` and many logs
write bytes as a run of hex digits; any reader undoes it in one line. A run of hex
digits long enough to carry a name (`MIN_RUN`, whole bytes) that decodes to text is
that text to the masker, read as base64 text is (`_base64_text.content`: a charset,
a stray unprintable character, compressed bytes) and written back as hex in the
case it was written in. A run that decodes to bytes that are no text (a SHA-256 or
MD5 digest, a UUID's digits, a key id) is left as it is: random bytes are no UTF-8
and no letters.
"""

from __future__ import annotations

from typing import NamedTuple

import re2

from phigate.masking._base64_text import content
from phigate.masking._packed_text import TooBig, packed

# 16 digits are 8 bytes: "Maria Ga" fits; a shorter run holds no name.
MIN_RUN = 16
_RUN = re2.compile(f"[0-9A-Fa-f]{{{MIN_RUN},}}")


class HexRun(NamedTuple):
    """A hex run of a text: its span, the text it decodes to, how it was written."""

    start: int
    end: int
    text: str
    upper: bool
    charset: str = "utf-8"
    packed: str = ""
    withheld: bool = False


def runs(text: str) -> list[HexRun]:
    """The runs of `text` that decode to text."""
    found: list[HexRun] = []
    for match in _RUN.finditer(text):
        run = _decoded(match.group(), match.start())
        if run is not None:
            found.append(run)
    return found


def encoded(run: HexRun, text: str) -> str:
    """`text` written as `run` was: hex, in its case, compressed if it was."""
    errors = "surrogatepass" if run.charset == "utf-8" else "replace"
    raw = text.encode(run.charset, errors)
    if run.packed:
        raw = packed(raw, run.packed)
    return raw.hex().upper() if run.upper else raw.hex()


def _decoded(written: str, start: int) -> HexRun | None:
    # An odd run has a digit more than its bytes (a word's last letter before it, a
    # digit cut off after): both readings are tried.
    cuts = [(0, len(written))] if len(written) % 2 == 0 else [(1, len(written)), (0, -1)]
    upper = written.upper() == written and not written.isdigit()
    for first, stop in cuts:
        body = written[first:stop]
        end = start + first + len(body)
        try:
            read = content(bytes.fromhex(body))
        except TooBig:
            return HexRun(start + first, end, "", upper, withheld=True)
        if read is not None:
            return HexRun(start + first, end, read[0], upper, read[1], read[2])
    return None
