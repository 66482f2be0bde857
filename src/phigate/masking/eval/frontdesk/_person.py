"""One invented person per document, and the decoy pieces most kinds draw on."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from phigate.masking.eval.frontdesk import _pools as pools
from phigate.masking.eval.frontdesk import _values as v
from phigate.masking.eval.frontdesk._builder import D, P


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    born: datetime.date
    phone: str
    street: str
    town: str
    state: str
    zip: str
    mrn: str
    member: str
    account: str

    @property
    def name(self) -> P:
        return P(f"{self.first} {self.last}", "NAME")

    @property
    def last_first(self) -> P:
        return P(f"{self.last}, {self.first}", "NAME")


def person(rng: random.Random) -> Person:
    return Person(
        first=v.given(rng),
        last=v.family(rng),
        born=v.dob(rng),
        phone=v.us_phone(rng),
        street=v.street(rng),
        town=v.town(rng),
        state=v.pick(rng, pools.US_STATES),
        zip=v.us_zip(rng),
        mrn=v.mrn(rng),
        member=v.member_id(rng),
        account=v.account(rng),
    )


def name(rng: random.Random) -> P:
    return P(v.full_name(rng), "NAME")


def date(rng: random.Random, start: int = 2024, end: int = 2026) -> P:
    return P(v.us_date(rng, v.a_date(rng, start, end)), "DATE")


def born(rng: random.Random, who: Person) -> P:
    return P(v.us_date(rng, who.born), "DATE")


def email(rng: random.Random, who: Person) -> P:
    return P(v.email(rng, who.first, who.last), "EMAIL")


def drug(rng: random.Random) -> D:
    return D(v.pick(rng, pools.DRUGS), "drug")


def eponym(rng: random.Random) -> D:
    return D(v.pick(rng, pools.EPONYMS), "eponym")


def code(rng: random.Random) -> D:
    system = rng.choice(("ICD10", "CPT", "LOINC", "NDC", "RXNORM", "SNOMED"))
    pool = {
        "ICD10": pools.ICD10,
        "CPT": pools.CPT,
        "LOINC": pools.LOINC,
        "NDC": pools.NDC,
        "RXNORM": pools.RXNORM,
        "SNOMED": pools.SNOMED,
    }[system]
    return D(v.pick(rng, pool), f"code_{system.lower()}")


def icd(rng: random.Random) -> D:
    return D(v.pick(rng, pools.ICD10), "code_icd10")


def cpt(rng: random.Random) -> D:
    return D(v.pick(rng, pools.CPT), "code_cpt")


def lab(rng: random.Random) -> D:
    return D(v.pick(rng, pools.LABS), "lab_value")


def vital(rng: random.Random) -> D:
    return D(v.pick(rng, pools.VITALS), "vital_sign")


def money(rng: random.Random) -> D:
    return D(v.money(rng), "money")


def dept(rng: random.Random) -> D:
    return D(v.pick(rng, pools.DEPARTMENTS), "department")


def weekday(rng: random.Random) -> D:
    return D(v.pick(rng, pools.WEEKDAYS), "weekday")


def young_age(rng: random.Random) -> D:
    return D(str(rng.randint(1, 89)), "age")


def year(rng: random.Random) -> D:
    return D(str(rng.randint(1998, 2026)), "year")


def state(rng: random.Random) -> D:
    return D(v.pick(rng, pools.US_STATES), "us_state")


def plan(rng: random.Random) -> D:
    return D(v.pick(rng, pools.PLAN_NAMES), "plan_name")


def payer(rng: random.Random) -> D:
    return D(v.pick(rng, pools.PAYERS), "plan_name")


def guideline(rng: random.Random) -> D:
    return D(v.pick(rng, pools.GUIDELINE_URLS), "public_url")


def uuid(rng: random.Random) -> D:
    return D(v.uuid_like(rng), "uuid")


def stamp(rng: random.Random) -> D:
    return D(v.software_timestamp(rng), "timestamp")


def duration(rng: random.Random) -> D:
    n = rng.randint(2, 90)
    return D(f"{n} {rng.choice(('minutes', 'days', 'weeks', 'hours'))}", "duration")


def quantity(rng: random.Random) -> D:
    return D(v.pick(rng, _QUANTITIES), "quantity")


_QUANTITIES = (
    "30 tablets", "90 tablets", "60 capsules", "2 pens", "4 syringes", "1 vial", "10 mL",
    "28 tablets", "3 boxes", "1 inhaler", "100 test strips", "12 patches",
)  # fmt: skip


def time_of_day(rng: random.Random) -> str:
    return f"{rng.randint(6, 20):02d}:{rng.choice(('00', '15', '30', '45', '07', '52'))}"
