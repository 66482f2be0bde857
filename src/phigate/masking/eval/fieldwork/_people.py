"""A patient (or relative, or clinician) with every identifier they may carry, and
the decoy values documents sprinkle around them."""

from __future__ import annotations

import random
from dataclasses import dataclass

from phigate.masking.eval.fieldwork import _pools as pools
from phigate.masking.eval.fieldwork import _values as v
from phigate.masking.eval.fieldwork._builder import Mark, decoy, phi

THIS_YEAR = 2026
_MAIL_HOSTS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "protonmail.com")


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    middle: str
    sex: str
    dob: v.Day
    age: int
    street: str
    city: str
    state: tuple[str, str]
    zip: str
    phone: str
    email: str
    username: str

    def full(self) -> str:
        return f"{self.given} {self.family}"

    def name(self) -> Mark:
        return phi(self.full(), "NAME")

    def age_mark(self) -> Mark:
        """An age is PHI only above 89 (Safe Harbor); below it is ordinary text."""
        return phi(str(self.age), "AGE") if self.age > 89 else decoy(str(self.age), "age")

    def age_words(self) -> Mark:
        text = v.words(self.age)
        return phi(text, "AGE") if self.age > 89 else decoy(text, "age")


def person(rng: random.Random, old: float = 0.3) -> Person:
    given, family = rng.choice(pools.GIVEN), _family(rng)
    age = rng.randint(90, 104) if rng.random() < old else rng.randint(1, 89)
    dob = v.Day(THIS_YEAR - age - 1, rng.randint(1, 12), rng.randint(1, 28))
    user = rng.choice(
        (
            f"{given[0]}{family}".lower(),
            f"{given}.{family}{rng.randint(1, 99)}".lower(),
            f"{given.lower()}_{dob.year % 100}",
        )
    )
    user = "".join(c for c in user if c.isalnum() or c in "._")
    return Person(
        given=given,
        family=family,
        middle=rng.choice("ABCDEFGHJKLMNPRSTW"),
        sex=rng.choice(("female", "male")),
        dob=dob,
        age=age,
        street=_street(rng),
        city=v.underscored(rng.choice(pools.TOWNS)),
        state=rng.choice(pools.STATES),
        zip=v.zip_code(rng),
        phone=v.us_phone(rng),
        email=f"{user}@{rng.choice(_MAIL_HOSTS)}",
        username=user,
    )


def _family(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return rng.choice(pools.COMPOUND_FAMILY)
    return rng.choice(pools.FAMILY)


def _street(rng: random.Random) -> str:
    street = v.underscored(rng.choice(pools.STREETS))
    unit = rng.choice(
        (
            "",
            "",
            "",
            f" Apt {rng.randint(1, 40)}{rng.choice('ABCD')}",
            f" Unit {rng.randint(100, 999)}",
        )
    )
    return f"{rng.randint(2, 19999)} {street} {rng.choice(pools.STREET_TYPES)}{unit}"


def clinician(rng: random.Random) -> str:
    return f"{rng.choice(pools.GIVEN)} {_family(rng)}"


# Decoys: values that look like identifiers or names but must stay readable.


def drug(rng: random.Random) -> tuple[Mark, Mark]:
    name, dose = rng.choice(pools.DRUGS)
    return decoy(name, "drug"), decoy(dose, "dose")


def code(rng: random.Random) -> tuple[str, Mark]:
    system, value = rng.choice(pools.CODES)
    return system, decoy(value, "code")


def lab(rng: random.Random) -> tuple[str, Mark, Mark]:
    name, value, ref = rng.choice(pools.LABS)
    return name, decoy(value, "lab_value"), decoy(ref, "reference_range")


def vital(rng: random.Random) -> Mark:
    return decoy(
        rng.choice(
            (
                f"BP {rng.randint(98, 178)}/{rng.randint(54, 104)}",
                f"HR {rng.randint(48, 128)}",
                f"SpO2 {rng.randint(86, 100)}%",
                f"RR {rng.randint(12, 30)}",
                f"T {rng.randint(361, 392) / 10} C",
                f"GCS {rng.randint(9, 15)}",
            )
        ),
        "vital",
    )


def software(rng: random.Random) -> Mark:
    kind = rng.choice(("version", "build_id", "commit", "request_id", "uuid"))
    value = {
        "version": f"v{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
        "build_id": f"build-{rng.randint(1000, 99999)}",
        "commit": v.hex_id(rng, rng.choice((7, 40))),
        "request_id": f"req_{v.hex_id(rng, 16)}",
        "uuid": v.guid_like(rng),
    }[kind]
    return decoy(value, kind)


def timestamp(rng: random.Random) -> Mark:
    """A software timestamp: when a process logged, not when a patient did anything."""
    d = v.day(rng, 2025, 2026)
    return decoy(
        f"{d.iso()}T{v.clock(rng)}:{rng.randint(0, 59):02d}.{v.digits(rng, 3)}Z", "timestamp"
    )


def money(rng: random.Random) -> Mark:
    return decoy(f"${rng.randint(12, 48000):,}.{v.digits(rng, 2)}", "money")


def year(rng: random.Random) -> Mark:
    return decoy(str(rng.randint(1998, 2026)), "year")


def duration(rng: random.Random) -> Mark:
    return decoy(
        rng.choice(
            (
                f"{rng.randint(2, 14)} days",
                f"{rng.randint(1, 12)} weeks",
                f"{rng.randint(5, 90)} minutes",
                f"{rng.randint(1, 48)} hours",
            )
        ),
        "duration",
    )


def quantity(rng: random.Random) -> Mark:
    return decoy(
        rng.choice(
            (
                f"{rng.randint(1, 180)} tablets",
                f"{rng.randint(1, 12)} vials",
                f"{rng.randint(50, 2000)} mL",
                f"{rng.randint(1, 6)} refills",
            )
        ),
        "quantity",
    )


def one_of(rng: random.Random, pool: tuple[str, ...], kind: str) -> Mark:
    return decoy(rng.choice(pool), kind)
