"""Shapes written from public descriptions rather than from any corpus: identifiers
read out on a call the way speech-to-text writes them, OCR's look-alike characters
(O/0, l/1, S/5), institutions named in lower case. Each value must be masked whole:
a leaked prefix ("alpha bravo" before the digits) is as telling as the rest."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

WHOLE = [
    # NATO letters before numerals: the letters are the identifier's first half
    ("Caller: it's alpha bravo charlie 7 7 1 2 3 9", "alpha bravo charlie 7 7 1 2 3 9"),
    ("caller: sure, x-ray echo hotel, 4, 4, 1, 2, 9, 8", "x-ray echo hotel, 4, 4, 1, 2, 9, 8"),
    ("the member id is delta kilo 88 41 29 03", "delta kilo 88 41 29 03"),
    # a prefix in capitals, then the digits read as words
    ("caller: it's XEH four four one two nine eight seven",
     "XEH four four one two nine eight seven"),
    # a pause in the middle of the reading
    ("caller: it's zero zero four eight... uh... two one three",
     "zero zero four eight... uh... two one three"),
    ("it's four-four-one-two-nine-eight-seven", "four-four-one-two-nine-eight-seven"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), WHOLE)
def test_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    inside = range(start, start + len(value))
    leaked = [text[i] for i in inside if text[i].isalnum() and not covered[i]]
    assert not leaked, f"{''.join(leaked)!r} of {value!r} left visible"


KEPT = [
    "Mass measures 2 x 3 x 4 cm.",  # numerals and single letters alone are a measurement
    "Take 1 tab po bid x 5 days",
]


@pytest.mark.parametrize("text", KEPT)
def test_kept(safe_harbor: Masker, text: str) -> None:
    assert safe_harbor.mask_text(text).text == text
