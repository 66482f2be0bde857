"""Operators: what a detected entity becomes (redact, partial, pseudonym, date_shift,
generalize, drop, keep). Values are text spans or whole column values.

Pseudonyms and date offsets are keyed with HMAC-SHA256, so the same value gets
the same token across rows, queries and processes that share the key, and
nobody without the key can recompute them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time

import re2

from phigate.masking._fastre import Regex
from phigate.masking.entities import AGE, DATE, EMAIL, PERSON, ZIP
from phigate.masking.settings import Operator, ProfileConfig

# Three-digit ZIP prefixes whose population is 20,000 or fewer (HHS Safe Harbor
# guidance, 2000 census): they generalise to 000.
RESTRICTED_ZIP3 = frozenset(
    [
        "036",
        "059",
        "063",
        "102",
        "203",
        "556",
        "692",
        "790",
        "821",
        "823",
        "830",
        "831",
        "878",
        "879",
        "884",
        "890",
        "893",
    ]
)

_ISO = re2.compile(r"^(\d{4})([-/.])(\d{2})([-/.])(\d{2})(.*)$")
_MDY = re2.compile(r"^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4}|\d{2})$")
_YEAR = Regex(rb"(?:^|\D)((?:18|19|20|21)\d{2})(?:\D|$)")
_YY = re2.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-](\d{2})$")
_NON_ALNUM = re2.compile(r"[^0-9A-Za-z]+")


class Operators:
    """Applies a profile's operators with a key; one per masker."""

    def __init__(self, profile: ProfileConfig, key: bytes) -> None:
        self._profile = profile
        self._key = key
        self._shift_cache: dict[str, int] = {}

    def operator_for(self, entity: str) -> Operator:
        return self._profile.operator_for(entity)

    def text(self, entity: str, value: str, subject: str = "") -> str:
        """Replacement for a span of text."""
        op = self._profile.operator_for(entity)
        if op is Operator.REDACT:
            return f"[{entity}]"
        if op is Operator.KEEP:
            return value
        if op is Operator.DROP:
            return ""
        if op is Operator.PARTIAL:
            return partial(value, self._profile.partial_keep)
        if op is Operator.PSEUDONYM:
            return self.pseudonym(entity, value)
        if op is Operator.DATE_SHIFT:
            return self._shift_text(entity, value, subject)
        return generalize(entity, value)

    def value(self, entity: str, value: object, subject: str = "") -> object:
        """Replacement for a whole column value (dates may stay dates)."""
        if value is None:
            return None
        op = self._profile.operator_for(entity)
        if op is Operator.KEEP:
            return value
        if op is Operator.DROP:
            return None
        if isinstance(value, dt.date) and entity == DATE:
            if op is Operator.DATE_SHIFT:
                return value + dt.timedelta(days=self.shift_days(subject))
            if op is Operator.GENERALIZE:
                return safe_harbor_year(value.year)
        if isinstance(value, int | float) and entity == AGE and op is Operator.GENERALIZE:
            return "90+" if value >= 90 else value
        return self.text(entity, _as_text(value), subject)

    def pseudonym(self, entity: str, value: str) -> str:
        normal = _normalise(entity, value)
        digest = hmac.new(self._key, f"{entity}\0{normal}".encode(), hashlib.sha256).hexdigest()
        return f"{entity}_{digest[:12]}"

    def shift_days(self, subject: str) -> int:
        """Keyed offset in ±[1, date_shift_max_days], fixed per subject."""
        days = self._shift_cache.get(subject)
        if days is None:
            mac = hmac.new(self._key, f"date_shift\0{subject}".encode(), hashlib.sha256).digest()
            n = int.from_bytes(mac[:8], "big")
            span = self._profile.date_shift_max_days
            days = (n % span + 1) * (1 if (n >> 63) & 1 else -1)
            if len(self._shift_cache) < 100_000:
                self._shift_cache[subject] = days
        return days

    def _shift_text(self, entity: str, value: str, subject: str) -> str:
        if entity != DATE:
            return f"[{entity}]"
        shifted = shift_date_text(value, self.shift_days(subject))
        return shifted if shifted is not None else "[DATE]"


def _as_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _normalise(entity: str, value: str) -> str:
    if entity == PERSON:
        return " ".join(value.casefold().split())
    if entity == EMAIL:
        return value.strip().casefold()
    return str(_NON_ALNUM.sub("", value)).upper()


def partial(value: str, keep: int) -> str:
    """Mask every letter and digit except the last `keep`; separators stay."""
    alnum = sum(c.isalnum() for c in value)
    budget = alnum - keep
    out = []
    for c in value:
        if c.isalnum() and budget > 0:
            out.append("*")
            budget -= 1
        else:
            out.append(c)
    return "".join(out)


_OCR_DIGITS = str.maketrans("OolI", "0011")


def generalize(entity: str, value: str) -> str:
    if entity == ZIP:
        # OCR reads 0 as O and 1 as l or I ("02l39" is 02139, so 021**); a postcode
        # with other letters (Canada's "M5V 2T6") has no US three-digit prefix to keep.
        read = value.translate(_OCR_DIGITS)
        if any(c.isalpha() for c in read):
            return "[ZIP]"
        digits = "".join(c for c in read if c.isdigit())
        prefix = digits[:3]
        if len(prefix) < 3:
            return "[ZIP]"
        return ("000" if prefix in RESTRICTED_ZIP3 else prefix) + "**"
    if entity == DATE:
        year = year_of(value)
        return safe_harbor_year(int(year)) if year is not None else "[DATE]"
    if entity == AGE:
        # "93-year-old" becomes "90+-year-old": the unit says nothing about the person.
        number = value[: len(value) - len(value.lstrip("0123456789"))]
        if number and int(number) >= 90:
            return "90+" + value[len(number) :]
        return f"[{entity}]"
    return f"[{entity}]"


def _this_year() -> int:
    """The current year, read from the clock at most once a minute (asked per date)."""
    now = time.monotonic()
    if now - _YEAR_READ[0] > 60:
        _YEAR_READ[:] = [now, dt.date.today().year]
    return int(_YEAR_READ[1])


_YEAR_READ: list[float] = [-1e9, 0]


def safe_harbor_year(year: int, today: dt.date | None = None) -> str:
    """The year alone, except that years implying an age of 90 or more are aggregated
    into one category (45 CFR 164.514(b)(2)(i)(C)): a birth year of 1930 would name a
    96-year-old among very few people."""
    oldest_shown = (today.year if today is not None else _this_year()) - 89
    return str(year) if year >= oldest_shown else f"{oldest_shown - 1} or earlier"


def year_of(value: str) -> str | None:
    data = value.encode()  # strict, as RE2 reads a str: a lone surrogate fails closed
    found = _YEAR.search(data)
    if found is not None:
        start, end = found[1]
        return data[start:end].decode()
    short = _YY.match(value.strip())
    if short is not None:
        yy = int(short.group(1))
        return str(2000 + yy if yy <= dt.date.today().year % 100 else 1900 + yy)
    return None


def shift_date_text(value: str, days: int) -> str | None:
    """Shift a date written as ISO or M/D/Y text, keeping its format; None if unparsed."""
    delta = dt.timedelta(days=days)
    iso = _ISO.match(value.strip())
    if iso is not None:
        y, s1, m, s2, d, rest = iso.groups()
        try:
            new = dt.date(int(y), int(m), int(d)) + delta
        except ValueError:
            return None
        return f"{new.year:04d}{s1}{new.month:02d}{s2}{new.day:02d}{rest}"
    mdy = _MDY.match(value.strip())
    if mdy is not None:
        m, s1, d, s2, y = mdy.groups()
        year = int(y) if len(y) == 4 else int(year_of(value) or "1970")
        try:
            new = dt.date(year, int(m), int(d)) + delta
        except ValueError:
            return None
        shown_year = f"{new.year:04d}" if len(y) == 4 else f"{new.year % 100:02d}"
        return f"{new.month:0{len(m)}d}{s1}{new.day:0{len(d)}d}{s2}{shown_year}"
    return None
