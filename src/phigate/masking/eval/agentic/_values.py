"""Identifiers and look-alikes, drawn from a seeded ``random.Random`` and a seeded Faker.

Everything here was written from public format descriptions (US SSN, Medicare MBI,
NHS number, VIN, UK/Canadian/Australian postcodes and phone plans) and from what
real EHR, billing and support systems print; none of it was copied from the other
generators or tuned against the detector.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from faker import Faker

from ._doc import D, P, Tag

# Names Faker's English locales rarely produce: particles, apostrophes, hyphens,
# romanisations. Family name first where that culture writes it first.
_VIETNAMESE = (
    ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng"],
    ["Thị Minh Anh", "Văn Hùng", "Ngọc Lan", "Quốc Bảo", "Thu Trang"],
)
_VIET_ASCII = (
    ["Nguyen", "Tran", "Le", "Pham", "Huynh", "Vo", "Dang"],
    ["Thi Minh Anh", "Van Hung", "Ngoc Lan", "Quoc Bao", "Thu Trang"],
)
_CHINESE = (
    ["Zhang", "Wang", "Li", "Liu", "Chen", "Xu", "Zhou", "Cheung", "Wong"],
    ["Wei", "Xiaoming", "Jiayi", "Zihan", "Ka-Wai", "Mei Ling"],
)
_ARABIC = (
    ["Al-Rashid", "El-Sayed", "Haddad", "bin Laden-Saleh", "Abu Zaid", "Mansour", "Al Nuaimi"],
    ["Fatima", "Omar", "Yousef", "Layla", "Abdul-Rahman", "Noor"],
)
_HISPANIC = (
    ["de la Cruz", "García Márquez", "del Valle", "de los Santos", "Ortiz-Ybarra", "Van Hoven"],
    ["María José", "Juan Pablo", "Ximena", "Guadalupe", "Iñaki"],
)
_IRISH = (
    ["O'Sullivan", "D'Angelo", "O'Neil-Hart", "McAllister", "Fitzgerald-Nkemelu", "D'Souza"],
    ["Siobhán", "Ciarán", "Aoife", "Niamh", "Padraig"],
)
_FAMILY_FIRST = {id(_VIETNAMESE), id(_VIET_ASCII), id(_CHINESE)}

_PROFESSIONS = [
    "roofer",
    "school bus driver",
    "welder",
    "pharmacist",
    "airline pilot",
    "dental hygienist",
    "firefighter",
    "cattle rancher",
    "sous chef",
    "software engineer",
    "commercial diver",
    "tattoo artist",
    "retired coal miner",
    "Uber driver",
    "kindergarten teacher",
    "veterinary technician",
]
_HOSPITAL_SUFFIX = [
    "General Hospital",
    "Medical Center",
    "Community Hospital",
    "Regional Medical Centre",
    "Memorial Hospital",
    "Infirmary",
]
_SAINTS = [
    "St. Brigid's",
    "St Vincent's",
    "Mercy",
    "Good Samaritan",
    "Our Lady of Lourdes",
    "Sacred Heart",
]
_MAIL = [
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "hotmail.co.uk",
    "bigpond.com",
    "proton.me",
    "web.de",
]


@dataclass(frozen=True)
class Person:
    """A name as its parts, so each style can write it its own way."""

    first: str
    last: str
    family_first: bool = False

    def written(self, rng: random.Random) -> str:
        """One of the ways systems and people write a name."""
        first, last = self.first, self.last
        form = rng.randrange(7)
        if form == 0 or (form < 3 and self.family_first):
            return f"{last} {first}"
        if form == 1:
            return f"{last.upper()}, {first}"
        if form == 2:
            return f"{first} {last}".lower()
        if form == 3:
            return f"{first} {last}".upper()
        if form == 4:
            return f"{first[0]}. {last}"
        return f"{first} {last}"


@dataclass(frozen=True)
class Place:
    street: str
    city: str
    region: str
    postcode: str
    country: str


class Values:
    """The value source every style draws from; one instance per corpus seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = {
            loc: Faker(loc) for loc in ("en_US", "en_GB", "en_CA", "en_AU", "es_MX", "de_DE")
        }
        for i, fake in enumerate(self.fake.values()):
            fake.seed_instance(seed * 31 + i)

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def letters(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase) for _ in range(n))

    # -- people -------------------------------------------------------------
    def person(self) -> Person:
        roll = self.rng.random()
        if roll < 0.45:
            fake = self.fake[self.pick(["en_US", "en_GB", "en_CA", "en_AU", "es_MX", "de_DE"])]
            return Person(fake.first_name(), fake.last_name())
        pool = self.rng.choice([_VIETNAMESE, _VIET_ASCII, _CHINESE, _ARABIC, _HISPANIC, _IRISH])
        return Person(self.pick(pool[1]), self.pick(pool[0]), id(pool) in _FAMILY_FIRST)

    def name(self) -> Tag:
        return P(self.person().written(self.rng), "NAME")

    def clinician(self) -> Tag:
        person = self.person()
        return P(
            f"{person.first[0]}. {person.last}" if self.rng.random() < 0.4 else person.last, "NAME"
        )

    def username(self, person: Person | None = None) -> Tag:
        p = person or self.person()
        first, last = _ascii(p.first).lower(), _ascii(p.last).lower()
        forms = [
            f"{first[0]}{last}",
            f"{first}.{last}",
            f"{last}{self.digits(2)}",
            f"{first}_{last[:3]}{self.digits(1)}",
        ]
        return P(self.pick(forms), "USERNAME")

    def email(self, person: Person | None = None) -> Tag:
        return P(f"{self.username(person).text}@{self.pick(_MAIL)}", "EMAIL")

    def profession(self) -> Tag:
        return P(self.pick(_PROFESSIONS), "PROFESSION")

    # -- dates and ages -----------------------------------------------------
    def date(self, year_from: int = 1925, year_to: int = 2026) -> Tag:
        y, m, d = (
            self.rng.randint(year_from, year_to),
            self.rng.randint(1, 12),
            self.rng.randint(1, 28),
        )
        months = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
        forms = [
            f"{m:02d}/{d:02d}/{y}",
            f"{d}/{m}/{y}",
            f"{y}-{m:02d}-{d:02d}",
            f"{months[m - 1]} {d}, {y}",
            f"{d} {months[m - 1][:3]} {y}",
            f"{m}/{d}/{y % 100:02d}",
            f"{d:02d}.{m:02d}.{y}",
            f"{months[m - 1][:3]} {d}",
        ]
        return P(self.pick(forms), "DATE")

    def old_age(self) -> Tag:
        return P(str(self.rng.randint(90, 104)), "AGE")

    def age(self) -> Tag:
        return D(str(self.rng.randint(18, 89)), "AGE")

    def year(self) -> Tag:
        return D(str(self.rng.randint(1990, 2026)), "YEAR")

    # -- contact ------------------------------------------------------------
    def phone(self, label: str = "PHONE") -> Tag:
        d = self.digits
        forms = [
            f"({d(3)}) 555-{d(4)}",
            f"{d(3)}-{d(3)}-{d(4)}",
            f"+1 {d(3)} {d(3)} {d(4)}",
            f"+44 20 {d(4)} {d(4)}",
            f"07{d(3)} {d(6)}",
            f"+61 2 {d(4)} {d(4)}",
            f"(0{self.rng.randint(2, 8)}) {d(4)} {d(4)}",
            f"04{d(2)} {d(3)} {d(3)}",
            f"+49 30 {d(7)}",
            f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
            f"{d(3)}.{d(3)}.{d(4)}",
            f"1-800-{d(3)}-{d(4)}",
        ]
        return P(self.pick(forms), label)

    def url(self) -> Tag:
        slug = _ascii(self.person().last).lower().replace(" ", "")
        forms = [
            f"https://mychart.{slug}health.org/patients/{self.digits(7)}",
            f"https://www.facebook.com/{slug}.{self.digits(3)}",
            f"http://instagram.com/{slug}_{self.digits(2)}",
            f"https://portal.example-clinic.com/records?pid={self.digits(8)}",
        ]
        return P(self.pick(forms), "URL")

    def ip(self) -> Tag:
        r = self.rng.randint
        if self.rng.random() < 0.25:
            return P(f"2001:db8:{r(0, 65535):x}:{r(0, 65535):x}::{r(1, 255):x}", "IP")
        return P(f"{r(11, 223)}.{r(0, 255)}.{r(0, 255)}.{r(1, 254)}", "IP")

    # -- identifiers --------------------------------------------------------
    def ssn(self) -> Tag:
        area, group, serial = (
            self.rng.randint(1, 665),
            self.rng.randint(1, 99),
            self.rng.randint(1, 9999),
        )
        sep = self.pick(["-", "-", " ", ""])
        return P(f"{area:03d}{sep}{group:02d}{sep}{serial:04d}", "SSN")

    def mrn(self) -> Tag:
        forms = [
            self.digits(8),
            f"E{self.digits(7)}",
            f"{self.digits(3)}-{self.digits(3)}-{self.digits(3)}",
            f"MRN{self.digits(6)}",
            f"K{self.digits(2)}-{self.digits(5)}",
        ]
        return P(self.pick(forms), "MRN")

    def health_plan(self) -> Tag:
        a, d = self.letters, self.digits
        mbi = f"{self.rng.randint(1, 9)}{a(2)}{d(1)}-{a(2)}{d(1)}-{a(2)}{d(2)}"
        forms = [
            f"{self.letters(3)}{self.digits(9)}",
            mbi,
            f"{self.digits(3)} {self.digits(3)} {self.digits(4)}",
            f"W{self.digits(9)}-0{self.rng.randint(1, 4)}",
            f"{self.digits(4)} {self.digits(5)} {self.digits(1)}",
        ]
        return P(self.pick(forms), "HEALTH_PLAN")

    def account(self) -> Tag:
        forms = [
            f"ACCT-{self.digits(8)}",
            f"{self.digits(4)}-{self.digits(4)}-{self.digits(2)}",
            "GB{} NWBK {} {} {} {}".format(*(self.digits(n) for n in (2, 4, 4, 4, 2))),
            f"HAR{self.digits(9)}",
            f"G{self.digits(7)}",
        ]
        return P(self.pick(forms), "ACCOUNT")

    def license(self) -> Tag:
        forms = [
            f"{self.letters(1)}{self.digits(3)}-{self.digits(4)}-{self.digits(4)}",
            f"{self.letters(2)}{self.digits(7)}",
            f"{self.letters(1)}{self.digits(7)}",
            f"DL {self.digits(9)}",
            f"{self.letters(5)}{self.digits(6)}{self.letters(2)}{self.digits(1)}{self.letters(2)}",
        ]
        return P(self.pick(forms), "LICENSE")

    def vehicle(self) -> Tag:
        vin_chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        forms = [
            "".join(self.rng.choice(vin_chars) for _ in range(17)),
            f"{self.rng.randint(1, 9)}{self.letters(3)}{self.digits(3)}",
            f"{self.letters(2)}{self.digits(2)} {self.letters(3)}",
            f"{self.letters(3)}-{self.digits(4)}",
        ]
        return P(self.pick(forms), "VEHICLE")

    def device(self) -> Tag:
        forms = [
            f"PJN{self.digits(6)}H",
            f"SN {self.letters(2)}{self.digits(7)}",
            f"{self.digits(2)}{self.letters(1)}{self.digits(5)}{self.letters(1)}",
            f"G7-{self.letters(4)}{self.digits(4)}",
            f"(21){self.letters(2)}{self.digits(8)}",
        ]
        return P(self.pick(forms), "DEVICE")

    def biometric(self) -> Tag:
        hexs = "".join(self.rng.choice("0123456789abcdef") for _ in range(24))
        forms = [
            f"fp_tmpl_{hexs}",
            f"VOICEPRINT-{hexs[:12].upper()}",
            f"iris:{hexs[:16]}",
            f"palmvein/{hexs[:20]}",
        ]
        return P(self.pick(forms), "BIOMETRIC")

    def other_id(self) -> Tag:
        forms = [
            f"EMP{self.digits(6)}",
            f"CLM-{self.digits(4)}-{self.digits(6)}",
            f"{self.letters(1)}{self.digits(8)}",
            f"PT-{self.digits(5)}",
            f"case #{self.digits(6)}",
        ]
        return P(self.pick(forms), "ID")

    # -- places -------------------------------------------------------------
    def place(self) -> Place:
        loc = self.pick(["en_US", "en_US", "en_GB", "en_CA", "en_AU", "de_DE"])
        fake = self.fake[loc]
        if loc == "en_US":
            return Place(
                fake.street_address(), fake.city(), fake.state_abbr(), fake.zipcode(), "USA"
            )
        if loc == "en_GB":
            return Place(
                fake.street_address().replace("\n", ", "),
                fake.city(),
                fake.county(),
                fake.postcode(),
                "United Kingdom",
            )
        if loc == "en_CA":
            return Place(
                fake.street_address(),
                fake.city(),
                fake.province_abbr(),
                fake.postalcode(),
                "Canada",
            )
        if loc == "en_AU":
            return Place(
                fake.street_address(), fake.city(), fake.state_abbr(), fake.postcode(), "Australia"
            )
        return Place(fake.street_address(), fake.city(), fake.state(), fake.postcode(), "Germany")

    def hospital(self, city: str | None = None) -> Tag:
        if city is None or self.rng.random() < 0.4:
            return P(f"{self.pick(_SAINTS)} {self.pick(_HOSPITAL_SUFFIX)}", "HOSPITAL")
        return P(f"{city} {self.pick(_HOSPITAL_SUFFIX)}", "HOSPITAL")

    def organization(self) -> Tag:
        return P(self.fake[self.pick(["en_US", "en_GB", "de_DE"])].company(), "ORGANIZATION")


def _ascii(text: str) -> str:
    """Usernames and mail boxes are ASCII even when the name is not."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in plain if c.isascii() and (c.isalnum() or c == " ")).replace(" ", "")
