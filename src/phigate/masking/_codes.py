"""What a value of a column kept by its name (CHECKED) is, read as the detectors would.

An identifier reshaped (`706_56_7705`, `SSN706567705`, `jimmy.gaines_at_example.com`,
a zero-width space after an SSN, full-width digits) is read by no detector, so a
CHECKED value is not trusted for what the detectors fail to find in it: it passes
untouched only if it is positively a code (few digits, no PHI label, ASCII), and is
otherwise read in a canonical form: NFKC, invisible characters gone, digit groups
joined by `-` and a spelled `_at_` as `@` (docs/masking.md, "Rows").
"""

from __future__ import annotations

import unicodedata

import re2

# A code or key has at most this many digits, whatever joins them: an SSN has 9, a
# phone number 10, a card 16, a date 8, an MRN 7 or more.
MOST_DIGITS = 6
# Letters that name what follows them, or spell an e-mail's `@`: a value holding one
# is read by the detectors, however few digits it has.
LABELS = ("ssn", "mrn", "dob", "_at_")
_DIGITS = b"0123456789"
# What `canonical` may change: a value without one of these is its own canonical form
# (one C pass, where the RE2 wrapper costs microseconds a call).
_REWRITTEN = b"_.([ \t\n\r\v\f"
# `_`, `.` or whitespace between two digits: how a spreadsheet or an import joins the
# groups of an SSN, a phone or a date the detectors know joined by `-`. RE2 has no
# lookaround: a match takes the digits either side, so a one-digit group needs a
# second pass (`1_2_3`).
_JOINER = re2.compile(r"(\d)[_.\s](\d)")
_SPELLED_AT = re2.compile(r"(?i)_at_|\(at\)|\[at\]")
# Digit groups joined by single separators: one number as far as a reader goes.
_DIGIT_RUN = re2.compile(r"\d+(?:[\s_./\-]\d+)*")


def labelled(value: str) -> bool:
    """Whether a value names an identifier (`SSN…`, `mrn…`) or spells an e-mail."""
    lower = value.lower()
    return any(label in lower for label in LABELS)


def cleaned(value: str) -> str:
    """The value as it reads: NFKC (full-width digits, no-break spaces become ASCII)
    without format characters (zero-width spaces and joiners, bidi marks)."""
    if value.isascii():
        return value
    folded = unicodedata.normalize("NFKC", value)
    return "".join(c for c in folded if unicodedata.category(c) != "Cf")


def canonical(value: str) -> str:
    """A cleaned single token in the form the detectors know: digit groups joined by
    `-` (`706_56_7705` reads as `706-56-7705`), a spelled `_at_` as `@`."""
    if not _rewritable(value.encode("utf-8", "surrogatepass")):
        return value
    if "_" in value or "(" in value or "[" in value:
        value = str(_SPELLED_AT.sub("@", value))
    return str(_JOINER.sub(r"\1-\2", _JOINER.sub(r"\1-\2", value)))


def digits(value: str) -> int:
    """Digits in a cleaned value, whatever joins them (bytes methods when ASCII: this
    runs for every distinct value that is no plain code)."""
    if value.isascii():
        data = value.encode("ascii")
        return len(data) - len(data.translate(None, _DIGITS))
    return sum(c.isdigit() for c in value)


def longest_number(value: str) -> int:
    """The digits of the longest run of digit groups joined by single separators in a
    cleaned text (`706 56 7705` is 9): a number as a reader of free text sees it."""
    return max((digits(m.group()) for m in _DIGIT_RUN.finditer(value)), default=0)


def suspect(data: bytes) -> bool:
    """Whether a CHECKED column reads these bytes itself, whatever a detector said of
    them as stored: not ASCII (it may read otherwise once cleaned), more digits than
    a code has, a label, or a form the detectors know only once canonical."""
    if not data.isascii():
        return True
    if len(data) - len(data.translate(None, _DIGITS)) > MOST_DIGITS:
        return True
    text = data.decode("ascii")
    if labelled(text):
        return True
    return _rewritable(data) and bool(_JOINER.search(text) or _SPELLED_AT.search(text))


def _rewritable(data: bytes) -> bool:
    """Whether `canonical` may change a value of these bytes."""
    return len(data.translate(None, _REWRITTEN)) != len(data)
