"""What a value of a CHECKED column (one its name keeps: `status`, `*_id`, `*_code`)
is: a plain code that passes, or text or an identifier to mask (`read_checked`)."""

from __future__ import annotations

import uuid

from phigate.masking._codes import (
    MOST_DIGITS,
    canonical,
    cleaned,
    dated,
    digits,
    labelled,
    month_date,
    suspect,
)
from phigate.masking._hints import TEXT
from phigate.masking.entities import ID, LOCATION, PERSON, PROFESSION, ZIP
from phigate.masking.value_masker import ValueMasker

DATE_ENTITY = "DATE"
# What reads as one of these as a whole is a code or a word here, not a person's.
_CODE_LIKE = frozenset((ID, ZIP, PERSON, LOCATION, PROFESSION))


def plain(value: str) -> bool:
    """Whether a value is positively a code, a number or an enum word, ASCII: letters
    and `_` (up to 40, no spelled `_at_`), up to 6 letters and digits, or `E11.9`-like
    (up to 4, a dot, up to 4, at most 6 digits), and no month named next to digits
    (`Mar14`, `Dec.10` are dates). Few digits is what makes it one: an SSN has 9, a
    date 8 (`1980.0314`), an MRN 7 or more; 6 characters hold no label and an
    identifier both. String methods (a regular expression only for letters and digits
    mixed): this runs for every value of a CHECKED column."""
    if not value.isascii() or len(value) > 40:
        return False
    if len(value) <= 6 and value.isalnum():
        return value.isalpha() or value.isdigit() or not month_date(value)
    if value.replace("_", "").isalpha():
        return "_" not in value or not labelled(value)
    head, dot, tail = value.partition(".")
    return (
        bool(dot)
        and 0 < len(head) <= 4
        and 0 < len(tail) <= 4
        and (head + tail).isalnum()
        and digits(value) <= MOST_DIGITS
        and not month_date(value)
    )


def _is_uuid(value: str) -> bool:
    """Whether a token is a UUID as written (`3f2504e0-4f89-…`): a key that must join."""
    if len(value) != 36 or value.count("-") != 4:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def long_number(data: bytes) -> bool:
    """Whether a CHECKED column must read these bytes itself, whatever the detectors
    found in them as stored (`_codes.suspect`): the wire's quiet path trusts no other."""
    return suspect(data)


def read_checked(masker: ValueMasker, value: str) -> str | None:
    """What a CHECKED value that is no plain code is: TEXT (several words), the
    entity it is masked whole as, or None (it passes)."""
    token = cleaned(value)
    if len(token.split(None, 1)) > 1:  # Unicode whitespace, once NFKC has run
        return TEXT
    entity = masker.classify_value(canonical(token))
    if entity is not None and entity not in _CODE_LIKE:
        return entity
    if _is_uuid(token):
        return None
    if dated(token):
        return DATE_ENTITY  # `Mar14-1980`, `14.III.1980`, `80/3/14`: no code is a date
    if entity == ZIP or digits(token) <= MOST_DIGITS:
        return None
    return ID
