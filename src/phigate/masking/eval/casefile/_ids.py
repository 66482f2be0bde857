"""Identifiers from many systems, and ages over 89 written several ways."""

from __future__ import annotations

import random
import string

from phigate.masking.eval.casefile._dates import Day
from phigate.masking.eval.casefile._people import digits, letters

WORDS = (
    "ninety",
    "ninety-one",
    "ninety-two",
    "ninety-three",
    "ninety-four",
    "ninety-five",
    "ninety-six",
    "ninety-seven",
    "ninety-eight",
    "ninety-nine",
    "one hundred",
)


def old_age(rng: random.Random) -> tuple[str, str, str]:
    """(before, AGE value, after) for an age over 89, e.g. ('', '93', '-year-old')."""
    years = rng.randint(90, 104)
    style = rng.randrange(4)
    if style == 0:
        return "", str(years), "-year-old"
    if style == 1 and years <= 100:
        return "", WORDS[years - 90], "-year-old"
    if style == 2:
        return "", str(years), " y/o"
    return "", f"{years}yo", ""


def medicaid(rng: random.Random) -> str:
    return str(
        rng.choice(
            (
                f"{letters(rng, 2)}{digits(rng, 5)}{letters(rng, 1)}",
                digits(rng, 10),
                f"MCD{digits(rng, 9)}",
            )
        )
    )


def member_id(rng: random.Random) -> str:
    return f"{letters(rng, 3)}{digits(rng, 9)}"


def account(rng: random.Random) -> str:
    return str(
        rng.choice(
            (f"HAR{digits(rng, 10)}", f"{digits(rng, 4)}-{digits(rng, 6)}", f"ENC{digits(rng, 8)}")
        )
    )


def license_no(rng: random.Random) -> str:
    return str(
        rng.choice(
            (
                f"{letters(rng, 1)}{digits(rng, 3)}-{digits(rng, 4)}-{digits(rng, 4)}",
                f"{letters(rng, 1)}{digits(rng, 8)}",
                f"DL{digits(rng, 9)}",
            )
        )
    )


def device_serial(rng: random.Random) -> str:
    return str(
        rng.choice(
            (
                f"PJN{digits(rng, 6)}S",
                f"SN {letters(rng, 2)}{digits(rng, 7)}",
                f"(01)00{digits(rng, 12)}(17)28{digits(rng, 4)}(21){letters(rng, 2)}"
                + digits(rng, 6),
                f"8{letters(rng, 2, 'ABCDEFGHJKMN')}{digits(rng, 3)}",
            )
        )
    )


def biometric(rng: random.Random) -> str:
    hexes = "".join(rng.choice("0123456789abcdef") for _ in range(16))
    return str(
        rng.choice(
            (
                f"FPT-{hexes[:4].upper()}-{hexes[4:8].upper()}",
                f"VP:{digits(rng, 8)}",
                f"iris:{hexes}",
                f"face-geom {hexes[:12]}",
            )
        )
    )


def subject_id(rng: random.Random) -> str:
    return f"{rng.randint(101, 148)}-{digits(rng, 4)}"


def korean_rrn(rng: random.Random, dob: Day) -> str:
    gender = rng.choice("12" if dob.y < 2000 else "34")
    return f"{dob.y % 100:02d}{dob.m:02d}{dob.d:02d}-{gender}{digits(rng, 6)}"


def pesel(rng: random.Random, dob: Day) -> str:
    """PESEL with the month offset by century and a valid check digit."""
    month = dob.m + (20 if dob.y >= 2000 else 0)
    body = f"{dob.y % 100:02d}{month:02d}{dob.d:02d}{digits(rng, 4)}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 10) % 10
    return f"{body}{check}"


def chinese_id(rng: random.Random, dob: Day) -> str:
    """Resident identity number: region, birth date, sequence, ISO 7064 check (may be X)."""
    body = f"{rng.choice(('110105', '310104', '440305', '510107'))}{dob.compact()}{digits(rng, 3)}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def passport(rng: random.Random) -> str:
    return str(
        rng.choice((digits(rng, 9), f"{letters(rng, 2)}{digits(rng, 7)}", f"M{digits(rng, 8)}"))
    )


def incident_no(rng: random.Random, when: Day) -> str:
    return f"{when.y}-{digits(rng, 6)}"


def registry_accession(rng: random.Random, when: Day) -> str:
    return f"{when.y}{digits(rng, 5)}"


def iis_id(rng: random.Random) -> str:
    return f"IIS{digits(rng, 8)}"


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.hexdigits[:16]) for _ in range(n))
