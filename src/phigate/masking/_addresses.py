"""The parts of an address after its street line: "12 Nguyễn Huệ, Bến Nghé, Quận 1,
Hồ Chí Minh", "4 Elm Row, Leith, Edinburgh EH7 4AA", "Hauptstraße 5, 10115 Berlin".

A street written in any language is a number beside capitalised words; what follows
it on the line, comma by comma, is the district, the town, the postcode, then the
region and the country. The patterns in `_places` know US streets and the town just
after them; an address abroad lists more parts, in orders no single pattern spells.
So this structure walks the segments after a street: each capitalised segment that
is a place is masked (`LOCATION`), each postcode in it too (`ZIP`); states and
provinces are too large to identify anyone and stay; the first segment that reads
as prose ("…, and she …") ends the walk. A country stays too, unless it closes an
address whose town or postcode was masked ("…, 10115 Berlin, Germany"): Safe
Harbor lets a country stand, but a country written as an address's last line is
part of that address, and leaving it is leaving the address half masked.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator

import re2

from phigate.masking import entities as e
from phigate.masking._fastre import Regex
from phigate.masking._places import _COUNTRIES, _place, regions
from phigate.masking._shapes import MONTH, STATE_ABBR, STATE_SET

Found = tuple[int, int, str]

_WORD = r"\p{Lu}[\p{L}'’.-]*"
_PARTICLE = r"(?:de|du|des|la|le|del|della|di|da|dos|das|do|van|von|der|den|ter|am|an|im)"
_WORDS = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{0,4}}"
# A segment's words may hold short lower-case ones: "Thành phố Hồ Chí Minh",
# "Stratford upon Avon", "Rio de Janeiro".
_SEGMENT_WORDS = rf"{_WORD}(?:\s+(?:\p{{Ll}}{{1,4}}\s+)?{_WORD}){{0,4}}"
# A street in any language: "12 Nguyễn Huệ", "4521 Oak Hollow Ln", "Hauptstraße 5",
# "Via Roma 15", "12 rue de Rivoli"; the comma after it starts the walk.
_STREET = (
    rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:(?:rue|via|calle|avenida|rua|chemin|place|av\.)\s+)?"
    rf"(?:{_PARTICLE}\s+)?{_WORDS}"
    rf"|\b(?:{_WORD}\s+){{0,3}}\p{{Lu}}\p{{Ll}}[\p{{L}}'’.-]{{2,}}\s+\d{{1,5}}[a-z]?"
    r"(?:/\d{1,4}[a-z]?)?\b"  # a flat after a slash: "Marszałkowska 84/92"
)
CUE = r",[ \t]*[\p{Lu}\d]"  # the comma after the street (`Structure.cue`)
TRIGGER = rf"(?:{_STREET}){CUE}"
_START = Regex(rf"(?:{_STREET})(,)[ \t]*[\p{{Lu}}\d]".encode())
# One segment: an optional postcode, capitalised words, an optional postcode.
_POSTCODE = (
    r"(?:[A-Z]{1,2}-)?\d{3,6}(?:-\d{3,4})?|\d{2}-\d{3}|\d{3} \d{2}|\d{4} ?[A-Z]{2}"
    r"|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d"
)
_SEGMENT = Regex(
    rf"^\s*(?:({_POSTCODE})\s+)?({_SEGMENT_WORDS}(?:\s+\d{{1,2}}\b)?)?"
    rf"(?:,?\s+({_POSTCODE}))?"
    # the country in brackets after the town: "10115 Berlin (Germany)"
    rf"(?:\s+\(\p{{Lu}}[\p{{L}} .]{{1,30}}\))?\s*$".encode()
)
_NATIONS = frozenset(w.lower() for w in _COUNTRIES.split("|")) | frozenset(
    ("usa", "u.s.a.", "united states", "united states of america", "viet nam", "việt nam")
)


@functools.cache
def _large() -> frozenset[str]:
    """States, provinces and nations in lower case: too large to identify anyone."""
    return frozenset(w.lower() for w in STATE_SET) | regions() | _NATIONS | {"us"}


_STATE_CODES = frozenset(STATE_ABBR.split("|"))
# Canada's provinces and Australia's states, as their posts abbreviate them.
_REGION_CODES = frozenset(
    [
        "AB",
        "BC",
        "MB",
        "NB",
        "NL",
        "NS",
        "NT",
        "NU",
        "ON",
        "PE",
        "QC",
        "SK",
        "YT",
        "NSW",
        "VIC",
        "QLD",
        "TAS",
        "ACT",
        "SA",
    ]
)
_COUNTRY = "country"  # a segment's marker: a country, masked only after a masked part
_MAX_SEGMENTS = 5
# A number and a month is a date ("12 March, Smith reported"); these words end a
# segment as a part of a building, not a place.
_MONTH = re2.compile(rf"^\d{{1,2}}\s+{MONTH}\b".encode())
_BUILDING = frozenset(
    ("campus", "building", "bldg", "wing", "tower", "pavilion", "room", "suite", "floor",
     "level", "unit", "bed", "bay", "annex", "clinic", "center", "centre", "hospital")
)  # fmt: skip


def region(text: str) -> bool:
    """A state, a province or a country, by name or by its post's code ("Bayern",
    "ON", "NSW", "Île-de-France" aside): too large to identify anyone."""
    return text.lower() in _large() or text in _STATE_CODES or text in _REGION_CODES


def unaccented(text: str) -> str:
    """The text without its accents ("México" -> "Mexico"), as the gazetteers write it."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def region_or_nation(text: str) -> bool:
    """A region (see `region`) or a country's name."""
    return region(text) or text.lower() in _NATIONS


def address_parts(data: bytes) -> Iterator[Found]:
    """Towns, districts and postcodes in the segments after each street on its line."""
    for found in _START.spans(data):
        pos = found[1][0]  # the comma after the street
        if _MONTH.search(data[found[0][0] : pos]) is not None:
            continue
        line_end = data.find(b"\n", pos)
        line_end = len(data) if line_end < 0 else line_end
        yield from _segments(data, pos, line_end)


def _segments(data: bytes, pos: int, line_end: int) -> Iterator[Found]:
    masked = False  # a town or postcode of this address was masked
    for _ in range(_MAX_SEGMENTS):
        if pos >= line_end or data[pos : pos + 1] != b",":
            return
        start = pos + 1
        end = _segment_end(data, start, line_end)
        parts = list(_segment(data, start, end))
        if not parts:
            return
        for part in parts:
            if part[2] == _COUNTRY:
                if masked:
                    yield part[0], part[1], e.LOCATION
            elif part[2] != "":
                masked = True
                yield part
        pos = end


def _segment_end(data: bytes, start: int, line_end: int) -> int:
    """Where a segment ends: the next comma, or a sentence's end, or the line's."""
    comma = data.find(b",", start, line_end)
    end = line_end if comma < 0 else comma
    for stop in (b". ", b"; ", b" - ", b"|", b"\t"):
        at = data.find(stop, start, end)
        if at >= 0:
            end = at
    if data[end - 1 : end] == b"." and end == line_end:
        end -= 1
    return end


def _segment(data: bytes, start: int, end: int) -> Iterator[Found]:
    """The place and postcodes of one segment; nothing when it is no part of an address
    (the walk stops), a marker with no type when it is a state or country (it goes on)."""
    found = _SEGMENT.search(data[start:end])
    if found is None:
        return
    (z1, z1_end), (v, v_end), (z2, z2_end) = (
        (s + start, t + start) if s >= 0 else (-1, -1) for s, t in found[1:4]
    )
    if v < 0 and z1 < 0:
        return
    yield from ((s, t, e.ZIP) for s, t in ((z1, z1_end), (z2, z2_end)) if s >= 0)
    if v < 0:
        return
    value = data[v:v_end]
    text = value.decode("utf-8", "replace").strip().rstrip(".")
    if text.lower() in _NATIONS:
        yield v, v_end, _COUNTRY  # masked only after a masked town or postcode
        return
    if text.lower() in _large() or text in _STATE_CODES:
        yield start, start, ""  # a state or a province: kept, the walk goes on
        return
    if text.isupper() and len(text) <= 5:
        return  # an abbreviation ("HR 88, RR 16"): a list of readings, no address
    if not _place(value) or any(w in _BUILDING for w in text.lower().split()):
        return
    yield v, _without_region(data, v, v_end), e.LOCATION


def _without_region(data: bytes, start: int, end: int) -> int:
    """Where a town ends when its state or province follows it in the same segment
    ("Springfield IL 62704", "Darwin Northern Territory 0800"): the region stays."""
    value = data[start:end]
    words = value.split()
    for n in range(min(3, len(words) - 1), 0, -1):
        tail = b" ".join(words[-n:]).decode("utf-8", "replace").rstrip(".")
        if tail in _STATE_CODES or tail in _REGION_CODES or tail.lower() in _large():
            cut = len(value)
            for word in reversed(words[-n:]):
                cut = value.rfind(word, 0, cut)
            return start + len(value[:cut].rstrip())
    return end
