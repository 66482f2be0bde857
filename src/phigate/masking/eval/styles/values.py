"""Values the styles fill in: people, places, dates, identifiers and decoys.

Everything is drawn from one seeded ``random.Random`` and Faker instances
seeded from it, so a seed gives the same corpus byte for byte. Names and
places come from several countries on purpose: a detector tuned on US notes
should be judged on Vietnamese, Arabic, Hispanic and Chinese names, on UK,
Canadian, Australian and EU addresses, and on names in lower or upper case.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from faker import Faker

# Hand-written name parts for styles Faker's locales do not cover well
# (romanised Chinese and Arabic, particles, apostrophes and hyphens).
_WORLD_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "vietnamese": (
        ("Hương", "Dũng", "Khoa", "Anh", "Linh", "Bao", "Tuan", "Phuong"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Nguyen", "Tran", "Vo", "Đặng"),
    ),
    "hispanic": (
        ("María José", "Juan Carlos", "Guadalupe", "José Luis", "Ximena", "Jesús"),
        ("de la Cruz", "García-López", "del Valle", "Ruiz de Alarcón", "Núñez", "de los Santos"),
    ),
    "arabic": (
        ("Mohammed", "Fatima", "Abd al-Rahman", "Nour", "Youssef", "Layla"),
        ("Al-Farsi", "El-Amin", "bin Rashid", "Haddad", "Abu-Saleh", "al-Qahtani"),
    ),
    "chinese": (
        ("Wei", "Xiaoming", "Tai Man", "Ka-Wai", "Mei Ling", "Jun"),
        ("Zhang", "Li", "Chan", "Wong", "Liu", "Ng", "Xu", "Zhou"),
    ),
    "irish_african": (
        ("Siobhán", "Aoife", "Amadou", "Chidi", "Ngozi", "Declan"),
        ("O'Brien", "D'Angelo", "N'Diaye", "Smith-Jones", "MacLeod", "Okonkwo-Adeyemi"),
    ),
}
_FAMILY_FIRST = {"vietnamese", "chinese"}
#: Vietnamese middle names (Thị, Văn) sit between family and given name.
_VIETNAMESE_MIDDLE = ("Thị", "Văn", "Minh", "Thu", "Thi", "Van", "Thanh")


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    middle: str
    #: Family name written first in this person's convention (Vietnamese, Chinese).
    family_first: bool

    @property
    def full(self) -> str:
        parts = (
            [self.family, self.middle, self.given]
            if self.family_first
            else [self.given, self.family]
        )
        return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class Place:
    street: str
    city: str
    #: State, province or county: not PHI under Safe Harbor (a decoy).
    region: str
    postcode: str
    country: str
    phone: str


#: Decoy vocabularies by decoy type.
DECOYS: dict[str, tuple[str, ...]] = {
    "DOSE": (
        "500 mg",
        "0.4 mg SL",
        "10 units",
        "81 mg PO daily",
        "2.5 mg/kg",
        "40 mEq",
        "1 g IV q8h",
    ),
    "LAB_VALUE": (
        "138 mmol/L",
        "7.2 %",
        "11.3 x10^9/L",
        "0.9 mg/dL",
        "245 U/L",
        "98.6 F",
        "4.1 g/dL",
    ),
    "ICD10": ("E11.9", "I21.4", "C81.90", "G20", "J18.9", "N17.9", "Z79.01"),
    "CPT": ("71046", "74177", "88305", "99214", "93000"),
    "LOINC": ("2345-7", "4548-4", "718-7", "2160-0", "6690-2"),
    "NDC": ("0002-3227-30", "0093-7214-01", "50090-2875-0"),
    "VERSION": ("v2.5.1", "3.11.4", "1.22.0-rc2", "4.0.1", "v12.3.0"),
    "QUANTITY": ("Qty: 30", "#90", "x 3 refills", "2 tablets"),
    "DEPARTMENT": (
        "Radiology",
        "Emergency Department",
        "Pathology",
        "Cardiology",
        "Pharmacy",
        "Billing",
    ),
    "EPONYM": (
        "Parkinson's disease",
        "Hodgkin lymphoma",
        "Apgar",
        "Graves' disease",
        "Babinski sign",
        "Crohn's disease",
        "Bell's palsy",
        "Wilms tumor",
    ),
    # Brand names that read as given names or surnames.
    "DRUG": ("Allegra", "Ambien", "Haldol", "Keppra", "Lasix", "Bactrim", "Coreg", "Xarelto"),
    "PHRASE": (
        "Room service",
        "Patient Portal",
        "Health Plan",
        "Medical Record",
        "Date of Service",
    ),
}

_BUILD_EPOCH = datetime(2023, 1, 1)
_REF_DAY = date(2024, 6, 1)


class Values:
    """Draws every value a style needs from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        for index, locale in enumerate(
            ("en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_MX", "vi_VN")
        ):
            fake = Faker(locale)
            fake.seed_instance(seed * 31 + index)
            self.fakers[locale] = fake

    # -- choice helpers -------------------------------------------------
    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        return options[self.rng.randrange(len(options))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def letters(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase) for _ in range(n))

    def decoy(self, kind: str) -> str:
        return self.pick(DECOYS[kind])

    # -- people -----------------------------------------------------------
    def person(self) -> Person:
        """A person: 40% Faker (US, UK, Spanish, Vietnamese), 60% hand lists."""
        roll = self.rng.random()
        if roll < 0.4:
            fake = self.fakers[self.pick(["en_US", "en_US", "en_GB", "es_MX", "vi_VN"])]
            given, family = str(fake.first_name()), str(fake.last_name())
            middle = str(self.fakers["en_US"].first_name()) if self.chance(0.3) else ""
            person = Person(given, family, middle, False)
        else:
            style = self.pick(sorted(_WORLD_NAMES))
            givens, families = _WORLD_NAMES[style]
            middle = self.pick(_VIETNAMESE_MIDDLE) if style == "vietnamese" else ""
            person = Person(self.pick(givens), self.pick(families), middle, style in _FAMILY_FIRST)
        return self._cased(person)

    def _cased(self, person: Person) -> Person:
        """Some records shout and some whisper: upper or lower case names."""
        roll = self.rng.random()
        if roll < 0.12:
            return Person(
                person.given.upper(),
                person.family.upper(),
                person.middle.upper(),
                person.family_first,
            )
        if roll < 0.18:
            return Person(
                person.given.lower(),
                person.family.lower(),
                person.middle.lower(),
                person.family_first,
            )
        return person

    def doctor(self) -> Person:
        return self.person()

    def username(self, person: Person) -> str:
        given = "".join(c for c in person.given.lower() if c.isascii() and c.isalpha()) or "user"
        family = "".join(c for c in person.family.lower() if c.isascii() and c.isalpha()) or "x"
        form = self.rng.randrange(4)
        if form == 0:
            return f"{given[0]}{family}{self.rng.randrange(1, 99)}"
        if form == 1:
            return f"{given}.{family}"
        if form == 2:
            return f"{family}_{given[:3]}"
        return f"{given[0]}{family[:6]}"

    def email(self, person: Person) -> str:
        domain = self.pick(
            ["gmail.com", "outlook.com", "yahoo.co.uk", "bigpond.com", "mercyhealth.org", "web.de"]
        )
        return f"{self.username(person)}@{domain}"

    def profession(self) -> str:
        return self.pick(
            [
                "school teacher",
                "long-haul truck driver",
                "firefighter",
                "pastry chef",
                "electrician",
                "software engineer",
                "dairy farmer",
                "retired nurse",
                "welder",
                "accountant",
            ]
        )

    # -- places -----------------------------------------------------------
    def place(self) -> Place:
        country = self.pick(["US", "US", "US", "UK", "CA", "AU", "DE", "FR"])
        place: Place = getattr(self, f"_place_{country.lower()}")()
        # Faker's UK street lines carry a flat number on a line of its own.
        return replace(place, street=place.street.replace("\n", ", "))

    def _place_us(self) -> Place:
        fake = self.fakers["en_US"]
        area = self.pick(["617", "212", "415", "312", "206", "713"])
        return Place(
            str(fake.street_address()),
            str(fake.city()),
            str(fake.state_abbr()),
            self.digits(5) if self.chance(0.8) else f"{self.digits(5)}-{self.digits(4)}",
            self.pick(["USA", "US", "United States"]),
            self.us_phone(area),
        )

    def _place_uk(self) -> Place:
        fake = self.fakers["en_GB"]
        county = self.pick(
            ["Greater Manchester", "West Yorkshire", "Kent", "Lothian", "Merseyside"]
        )
        phone = self.pick(
            [
                f"+44 20 7946 {self.digits(4)}",
                f"0161 496 {self.digits(4)}",
                f"07700 900{self.digits(3)}",
            ]
        )
        return Place(
            str(fake.street_address()),
            str(fake.city()),
            county,
            str(fake.postcode()),
            self.pick(["United Kingdom", "UK", "England"]),
            phone,
        )

    def _place_ca(self) -> Place:
        fake = self.fakers["en_CA"]
        code = str(fake.postcode()).replace(" ", "")
        code = f"{code[:3]} {code[3:]}" if self.chance(0.7) else code
        area = self.pick(["416", "604", "514", "403"])
        return Place(
            str(fake.street_address()),
            str(fake.city()),
            str(fake.province_abbr()),
            code,
            "Canada",
            f"+1 {area}-555-{self.digits(4)}",
        )

    def _place_au(self) -> Place:
        fake = self.fakers["en_AU"]
        phone = self.pick(
            [
                f"(02) 9{self.digits(3)} {self.digits(4)}",
                f"+61 4{self.digits(2)} {self.digits(3)} {self.digits(3)}",
            ]
        )
        return Place(
            str(fake.street_address()),
            str(fake.city()),
            str(fake.state_abbr()),
            self.digits(4),
            "Australia",
            phone,
        )

    def _place_de(self) -> Place:
        fake = self.fakers["de_DE"]
        phone = f"+49 30 {self.digits(3)} {self.digits(4)}"
        return Place(
            str(fake.street_address()),
            str(fake.city()),
            self.pick(["Bayern", "Hessen", "Berlin"]),
            str(fake.postcode()),
            "Germany",
            phone,
        )

    def _place_fr(self) -> Place:
        fake = self.fakers["fr_FR"]
        phone = f"+33 1 {self.digits(2)} {self.digits(2)} {self.digits(2)} {self.digits(2)}"
        return Place(
            f"{self.rng.randrange(1, 120)} {fake.street_name()}",
            str(fake.city()),
            "Île-de-France",
            str(fake.postcode()),
            "France",
            phone,
        )

    def us_phone(self, area: str | None = None) -> str:
        area = area or self.pick(["617", "508", "312", "415", "646"])
        line = self.digits(4)
        return self.pick(
            [
                f"({area}) 555-{line}",
                f"{area}-555-{line}",
                f"{area}.555.{line}",
                f"+1 {area} 555 {line}",
                f"({area})555-{line}",
            ]
        )

    def hospital(self) -> str:
        return self.pick(
            [
                "Mercy General Hospital",
                "St. Brigid's Infirmary",
                "Lakeside Regional Medical Center",
                "Royal Prince Alfred Hospital",
                "Hôpital Saint-Louis",
                "Northfield Children's Hospital",
                "Sunnybrook Health Sciences Centre",
                "Klinikum Schwabing",
            ]
        )

    def organization(self) -> str:
        return self.pick(
            [
                "Acme Logistics Inc.",
                "Bluewater Credit Union",
                "Harbor Freight Lines",
                "Greenleaf Elementary School",
                "Contoso Foods Ltd",
                "Tri-County Transit Authority",
            ]
        )

    # -- dates and ages ---------------------------------------------------
    def birth_date(self) -> date:
        return _REF_DAY - timedelta(days=self.rng.randrange(365 * 18, 365 * 95))

    def recent_date(self) -> date:
        return _REF_DAY - timedelta(days=self.rng.randrange(1, 900))

    def moment(self) -> datetime:
        day = self.recent_date()
        return datetime(
            day.year,
            day.month,
            day.day,
            self.rng.randrange(24),
            self.rng.randrange(60),
            self.rng.randrange(60),
        )

    def build_time(self) -> str:
        """A software build timestamp: a date that is about a program, not a person."""
        moment = _BUILD_EPOCH + timedelta(minutes=self.rng.randrange(60 * 24 * 500))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def written_date(self, day: date) -> str:
        """A date as people write it, in one of several national orders."""
        return self.pick(
            [
                day.strftime("%m/%d/%Y"),
                day.strftime("%d/%m/%Y"),
                day.strftime("%Y-%m-%d"),
                day.strftime("%d %b %Y"),
                day.strftime("%B %d, %Y").replace(" 0", " "),
                day.strftime("%d.%m.%Y"),
                day.strftime("%d-%b-%Y").upper(),
            ]
        )

    def old_age(self) -> int:
        """An age above 89: Safe Harbor PHI."""
        return self.rng.randrange(90, 104)

    def young_age(self) -> int:
        """An age of 89 or less: not PHI under Safe Harbor (a decoy)."""
        return self.rng.randrange(1, 90)

    # -- identifiers ------------------------------------------------------
    def mrn(self) -> str:
        return self.pick(
            [
                self.digits(8),
                f"E{self.digits(7)}",
                f"{self.digits(3)}-{self.digits(2)}-{self.digits(2)}",
                f"MR{self.digits(6)}",
            ]
        )

    def ssn(self) -> str:
        area, group, serial = (
            f"{self.rng.randrange(1, 665):03d}",
            self.digits(2).replace("00", "17"),
            self.digits(4),
        )
        serial = "4821" if serial == "0000" else serial
        return self.pick(
            [f"{area}-{group}-{serial}", f"{area} {group} {serial}", f"{area}{group}{serial}"]
        )

    def health_plan(self) -> str:
        # A Medicare Beneficiary Identifier: 1AA1-AA1-AA11.
        mbi = (
            f"{self.rng.randrange(1, 9)}{self.letters(2)}{self.digits(1)}-"
            f"{self.letters(2)}{self.digits(1)}-{self.letters(2)}{self.digits(2)}"
        )
        return self.pick(
            [
                f"XEH{self.digits(9)}",
                f"W{self.digits(9)}",
                mbi,
                f"{self.letters(3)}{self.digits(8)}01",
            ]
        )

    def account(self) -> str:
        return self.pick(
            [
                f"ACCT-{self.rng.randrange(2019, 2025)}-{self.digits(7)}",
                self.digits(11),
                f"{self.digits(4)}-{self.digits(6)}",
            ]
        )

    def license(self) -> str:
        return self.pick(
            [
                f"{self.letters(2)}{self.digits(7)}",
                f"MD-{self.digits(6)}",
                f"S{self.digits(3)}-{self.digits(4)}-{self.digits(4)}",
                f"RN{self.digits(6)}",
            ]
        )

    def vehicle(self) -> str:
        vin_chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        vin = "".join(self.rng.choice(vin_chars) for _ in range(17))
        return self.pick(
            [
                vin,
                f"{self.digits(1)}{self.letters(3)}{self.digits(3)}",
                f"{self.letters(2)}{self.digits(2)} {self.letters(3)}",
            ]
        )

    def device(self) -> str:
        return self.pick(
            [
                f"PM-{self.digits(4)}-{self.letters(1)}{self.digits(2)}{self.letters(1)}",
                f"SN{self.digits(10)}",
                f"(01)00{self.digits(12)}(21){self.letters(2)}{self.digits(5)}",
            ]
        )

    def biometric(self) -> str:
        hexes = "".join(self.rng.choice("0123456789abcdef") for _ in range(16))
        return self.pick([f"FP-{hexes}", f"IRIS:{hexes[:12]}", f"VOICEPRINT-{hexes[:10].upper()}"])

    def other_id(self) -> str:
        return self.pick(
            [
                f"ACC{self.digits(8)}",
                f"RAD-{self.rng.randrange(2019, 2025)}-{self.digits(6)}",
                f"V{self.digits(9)}",
                f"S{self.digits(2)}-{self.digits(5)}",
            ]
        )

    def npi(self) -> str:
        return f"1{self.digits(9)}"

    def ipv4(self) -> str:
        return ".".join(str(self.rng.randrange(1, 255)) for _ in range(4))

    def ipv6(self) -> str:
        return (
            "2001:db8:"
            + ":".join(f"{self.rng.randrange(65536):x}" for _ in range(4))
            + "::"
            + f"{self.rng.randrange(65536):x}"
        )

    def session(self) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(24))
