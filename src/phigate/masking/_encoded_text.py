"""Text carried encoded inside a text: base64 runs (`_base64_text`) and hex runs
(`_hex_text`), one list in text order, each encoded back the way it was written.

Hex digits are base64 characters too: a span that reads as hex text is taken as
hex (the reading a `bytea` column's reader makes), and a base64 run over it is
not read a second time.
"""

from __future__ import annotations

from phigate.masking import _base64_text, _hex_text
from phigate.masking._base64_text import Run
from phigate.masking._hex_text import HexRun

# A run of either kind is at least this long, and `_base64_text.may_hold` sees both.
may_hold = _base64_text.may_hold
EncodedRun = Run | HexRun


def runs(text: str) -> list[EncodedRun]:
    """The base64 and hex runs of `text` that decode to text, in order, apart."""
    hexes = _hex_text.runs(text)
    if not hexes:
        return list(_base64_text.runs(text))
    kept: list[EncodedRun] = [
        run
        for run in _base64_text.runs(text)
        if not any(run.start < h.end and h.start < run.end for h in hexes)
    ]
    return sorted([*kept, *hexes], key=lambda run: run.start)


def encoded(run: EncodedRun, text: str) -> str:
    """`text` written as `run` was."""
    if isinstance(run, HexRun):
        return _hex_text.encoded(run, text)
    return _base64_text.encoded(run, text)
