"""Look-alikes taken back from what the patterns and labels found: the state or
province written after a town ("Austin/TX", "Montreal QC": the town is masked, the
region stays), and the build stamp of a software version or an image tag
("1.8.0+20240314.1022", "ehr-api:2024.03.14-1022"), which says when software was
built, not when anyone was seen or what their number is."""

from __future__ import annotations

import functools
import importlib

import re2

from phigate.masking import entities as e
from phigate.masking._addresses import _NATIONS, region, unaccented
from phigate.masking._fastre import Regex
from phigate.masking._span import Span

# A region's post code at a place's end, after a blank, a slash or a comma.
_REGION_TAIL = re2.compile(rb"[\s/,]+([A-Z]{2,3})$")
# A state's or province's code between a town and its postcode, inside an address.
_REGION_BEFORE_CODE = re2.compile(rb"[,\s]([A-Z]{2,3}),?\s+\d{4,5}(?:-\d{4})?\b")
_BEFORE_POSTCODE = re2.compile(rb",?\s\d{5}\b")
# A date and a time of day run together into one token ("2024.03.14-1022",
# "20240314.1022"), or what follows the "+" of a semantic version ("1.8.0+20240314"):
# build metadata, or a compact date as a version's pre-release ("3.2.1-20240314").
# A date someone was seen has a blank or a colon before its time.
_STAMP = Regex(
    rb"20\d\d(?:\.[01]\d\.[0-3]\d|-[01]\d-[0-3]\d|[01]\d[0-3]\d)[.-]\d{1,6}\b"
    rb"|\b\d{1,4}\.\d{1,4}\.\d{1,4}(?:-[0-9A-Za-z.]+)?\+[0-9A-Za-z.-]+"
    rb"|\b\d{1,4}\.\d{1,4}\.\d{1,4}-20\d\d[01]\d[0-3]\d(?:[.-]\d{1,6})?\b"
)
# Words that say whose date it is, near a stamp-shaped one: a patient's, not a build's.
_WHOSE = re2.compile(
    rb"(?i:dob|d\.o\.b|birth|born|visit|seen|admit|appt|appointment|mrn|patient|member|acct)"
)
_STAMPED = frozenset((e.DATE, e.PHONE, e.VEHICLE_ID, e.DEVICE_ID, e.ID, e.MRN))
_WINDOW = 48


def without_decoys(data: bytes, spans: list[Span]) -> list[Span]:
    """The spans with a region cut off a place's end and build stamps left out."""
    stamps = _stamps(data)
    out: list[Span] = []
    for span in spans:
        entity = span[2]
        if entity == e.LOCATION:
            if country_after_preposition(data, span[0], span[1]):
                continue
            span = _without_region(data, span)
            if span[1] > span[0]:
                out.append(span)
        elif entity == e.STREET_ADDRESS:
            out.extend(_around_region(data, span))
        elif entity == e.MRN and _http_status(data, span):
            continue
        elif not stamps or entity not in _STAMPED or not _inside(stamps, span):
            out.append(span)
    return out


# A request line's path, its last segment a word ("/chart", "/records"), then the
# status the server answered: the label pattern reads "chart 200" as a record number.
_STATUS_AFTER_PATH = re2.compile(rb"/[A-Za-z_-]+[ \t]+$")
_STATUS = re2.compile(rb"[1-5]\d\d")


def _http_status(data: bytes, span: Span) -> bool:
    """Whether an MRN found is a three-digit HTTP status right after a request's path."""
    start, end, _ = span
    if _STATUS.fullmatch(data[start:end]) is None:
        return False
    return _STATUS_AFTER_PATH.search(data[max(0, start - 40) : start]) is not None


# A country named after a bare preposition, English or transliterated Arabic ("from
# Egypt", "min al-Sudan", "fi Lubnan"): where someone came from, no address; Safe
# Harbor keeps the country.
_BEFORE_COUNTRY = re2.compile(rb"(?i:\b(?:from|in|to|of|min|fi|ila|mn)\s+(?:[ae]l-)?)$")


@functools.cache
def _countries() -> frozenset[bytes]:
    """Faker's country names (a gazetteer), lower case."""
    provider = importlib.import_module("faker.providers.address.en_US").Provider
    # the short names Faker writes long ("Syrian Arab Republic", "Libyan Arab Jamahiriya")
    short = b"syria libya iran palestine russia vietnam laos bolivia venezuela tanzania moldova"
    return frozenset(str(n).lower().encode() for n in provider.countries) | frozenset(short.split())


def country_after_preposition(data: bytes, start: int, end: int) -> bool:
    """Whether a place or a "name" is a country after a preposition ("from Jordan")."""
    name = data[start:end].lower().rstrip(b".,")
    name = name.removeprefix(b"al-").removeprefix(b"el-")
    if name not in _countries() and name.decode("utf-8", "replace") not in _NATIONS:
        return False
    return _BEFORE_COUNTRY.search(data[max(0, start - 12) : start]) is not None


def _without_region(data: bytes, span: Span) -> Span:
    """ "Austin/TX" -> "Austin", "Perth WA" -> "Perth"; a region alone is no place."""
    start, end, _ = span
    value = data[start:end]
    if value.isupper() and len(value) <= 3 and region(value.decode()):
        return span._replace(end=start)
    if _BEFORE_POSTCODE.match(data, end) and region(unaccented(value.decode("utf-8", "replace"))):
        return span._replace(end=start)  # "Jalisco 44100": the state before its postcode
    if not value[-1:].isupper():
        return span  # no code at its end: no search
    found = _REGION_TAIL.search(value)
    if found is None or not region(found.group(1).decode()):
        return span
    return span._replace(end=start + found.start())


def _around_region(data: bytes, span: Span) -> tuple[Span, ...]:
    """An address written whole, its state's code before the ZIP code left out:
    "259 Soto Canyon, Savagefurt, ME 39333" masks all but "ME"."""
    start, end, _ = span
    found = _REGION_BEFORE_CODE.search(data, start, end)
    if found is None or not region(found.group(1).decode()):
        return (span,)
    cut, resume = found.span(1)
    return span._replace(end=cut), span._replace(start=resume)


def _stamps(data: bytes) -> list[tuple[int, int]]:
    """Where the text's build stamps are (one search: most texts have none), but
    those a word of a visit or a birth stands just before."""
    found = []
    for match in _STAMP.spans(data):
        start, end = match[0]
        if _WHOSE.search(data[max(0, start - _WINDOW) : start]) is None:
            found.append((start, end))  # not "DOB: 2001.03.14-1022"
    return found


def _inside(stamps: list[tuple[int, int]], span: Span) -> bool:
    """Whether the span lies in a stamp ("+2024…" found as a phone starts one early)."""
    start, end, _ = span
    return any(s <= start + 1 and end <= t for s, t in stamps)
