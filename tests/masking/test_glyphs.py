"""Numbers read as a person reads them: format characters absent, the dash family as
`-`, other spaces as a space, every script's decimal digits as ASCII digits; the mask
covers the characters as written."""

from __future__ import annotations

import unicodedata

import pytest

from phigate.core.escapes import Origin
from phigate.masking._glyphs import as_seen, may_read_as_seen
from phigate.masking._reading import may_read_otherwise, reading
from phigate.masking.engine import Masker

SSN = "536-22-8471"


def _in_digits(text: str, zero: str) -> str:
    digits = "".join(chr(ord(zero) + i) for i in range(10))
    return text.translate(str.maketrans("0123456789", digits))


def _as_read(text: str) -> str:
    """What a person reads of a masked text: what the test checks is not shown."""
    seen = "".join(c for c in text if unicodedata.category(c) != "Cf")
    seen = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in seen)
    return "".join("-" if c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212" else c for c in seen)


# Every spelling in a sentence with no label before it (the prose path).
SPELLINGS = {
    "zero-width joiner": "536\u200d-22-8471",
    "two zero-width spaces": "536-\u200b\u200b22-8471",
    "word joiner": "536-22\u2060-8471",
    "byte order mark inside": "536-2\ufeff2-8471",
    "left-to-right marks": "536\u200e-22\u200e-8471",
    "figure dashes": "536\u201222\u20128471",
    "em dashes": "536\u201422\u20148471",
    "minus signs": "536\u221222\u22128471",
    "small hyphen-minus": "536\ufe6322\ufe638471",
    "hyphen and soft hyphen": "536\u2010\u00ad22\u20108471",
    "arabic-indic": _in_digits(SSN, "\u0660"),
    "extended arabic-indic": _in_digits(SSN, "\u06f0"),
    "devanagari": _in_digits(SSN, "\u0966"),
    "bengali": _in_digits(SSN, "\u09e6"),
    "thai": _in_digits(SSN, "\u0e50"),
    "mathematical monospace": _in_digits(SSN, "\U0001d7f6"),
    "persian digits, en dashes": _in_digits("536\u201322\u20138471", "\u06f0"),
}


@pytest.mark.parametrize("spelled", SPELLINGS.values(), ids=list(SPELLINGS))
def test_an_ssn_a_person_reads_is_masked_in_prose(safe_harbor: Masker, spelled: str) -> None:
    text = f"Spoke with her about {spelled} before lunch."
    masked = safe_harbor.mask_text(text).text
    assert masked == "Spoke with her about [SSN] before lunch.", masked


@pytest.mark.parametrize(
    ("text", "phi"),
    [
        ("Call back at (415)\u00a0555\u20110199 after five.", "555-0199"),
        ("Call back at 415\u2013555\u20130199 after five.", "555-0199"),
        ("Card 4111\u200b1111\u200b1111\u200b1111 was declined.", "1111-1111"),
        ("Seen 03\u201314\u20131980 in clinic.", "03-14"),
        (_in_digits("Call back at (415) 555-0199 after five.", "\u0660"), "555-0199"),
    ],
)
def test_other_numbers_a_person_reads_are_masked(safe_harbor: Masker, text: str, phi: str) -> None:
    masked = safe_harbor.mask_text(text).text
    assert phi.replace("-", "") not in _as_read(masked).replace("-", ""), masked


def test_the_mask_covers_the_characters_as_written(safe_harbor: Masker) -> None:
    text = "x\u200b SSN 536\u200b\u200d-22-8471\u200b, then \u0665\u0663\u0666-22-8471."
    assert safe_harbor.mask_text(text).text == "x\u200b SSN [SSN]\u200b, then [SSN]."
    starts = [start for start, _, _ in safe_harbor.spans(text)]
    assert starts == [text.index("536"), text.index("\u0665")]


def test_text_a_person_reads_as_written_is_left_alone(safe_harbor: Masker) -> None:
    """Format characters and other scripts' digits that spell no PHI stay as written."""
    text = "Emoji \U0001f469\u200d\U0001f4bb, \u0663 items, page 3\u20134, \u05e9\u05dc\u200f"
    assert safe_harbor.mask_text(text).text == text


def test_the_view_maps_each_character_back() -> None:
    text = "a\u00ad\u200bb\u20131\u0662"
    seen, origin = as_seen(text, Origin())
    assert seen == "ab-12"
    assert [origin.span(i, i + 1) for i in range(len(seen))] == [
        (0, 1),
        (3, 4),
        (4, 5),
        (5, 6),
        (6, 7),
    ]
    assert origin.span(0, 2) == (0, 4)  # what is dropped inside a span is covered by it


def test_escapes_of_unseen_characters_are_read_too() -> None:
    """A decoded escape (`&#8203;`, `%E2%80%8B`) is read as the character it is."""
    text = "SSN 536&#8203;-22%E2%80%8B-8471"
    assert may_read_otherwise(text.encode())
    read = reading(text)
    assert read is not None and read[0] == "SSN 536-22-8471"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain ASCII 536-22-8471", False),
        ("Ren\u00e9e Gon\u00e7alves", False),
        ("536\u200b", True),
        ("1\u20132", True),
        ("\u0665", True),
        ("a\u00a0b", True),
    ],
)
def test_the_cheap_test_in_front(text: str, expected: bool) -> None:
    assert may_read_as_seen(text.encode()) is expected
