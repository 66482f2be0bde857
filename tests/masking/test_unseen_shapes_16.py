"""Shapes written here (round 16): streets a patient types in lower case in a portal
message ("i live at 12 oak st apt 4"), a lower-case name after "my name is", and a
trial subject's initials under their label on a case report form. Each value must be
masked; prose with a number before a street word, an ECG's ST segment, and a word
after "name is" that is no name, stay."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

MASKED = [
    ("i live at 12 oak st apt 4 now, since march", "12 oak st apt 4"),
    ("my new address is 88 maple ave apt 2b thx", "88 maple ave apt 2b"),
    ("pls mail it to 1420 w elm street #3 in dayton oh 45402 :)", "1420 w elm street #3"),
    ("pls mail it to 1420 w elm street #3 in dayton oh 45402 :)", "dayton oh 45402"),
    ("we moved!! 5 cedar hollow road, same phone", "5 cedar hollow road"),
    ("Subject Initials: ABK     Visit: 2", "ABK"),
    ("Initials: J-K-M   Site: 104", "J-K-M"),
    ("pt_initials=RTQ\n", "RTQ"),
    # "name is" after "name": the cue that extends another is the one read
    ("hi, my name is jenny walsh and i need a refill", "jenny walsh"),
    ("his name's tomasz wilk, he is my dad", "tomasz wilk"),
    ("the patient is maria lopez, she is 44", "maria lopez"),
]


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not "".join(leaked).strip(), f"{''.join(leaked)!r} of {value!r} left visible"


KEPT = [
    # a number before a street word in a sentence is a count, not a house
    ("she walked 2 blocks down the street and fell", "2 blocks down the street"),
    ("it is a 45 minute drive to the clinic", "45 minute drive"),
    ("lives 3 miles up the road from us", "3 miles up the road"),
    # an ECG's segment and a scan are no street words
    ("1 mm st depression in v4", "1 mm st"),
    ("had 2 head ct scans last year", "2 head ct"),
    ("my name is not important here", "not important"),
    ("the patient is stable overnight", "stable"),
]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    assert not any(covered[start : start + len(value)]), value


def _covered(masker: Masker, text: str) -> bytearray:
    covered = bytearray(len(text))
    for s, e, _ in masker.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    return covered
