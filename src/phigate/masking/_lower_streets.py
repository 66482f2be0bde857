"""Street addresses written in lower case, as patients type them in a portal message:
"i live at 12 oak st apt 4", "moved to 1420 w elm street #3 in dayton oh 45402".

The capitalised street patterns (`_places`) read a street's name by its capitals; a
patient's message has none. A house number, one to three lower-case words and a
street word still make a street, unless a word between them shows a sentence instead
("2 blocks down the street", "a 45 minute drive"): the validator refuses those. The
flat, and a town with its state and ZIP code after the street, go with it.
"""

from __future__ import annotations

from phigate.masking._shapes import STATE_ABBR, PatternSpec
from phigate.masking.entities import STREET_ADDRESS

# The commonest street words only, in lower case: "dr" (a doctor), "ct" (a scan),
# "way" and "place" ("took place") read as prose too often once capitals no longer
# tell a name, and "ST" is an ECG's segment.
_SUFFIX = (
    r"street|st|avenue|ave|road|rd|lane|ln|drive|court|boulevard|blvd|terrace|circle"
    r"|parkway|pkwy|highway|hwy"
)
_FLAT = r"(?:,?\s+(?:apt|apartment|unit|suite|ste|#)\.?\s*#?\s*[a-z0-9-]{1,6}\b)?"
_TOWN_ZIP = rf"(?:,?\s+(?:in\s+)?[a-z]{{3,}}(?:\s[a-z]{{3,}})?,?\s+(?i:{STATE_ABBR})\s+\d{{5}}\b)?"
LOWER_STREET = (
    r"\b\d{1,5}[a-z]?\s+(?:(?:[nsew]\.?|north|south|east|west)\s+)?"
    rf"(?:[a-z][a-z'-]+\s+){{1,3}}(?:{_SUFFIX})\b\.?{_FLAT}{_TOWN_ZIP}"
)
# Words that make "<number> <words> street" a sentence, not an address.
_PROSE_WORDS = (
    "the a an my our his her their your this that these those of to down up on in at"
    " across from per and or by for with into over past near block blocks mile miles"
    " hour hours hr hrs min mins minute minutes day days week weeks month months year"
    " years times more other few long short mm cm mg mcg ml kg lb lbs mmhg bpm mv"
)
_PROSE = frozenset(_PROSE_WORDS.split())
_SUFFIXES = frozenset(_SUFFIX.split("|"))


def _street(value: bytes) -> bool:
    """A street, not a sentence: no word before the street word is a function word
    or a measure of distance or time."""
    words = value.decode("utf-8", "replace").lower().split()
    for word in words[1:]:
        if word.rstrip(".") in _SUFFIXES:
            return True
        if word in _PROSE:
            return False
    return True


LOWER_STREET_PATTERNS: tuple[PatternSpec, ...] = (
    PatternSpec(STREET_ADDRESS, LOWER_STREET, _street, wide=True),
)
