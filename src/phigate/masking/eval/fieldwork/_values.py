"""Identifier values in real-world shapes, and the people who carry them.

Where a public check digit exists (NHS number, VIN, Luhn-style cards) values are
made valid, since a detector may rightly insist on it.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from phigate.masking.eval.fieldwork import _pools as pools

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]


def words(n: int) -> str:
    """0-199 in English words, hyphenated as people write them."""
    if n >= 100:
        rest = n - 100
        return "one hundred" + (" and " + words(rest) if rest else "")
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + ("-" + _ONES[ones] if ones else "")


def ordinal_words(n: int) -> str:
    if n <= 20:
        return _ORDINALS[n - 1]
    if n == 30:
        return "thirtieth"
    tens, ones = divmod(n, 10)
    return _TENS[tens] + "-" + _ORDINALS[ones - 1]


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def letters(rng: random.Random, n: int, alphabet: str = string.ascii_uppercase) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


@dataclass(frozen=True)
class Day:
    year: int
    month: int
    day: int

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def us(self) -> str:
        return f"{self.month:02d}/{self.day:02d}/{self.year}"

    def us_short(self) -> str:
        return f"{self.month}/{self.day}/{self.year % 100:02d}"

    def long(self) -> str:
        return f"{pools.MONTHS[self.month - 1]} {self.day}, {self.year}"

    def dmy(self) -> str:
        return f"{self.day:02d} {pools.MONTHS[self.month - 1][:3]} {self.year}"

    def compact(self) -> str:
        return f"{self.year:04d}{self.month:02d}{self.day:02d}"

    def upper(self) -> str:
        return f"{self.day:02d}-{pools.MONTHS[self.month - 1][:3].upper()}-{self.year}"

    def spanish(self) -> str:
        return f"{self.day} de {pools.MONTHS_ES[self.month - 1]} de {self.year}"

    def european(self) -> str:
        return f"{self.day:02d}.{self.month:02d}.{self.year}"

    def spoken(self) -> str:
        century, rest = divmod(self.year, 100)
        year = f"{words(century)} {words(rest)}" if rest >= 10 else f"two thousand {words(rest)}"
        if century == 19 or rest >= 10:
            year = f"{words(century)} {words(rest) if rest >= 10 else 'oh ' + words(rest)}"
        return f"{pools.MONTHS[self.month - 1]} {ordinal_words(self.day)}, {year}"

    def any(self, rng: random.Random) -> str:
        forms = (self.iso, self.us, self.us_short, self.long, self.dmy, self.upper)
        return rng.choice(forms)()


def day(rng: random.Random, first: int, last: int) -> Day:
    return Day(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))


def clock(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def ssn(rng: random.Random) -> str:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    body = (f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}")
    return rng.choice(("-", "-", " ", "")).join(body)


def us_phone(rng: random.Random) -> str:
    area, mid, end = rng.randint(201, 989), rng.randint(200, 999), digits(rng, 4)
    forms = (
        f"({area}) {mid}-{end}",
        f"{area}-{mid}-{end}",
        f"{area}.{mid}.{end}",
        f"+1 {area} {mid} {end}",
        f"1-{area}-{mid}-{end}",
        f"{area}{mid}{end}",
    )
    return rng.choice(forms)


def intl_phone(rng: random.Random) -> str:
    forms = (
        f"+44 7{digits(rng, 3)} {digits(rng, 6)}",
        f"+61 4{digits(rng, 2)} {digits(rng, 3)} {digits(rng, 3)}",
        f"+91 9{digits(rng, 4)} {digits(rng, 5)}",
        f"+52 55 {digits(rng, 4)} {digits(rng, 4)}",
        f"+52 1 33 {digits(rng, 4)} {digits(rng, 4)}",
    )
    return rng.choice(forms)


def nhs_number(rng: random.Random) -> str:
    while True:
        body = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(body)) % 11
        if check == 11:
            check = 0
        if check != 10:
            s = "".join(map(str, body)) + str(check)
            return f"{s[:3]} {s[3:6]} {s[6:]}"


def aadhaar_like(rng: random.Random) -> str:
    return f"{rng.randint(2, 9)}{digits(rng, 3)} {digits(rng, 4)} {digits(rng, 4)}"


def iban(rng: random.Random) -> str:
    return rng.choice(
        (
            f"GB{digits(rng, 2)} {letters(rng, 4)} {digits(rng, 4)} {digits(rng, 4)} "
            f"{digits(rng, 4)} {digits(rng, 2)}",
            f"DE{digits(rng, 2)} {digits(rng, 4)} {digits(rng, 4)} {digits(rng, 4)} "
            f"{digits(rng, 4)} {digits(rng, 2)}",
            f"MX{digits(rng, 2)}{digits(rng, 16)}",
        )
    )


def health_plan(rng: random.Random) -> str:
    mbi = (
        f"{rng.randint(1, 9)}{letters(rng, 1, 'ACDEFGHJKMNPQRTUVWXY')}"
        f"{letters(rng, 1, 'ACDEFGHJKMNPQRTUVWXY0123456789')}{digits(rng, 1)}-"
        f"{letters(rng, 3, 'ACDEFGHJKMNPQRTUVWXY')}-{letters(rng, 2, 'ACDEFGHJKMNPQRTUVWXY')}"
        f"{digits(rng, 2)}"
    )
    forms = (
        mbi,
        f"{letters(rng, 3)}{digits(rng, 9)}",
        f"W{digits(rng, 9)} {digits(rng, 2)}",
        f"{digits(rng, 4)}-{digits(rng, 3)}-{digits(rng, 3)}-{letters(rng, 2)}",  # Ontario
        f"{rng.randint(2, 6)}{digits(rng, 3)} {digits(rng, 5)} {rng.randint(1, 9)}",  # AU
        f"MCD-{digits(rng, 8)}",
    )
    return rng.choice(forms)


def mrn(rng: random.Random) -> str:
    forms = (
        f"MRN{digits(rng, 8)}",
        f"E{digits(rng, 7)}",
        f"{digits(rng, 4)}-{digits(rng, 4)}",
        f"00{digits(rng, 7)}",
        f"{letters(rng, 2)}{digits(rng, 6)}",
        digits(rng, 8),
    )
    return rng.choice(forms)


def account(rng: random.Random) -> str:
    forms = (
        f"ACCT-{digits(rng, 8)}",
        f"HAR{digits(rng, 9)}",
        f"{digits(rng, 10)}",
        f"GT{digits(rng, 7)}",
        iban(rng),
    )
    return rng.choice(forms)


def license_number(rng: random.Random) -> str:
    forms = (
        f"{letters(rng, 1)}{digits(rng, 3)}-{digits(rng, 4)}-{digits(rng, 4)}",
        f"{letters(rng, 1)}{digits(rng, 7)}",
        f"DL {digits(rng, 9)}",
        f"{letters(rng, 2)}{digits(rng, 7)}",
        f"RN{digits(rng, 6)}",
    )
    return rng.choice(forms)


_VIN = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUE = {c: (i % 9) + 1 for i, c in enumerate("ABCDEFGHJKLMNPRSTUVWXYZ")}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(rng: random.Random) -> str:
    chars = [rng.choice(_VIN) for _ in range(17)]
    total = sum(_vin_value(c) * w for c, w in zip(chars, _VIN_WEIGHTS, strict=True))
    chars[8] = "X" if total % 11 == 10 else str(total % 11)
    return "".join(chars)


def _vin_value(c: str) -> int:
    if c.isdigit():
        return int(c)
    # Letters map to 1-9 in runs that skip I, O and Q: J=1, S=2.
    table = {
        **{c: i + 1 for i, c in enumerate("ABCDEFGH")},
        **{c: i + 1 for i, c in enumerate("JKLMN")},
        "P": 7,
        "R": 9,
        **{c: i + 2 for i, c in enumerate("STUVWXYZ")},
    }
    return table[c]


def plate(rng: random.Random) -> str:
    return rng.choice(
        (
            f"{rng.randint(1, 9)}{letters(rng, 3)}{digits(rng, 3)}",
            f"{letters(rng, 3)}-{digits(rng, 4)}",
            f"{letters(rng, 3)} {digits(rng, 3)}",
        )
    )


def device(rng: random.Random) -> str:
    forms = (
        f"(01)00{digits(rng, 12)}(17){rng.randint(26, 31)}1231"
        f"(21){letters(rng, 2)}{digits(rng, 5)}",
        f"PJN{digits(rng, 6)}S",
        f"SN {letters(rng, 2)}-{digits(rng, 4)}-{digits(rng, 5)}",
        f"G7-{letters(rng, 2, string.ascii_uppercase + string.digits)}{digits(rng, 6)}",
        f"{digits(rng, 3)}{letters(rng, 3)}{digits(rng, 6)}",
    )
    return rng.choice(forms)


def ip(rng: random.Random) -> str:
    if rng.random() < 0.2:
        groups = (rng.randint(0, 0xFFFF), rng.randint(0, 0xFFFF), rng.randint(1, 0xFFF))
        return "2600:1700:{:x}:{:x}::{:x}".format(*groups)
    return (
        f"{rng.choice((24, 47, 68, 73, 98, 104, 172, 174))}.{rng.randint(1, 254)}"
        f".{rng.randint(0, 254)}.{rng.randint(1, 254)}"
    )


def biometric(rng: random.Random) -> str:
    hexes = "0123456789abcdef"
    return rng.choice(
        (
            f"FP-{letters(rng, 10, hexes)}",
            f"VPR-{digits(rng, 5)}-{letters(rng, 1)}",
            f"iris:{letters(rng, 16, hexes)}",
            f"FACE-TPL-{digits(rng, 7)}",
        )
    )


def other_id(rng: random.Random) -> str:
    return rng.choice(
        (
            nhs_number(rng),
            aadhaar_like(rng),
            f"{letters(rng, 1)}{digits(rng, 8)}",
            f"SUBJ-{digits(rng, 3)}-{digits(rng, 4)}",
            f"EMP{digits(rng, 6)}",
        )
    )


def guid_like(rng: random.Random) -> str:
    hexes = "0123456789abcdef"
    parts = [letters(rng, n, hexes) for n in (8, 4, 4, 4, 12)]
    parts[2] = "4" + parts[2][1:]
    return "-".join(parts)


def hex_id(rng: random.Random, n: int) -> str:
    return letters(rng, n, "0123456789abcdef")


def zip_code(rng: random.Random) -> str:
    base = f"{rng.randint(1, 99):02d}{digits(rng, 3)}"
    return base + (f"-{digits(rng, 4)}" if rng.random() < 0.25 else "")


def underscored(name: str) -> str:
    return name.replace("_", " ")
