"""Shapes written from public descriptions rather than from any corpus: identifiers
read out on a call the way speech-to-text writes them, OCR's look-alike characters
(O/0, l/1, S/5), institutions named in lower case. Each value must be masked whole:
a leaked prefix ("alpha bravo" before the digits) is as telling as the rest."""

from __future__ import annotations

import pytest

from phigate.masking.detect import ocr_normal
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


def test_ocr_misreads_in_words_and_numbers_are_read_back() -> None:
    # OCR reads l as 1 in a word (an i keeps its dot), S as 5, and a lower-case l for
    # an I among capitals; in a number, S, B and Z between digits are digits.
    assert ocr_normal(b"Hospita1 Medica1 C1inic") == b"Hospital Medical Clinic"
    assert ocr_normal(b"HO5PITAL MEDlCAL CENTER") == b"HOSPITAL MEDICAL CENTER"
    assert ocr_normal(b"SSN 1Z3-45-67B9 ph S55-0123") == b"SSN 123-45-6789 ph 555-0123"
    # suffixes and names stay: apartment 12B, a UTC time, vitamin B12, short words
    assert ocr_normal(b"apt 12B at 10:00Z, B12 ok, Ml") == b"apt 12B at 10:00Z, B12 ok, Ml"


SCANNED = [
    ("ADMlSSION F0RM\nFacility: ST. AGNES HOSPlTAL\nD0B: O3/l4/l952", "ST. AGNES HOSPlTAL"),
    ("REG F0RM D0B O3/l4/l952\nSeen at Lakeview Medica1 Center", "Lakeview Medica1 Center"),
    ("F0RM D0B O3/l4/l952\nSSN: 1Z3-45-67B9", "1Z3-45-67B9"),
]


@pytest.mark.parametrize(("text", "value"), SCANNED)
def test_scanned_values_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    test_masked_whole(safe_harbor, text, value)


LOWER_NAMES = [
    ("thx - jake", "jake"),
    ("tell aunt rosa i said hi", "rosa"),
    ("pls remind tom abernathy about his refill", "tom abernathy"),  # unlisted surname
    ("hi its me, marisol. r u coming?", "marisol"),
    ("ok see u then, priya", "priya"),  # signed at the line's end
    ("from: tomasz wilk", "tomasz wilk"),
]


@pytest.mark.parametrize(("text", "value"), LOWER_NAMES)
def test_lower_case_names_in_messages(safe_harbor: Masker, text: str, value: str) -> None:
    test_masked_whole(safe_harbor, text, value)


@pytest.mark.parametrize(
    "text", ["take with food, water", "call back, thanks", "spoke with maria about her bp"]
)
def test_lower_case_words_after_cues_stay(safe_harbor: Masker, text: str) -> None:
    masked = safe_harbor.mask_text(text).text
    assert all(w in masked for w in ("water", "thanks", "about her bp") if w in text)


LISTED_NAMES = [
    ("Bed 12B  DE LA CRUZ, Maria  65F  PNA", "DE LA CRUZ, Maria"),
    ("Bed 18   VAN DER BERG, Pieter  77M", "VAN DER BERG, Pieter"),
    ("Bed 22   ST. JOHN, Mary 44F", "ST. JOHN, Mary"),
    ("Seen with Ann Garcia-Lopez today", "Ann Garcia-Lopez"),
]


@pytest.mark.parametrize(("text", "value"), LISTED_NAMES)
def test_particles_and_double_barrelled_surnames(
    safe_harbor: Masker, text: str, value: str
) -> None:
    test_masked_whole(safe_harbor, text, value)


def test_hyphenated_common_words_and_eponyms_stay(safe_harbor: Masker) -> None:
    text = "Follow-Up with X-Ray; Wolff-Parkinson-White on ECG; Guillain-Barré ruled out."
    assert safe_harbor.mask_text(text).text == text


FORM_LABELS = [
    ("INTAKE F0RM D0B: O3/l4/l952\nNarne: Keoni Kahananui", "Keoni Kahananui"),  # rn for m
    ("INTAKE F0RM D0B: O3/l4/l952\nOccupatlon: longshoreman", "longshoreman"),  # l for i
    ("INTAKE F0RM D0B: O3/l4/l952\nErnployer: Makani Freight", "Makani Freight"),
]


@pytest.mark.parametrize(("text", "value"), FORM_LABELS)
def test_labels_read_by_ocr(safe_harbor: Masker, text: str, value: str) -> None:
    test_masked_whole(safe_harbor, text, value)


SIGNED = [
    ("see you then.\nThanks!\nKeoni", "Keoni"),
    ("see you then.\nTake care,\nKeoni", "Keoni"),
    ("see you then.\n--\nKeoni", "Keoni"),
    ("see you then. Cheers - Keoni", "Keoni"),
    ("MRN 44 71 120 on the label", "44 71 120"),  # a record number in groups
]


@pytest.mark.parametrize(("text", "value"), SIGNED)
def test_signatures_and_grouped_numbers(safe_harbor: Masker, text: str, value: str) -> None:
    test_masked_whole(safe_harbor, text, value)


@pytest.mark.parametrize("text", ["Thanks,\nThe Team", "Thanks!\nSee you", "Regards,\nDoctor"])
def test_closings_without_a_name_stay(safe_harbor: Masker, text: str) -> None:
    assert safe_harbor.mask_text(text).text == text


def test_a_street_ends_after_its_compass_direction(safe_harbor: Masker) -> None:
    text = "Ship to 4400 Old Mill Road Northeast, Lakewood NM 87544"
    test_masked_whole(safe_harbor, text, "4400 Old Mill Road Northeast")


SPOKEN_DATES = [
    ("Caller: dob is three fourteen fifty two", "three fourteen fifty two"),
    ("Caller: born 3 14 52", "3 14 52"),
    ("Caller: birth date three slash fourteen slash fifty two",
     "three slash fourteen slash fifty two"),
    ("Caller: uh, january ninth, sixty one", "january ninth, sixty one"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), SPOKEN_DATES)
def test_birth_dates_read_out(safe_harbor: Masker, text: str, value: str) -> None:
    test_masked_whole(safe_harbor, text, value)


@pytest.mark.parametrize("text", ["she was born in 1952 and has 3 kids", "born at 32 weeks, 4 lbs"])
def test_numbers_near_birth_stay(safe_harbor: Masker, text: str) -> None:
    assert safe_harbor.mask_text(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "aspirin or tylenol",  # "ty" (thank you) inside a word closes nothing
        "plan: x-ray",  # a hyphen inside a word signs nothing
        "Happy thanksgiving",
        "run with --verbose",
    ],
)
def test_closing_words_inside_other_words_stay(safe_harbor: Masker, text: str) -> None:
    assert safe_harbor.mask_text(text).text == text
