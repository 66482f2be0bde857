"""PHI masked in a binary answer, as its text views read (`allow_binary`).

A binary answer goes back as base64, which the caller decodes: a note served as
`application/octet-stream`, or a text answer with one NUL in it (binary by rule), is
read whole. The bytes are read as each text they could be (`text_views`: Latin-1,
UTF-8, UTF-16 in either byte order at either alignment), the masker finds PHI in
each view, and each span is replaced in the bytes by its masked value, written in
the encoding of the view that found it. Bytes no view reads as PHI stay as they
are: an image or a PDF stream is returned unchanged unless its text says something.

A compressed answer (`application/gzip`, a zlib stream: a note or a log archive) is
text to whoever inflates it: `masked_binary` inflates it (never past the masker's
cap, `_packed_text`; past it the answer is withheld, fail closed), scrubs and masks
the inflated bytes as above, and compresses them again, so the caller still gets
what the upstream's type says (gzip without a timestamp: the same bytes each time).
"""

from __future__ import annotations

import re

from phigate.connectors._secret_bytes import replaced_in_views, text_views
from phigate.connectors._secrets import GatewaySecrets
from phigate.core.errors import NotAllowedError
from phigate.masking._packed_text import TooBig, inflated, packed, packing
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


def masked_binary(
    raw: bytes, secrets: GatewaySecrets, masker: Masker, counts: dict[str, int]
) -> bytes:
    """`raw` scrubbed of held secrets and masked for PHI as its text views read, and
    when compressed, as its inflated text reads (compressed again); NotAllowedError
    when it inflates past the cap."""
    how = packing(raw)
    try:
        text = inflated(raw, how) if how else None
    except TooBig:
        raise NotAllowedError(
            "a compressed binary response inflates past the gateway's cap and is withheld"
        ) from None
    if text is None:  # no compressed stream (or only its look): read as it is
        return mask_binary(secrets.scrub_binary(raw, counts), masker, counts)
    return packed(mask_binary(secrets.scrub_binary(text, counts), masker, counts), how)


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
