"""PHI masked in a binary answer, as its text views read (`allow_binary`).

A binary answer goes back as base64, which the caller decodes: a note served as
`application/octet-stream`, or a text answer with one NUL in it (binary by rule), is
read whole. The bytes are read as each text they could be (`text_views`: Latin-1,
UTF-8, UTF-16 in either byte order at either alignment), the masker finds PHI in
each view, and each span is replaced in the bytes by its masked value, written in
the encoding of the view that found it. Bytes no view reads as PHI stay as they
are: an image or a PDF stream is returned unchanged unless its text says something.
"""

from __future__ import annotations

import re

from phigate.connectors._secrets import replaced_in_views, text_views
from phigate.masking.engine import Masker

# A UTF-16 view is read when it holds a run of text: eight printable ASCII code
# units in a row, which random bytes (an image) practically never are.
_READABLE = re.compile(r"[\t\n\r -~]{8}")
# A byte no view decodes is a lone surrogate there; to the masker it is U+FFFD, one
# character for one, so every span found maps back to the same bytes.
_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)
# A view with more than one character in ten undecodable is no text: the UTF-8 view
# of compressed or random bytes (their Latin-1 view is still read).
_NOISE = 10


def mask_binary(raw: bytes, masker: Masker, counts: dict[str, int]) -> bytes:
    """`raw` with the PHI any of its text views shows masked in place."""
    if not raw:
        return raw

    def marker(entity: str, value: str) -> str:
        counts[entity] = counts.get(entity, 0) + 1
        return masker.operators.text(entity, value, "")

    def spans(view: str) -> list[tuple[int, int, str]]:
        read = _without_surrogates(view)
        if read.count("\ufffd") * _NOISE > len(read):
            return []  # random bytes, where U+FFFD beside a letter reads as a name
        return masker.spans(read)

    return replaced_in_views(raw, text_views(raw, _READABLE, True), spans, marker)


def _without_surrogates(view: str) -> str:
    try:
        view.encode("utf-8")
    except UnicodeEncodeError:
        return view.translate(_SURROGATES)
    return view
