"""What a value of a column kept by its name (CHECKED) is, read as the detectors would.

An identifier reshaped (`706_56_7705`, `SSN706567705`, `jimmy.gaines_at_example.com`,
a zero-width space after an SSN, full-width digits) is read by no detector, so a
CHECKED value is not trusted for what the detectors fail to find in it: it passes
untouched only if it is positively a code (few digits, no PHI label, ASCII), and is
otherwise read in a canonical form: NFKC, invisible characters gone, digit groups
joined by `-` and a spelled `_at_` as `@` (docs/masking.md, "Rows").

A code is clearly one or it is not: free text keeps what the note detectors leave of
it only while that holds 6 digits or fewer in all, however they are spaced or joined
(`SSN 706 - 56 - 7705`, `706 / 56 / 7705`), and a month named next to digits, in any
order and case (`Mar14-1980`, `1980-Mar-14`, `14Mar80`), is a date, not a code.
"""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
import urllib.parse

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
_REWRITTEN = b"_.([ \t\n\r\v\f%&:"
# `_`, `.` or whitespace between two digits: how a spreadsheet or an import joins the
# groups of an SSN, a phone or a date the detectors know joined by `-`. RE2 has no
# lookaround: a match takes the digits either side, so a one-digit group needs a
# second pass (`1_2_3`).
_JOINER = re2.compile(r"(\d)[_.\s](\d)")
# `@` and `.` as people write an address so that nothing links it ("defanged"), and a
# URL scheme before it (`mailto:`, `http://`): undone before the detectors read it.
_SPELLED_AT = re2.compile(r"(?i)_at_|-at-|[(\[{]at[)\]}]")
_SPELLED_DOT = re2.compile(r"(?i)[(\[{](?:dot|\.)[)\]}]")
_SCHEME = re2.compile(r"^[A-Za-z][A-Za-z0-9+.-]{0,15}:(?://)?")
# A month as the date detectors know it (phigate.masking._shapes.MONTH), any case,
# glued to digits or joined to them by dashes of any kind, slashes, dots, commas or
# whitespace, on either side: `Mar14-1980`, `1980-Mar-14`, `14thMar80`, `MAR2024`,
# `1980 / Mar / 14`. No letter may touch the name (`Decimal1`, `SEPSIS1` are none).
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november"
    "|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_JOINED = r"[\p{Pd}\x{2212}/._,'\s]*"
# Month names and abbreviations of the languages European forms are most often in
# (German, French, Spanish, Italian, Portuguese, Dutch; from the Unicode CLDR's
# "wide" and "abbreviated" format months), beyond the English ones above. Left out:
# abbreviations that are English words or usual code prefixes (Italian `gen`, `mag`,
# `set`, Portuguese `out`): `OUT-2` and `Mag 2.1` are no dates.
_FOREIGN_MONTHS = (
    "januar|jänner|jän|februar|feber|märz|mär|mrz|mai|juni|juli|oktober|okt|dezember|dez"
    "|janvier|janv|février|févr|fevrier|fevr|mars|avril|avr|juin|juillet|juil|août|aout"
    "|septembre|octobre|novembre|décembre|déc"
    "|enero|ene|febrero|marzo|abril|abr|mayo|junio|julio|agosto|ago|septiembre|setiembre"
    "|octubre|noviembre|diciembre|dic"
    "|gennaio|febbraio|aprile|maggio|giugno|giu|luglio|lug|settembre|ottobre|ott|dicembre"
    "|janeiro|fevereiro|fev|março|maio|junho|julho|setembro|outubro|novembro|dezembro"
    "|januari|februari|maart|mrt|mei|augustus"
)
_ANY_MONTH = f"{_FOREIGN_MONTHS}|{_MONTHS}"
# A number in English words, as a date is spelled (`fourteenth-March-nineteen-eighty`).
_NUMBER_WORDS = (
    "(?:twenty|thirty)[- ]?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
    "|one|two|three|four|five|six|seven|eight|nine)"
    "|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    "|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
    "|twentieth|thirtieth|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    "|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty"
    "|two thousand"
)
_SPELLED_DATE = re2.compile(
    rf"(?i)(?:^|[^\pL])(?:{_NUMBER_WORDS}){_JOINED}(?:of{_JOINED})?(?:{_ANY_MONTH})(?:[^\pL]|$)"
    rf"|(?:^|[^\pL])(?:{_ANY_MONTH})\.?{_JOINED}(?:the{_JOINED})?(?:{_NUMBER_WORDS})(?:[^\pL]|$)"
)
# A Roman-numeral month between a day and a year (`14.III.1980`, Polish and Romanian
# forms), the CJK year, month and day markers after numbers (`昭和55年3月14日`, once NFKC
# has made the digits ASCII), and three numbers joined by one separator (`80/3/14`,
# checked by `_calendar_date`).
_ROMAN = "XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I"
_OTHER_DATE = re2.compile(
    rf"(?:^|[^\w.])\d{{1,2}}(?:\.(?:{_ROMAN})\.|-(?:{_ROMAN})-|/(?:{_ROMAN})/|\s(?:{_ROMAN})\s)"
    r"\d{2,4}(?:[^\w.]|$)"
    r"|\d年\d{1,2}月|\d月\d{1,2}日"
)
_THREE_NUMBERS = re2.compile(
    r"(?:^|[^\w.])(\d{1,4})(?:/(\d{1,2})/|\.(\d{1,2})\.|-(\d{1,2})-)(\d{1,4})(?:[^\w.]|$)"
)
# Bytes that are no letter: what is left of an ASCII value without them is its letters,
# and a month's name begins with one of these three (a set lookup or two, where the
# RE2 wrapper costs microseconds a call: `CLM-000123` is no date).
_NO_LETTER = bytes(c for c in range(128) if not chr(c).isalpha())
_MONTH_STARTS = frozenset(
    m[:3].encode() for m in _ANY_MONTH.split("|") if m.isascii() and m[:3].isalpha()
)
_MONTH_DATE = re2.compile(
    rf"(?i)(?:^|[^\pL])(?:{_ANY_MONTH})\.?{_JOINED}\d"
    rf"|\d(?:st|nd|rd|th)?{_JOINED}(?:{_ANY_MONTH})(?:[^\pL]|$)"
)
# A keyed pseudonym (`PERSON_3fa2c0d19b77`, phigate.masking.operators): what the note
# detectors put in place of what they found, not digits of the value.
_PSEUDONYM = re2.compile(r"\b[A-Z][A-Z0-9_]*_[0-9a-f]{12}\b")


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
    value = _unescaped(value)
    if "_" in value or "(" in value or "[" in value or "{" in value or "-" in value:
        value = str(_SPELLED_DOT.sub(".", str(_SPELLED_AT.sub("@", value))))
    return str(_JOINER.sub(r"\1-\2", _JOINER.sub(r"\1-\2", value)))


def _unescaped(value: str) -> str:
    """The value with the escapes it may be stored in undone (percent-encoding as a URL
    writes it, HTML character references, twice over at most) and a URL scheme before
    it gone: `mailto:jimmy.gaines%40example.com` reads as the address."""
    for _ in range(2):
        before = value
        if "%" in value:
            value = urllib.parse.unquote(value)
        if "&" in value:
            value = html.unescape(value)
        if value == before:
            break
    if ":" in value:
        value = str(_SCHEME.sub("", value))
    return value


def digits(value: str) -> int:
    """Digits in a cleaned value, whatever joins them (bytes methods when ASCII: this
    runs for every distinct value that is no plain code). Beyond ASCII a digit is any
    character with a numeric value: the decimal digits of every script, and the
    numerals a Chinese or Japanese form writes a number in (`七〇六`), which are
    numeric but no decimal digits and which NFKC leaves as they are."""
    if value.isascii():
        data = value.encode("ascii")
        return len(data) - len(data.translate(None, _DIGITS))
    return sum(c.isnumeric() for c in value)


def digits_left(scanned: str, text: str) -> int:
    """The digits the note detectors left of `text` in `scanned`, in all: spaces,
    dashes, slashes or words between them (`706 / 56 / 7705`, `SSN 706 - 56 - 7705`)
    do not make a number shorter. Pseudonyms they wrote in are not counted (a year
    they kept is); one written in the text as stored is."""
    count = digits(scanned)
    if "_" in scanned and scanned != text:
        for found in _PSEUDONYM.finditer(scanned):
            if found.group() not in text:
                count -= digits(found.group())
    return count


def month_date(value: str) -> bool:
    """Whether a token names a month next to digits (`Mar14-1980`, `1980-Mar-14`,
    `14Mar80`): a date a CHECKED column reads as one, where the detectors want a day
    and a year around the month in a set order. A code of a month's name and digits
    (`OCT1`) reads as one too: declare its column `KEEP`."""
    if value.isascii():
        letters = value.encode("ascii").translate(None, _NO_LETTER)
        if len(letters) < 3:
            return False  # `E11.9`, `A1C-2`, `99213`
        letters = letters.lower()
        for i in range(len(letters) - 2):
            if letters[i : i + 3] in _MONTH_STARTS:
                break
        else:
            return False  # `CLM-000123`, `ICD10`: no month's name in its letters
    return bool(_MONTH_DATE.search(value))


def dated(value: str) -> bool:
    """Whether a cleaned value holds a date a CHECKED column reads as one: a month named
    (in English or another European language) next to digits or a spelled number, a
    Roman-numeral month between day and year, CJK year/month/day markers, or three
    numbers joined by one separator that make a calendar date in some order (`80/3/14`;
    `v2.3.1`, `1.2.3` are none: a letter before it, no year of 2 or 4 digits)."""
    if value.isascii():
        data = value.encode("ascii")
        return _ascii_dated(value, data, len(data) - len(data.translate(None, _DIGITS)))
    if month_date(value) or _SPELLED_DATE.search(value) or _OTHER_DATE.search(value):
        return True
    return any(_calendar_date(found) for found in _THREE_NUMBERS.finditer(value))


def _ascii_dated(value: str, data: bytes, count: int) -> bool:
    """`dated` for an ASCII value of these bytes holding `count` digits: byte counts
    first, where the RE2 wrapper costs microseconds a call (`CLM-000123` is none)."""
    if count == 0:
        return _has_month_start(data) and bool(_SPELLED_DATE.search(value))
    if month_date(value):
        return True
    if count < 3 or not _joined_twice(data):
        return False  # `E11.9`, `CLM-000123`: one separator joins no three numbers
    if _OTHER_DATE.search(value):
        return True
    return any(_calendar_date(found) for found in _THREE_NUMBERS.finditer(value))


def _joined_twice(data: bytes) -> bool:
    """Whether an ASCII value has some separator twice, as three numbers joined need
    (byte counts, where the RE2 wrapper costs microseconds a call)."""
    return (data.count(b"-") > 1 or data.count(b"/") > 1 or data.count(b".") > 1) or len(
        data.split()
    ) > 2


def _has_month_start(data: bytes) -> bool:
    """Whether an ASCII value's letters hold a month's first three (a set lookup a
    place: most values name none, and the regular expression is not run)."""
    letters = data.translate(None, _NO_LETTER).lower()
    return any(letters[i : i + 3] in _MONTH_STARTS for i in range(len(letters) - 2))


def _calendar_date(found: re2._Match[str]) -> bool:
    """Whether three numbers make a date year first, day first or month first, the
    year written with 2 or 4 digits."""
    first, last = found.group(1), found.group(5)
    middle = found.group(2) or found.group(3) or found.group(4)
    orders = []
    if len(first) in (2, 4) and len(last) <= 2:
        orders.append((first, middle, last))  # year, month, day
    if len(last) in (2, 4) and len(first) <= 2:
        orders.append((last, middle, first))  # day first
        orders.append((last, first, middle))  # month first
    return any(_real_date(year, month, day) for year, month, day in orders)


def _real_date(year: str, month: str, day: str) -> bool:
    """Whether a year (2 digits: this century or the last), month and day exist."""
    years = [int(year)] if len(year) == 4 else [1900 + int(year), 2000 + int(year)]
    for number in years:
        try:
            dt.date(number, int(month), int(day))
        except ValueError:
            continue
        return True
    return False


def suspect(data: bytes) -> bool:
    """Whether a CHECKED column reads these bytes itself, whatever a detector said of
    them as stored: not ASCII (it may read otherwise once cleaned), more digits than
    a code has, a label, a month named next to digits, or a form the detectors know
    only once canonical."""
    if not data.isascii():
        return True
    count = len(data) - len(data.translate(None, _DIGITS))
    if count > MOST_DIGITS:
        return True
    text = data.decode("ascii")
    if labelled(text) or _ascii_dated(text, data, count):
        return True
    return _rewritable(data) and canonical(text) != text


def _rewritable(data: bytes) -> bool:
    """Whether `canonical` may change a value of these bytes."""
    if len(data.translate(None, _REWRITTEN)) != len(data):
        return True
    return (b"t-" in data or b"T-" in data) and b"-at-" in data.lower()  # `-at-`, any case
