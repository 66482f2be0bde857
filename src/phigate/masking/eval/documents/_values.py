"""Value makers: names, dates, contacts, identifiers and places in real-world shapes.

Everything draws from one seeded `random.Random` and one seeded Faker, so a
seed reproduces the corpus byte for byte. Formats follow public descriptions
(NANP, Ofcom, ACMA, Canada Post, Royal Mail, DEA and NPI check digits, VIN
character rules), not any detector.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any

from faker import Faker

from ._pools import FAMILY, GIVEN, MESES, MONTHS, VIET_MIDDLE

LOCALES = ("en_US", "en_GB", "en_CA", "en_AU", "es_MX", "es_ES", "de_DE", "fr_FR")


@dataclass(frozen=True)
class Name:
    """A person's name parts; `render` picks how a document writes it."""

    first: str
    last: str
    middle: str = ""

    def full(self) -> str:
        return " ".join(p for p in (self.first, self.middle, self.last) if p)


class Values:
    """Seeded source of every value a document style needs."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker(list(LOCALES))
        # A distinct seed per locale, so regions do not share their first street or city.
        for offset, locale in enumerate(LOCALES):
            self.fake[locale].seed_instance(seed * 101 + offset)

    # -- choice helpers -------------------------------------------------
    def pick(self, items: list[str] | tuple[str, ...]) -> str:
        return items[self.rng.randrange(len(items))]

    def pick_pair(self, items: list[tuple[str, str]]) -> tuple[str, str]:
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def letters(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase) for _ in range(n))

    # -- people ---------------------------------------------------------
    def person(self, locale: str = "") -> Name:
        """A name: mostly Faker's (several locales), a third from romanised pools."""
        culture = self.rng.choice(
            ["faker", "faker", "vietnamese", "arabic", "chinese", "irish", "hispanic"]
        )
        if culture == "faker" or locale:
            fk = self.fake[locale or self.pick(LOCALES)]
            middle = fk.first_name() if self.chance(0.15) else ""
            return Name(fk.first_name(), fk.last_name(), middle)
        middle = self.pick(VIET_MIDDLE) if culture == "vietnamese" and self.chance(0.6) else ""
        return Name(self.pick(GIVEN[culture]), self.pick(FAMILY[culture]), middle)

    def name_as(self, name: Name, form: str) -> str:
        """Write a name the way a given kind of document does."""
        forms = {
            "full": name.full(),
            "first": name.first,
            "last": name.last,
            "inverted": f"{name.last}, {name.first}",
            "caps": f"{name.last.upper()}, {name.first.upper()}",
            "lower": name.full().lower(),
            "initial": f"{name.first[0]}. {name.last}",
        }
        return forms[form]

    def username(self, name: Name) -> str:
        first = _ascii(name.first).lower().replace(" ", "")
        last = _ascii(name.last).lower().replace(" ", "").replace("'", "")
        shapes = [
            f"{first[0]}{last}",
            f"{first}.{last}",
            f"{last}{first[0]}{self.digits(2)}",
            f"{first}_{last[:3]}",
        ]
        return self.pick(shapes)

    def profession(self) -> str:
        return self.pick(
            [
                "electrician",
                "schoolteacher",
                "long-haul truck driver",
                "dental hygienist",
                "firefighter",
                "software engineer",
                "farmworker",
                "bus driver",
                "pastry chef",
                "retired machinist",
                "veterinary technician",
                "court stenographer",
                "welder",
                "profesora",
                "enfermera",
            ]
        )

    # -- dates and ages ---------------------------------------------------
    def date(self, style: str = "") -> str:
        """A calendar date in one of many written shapes, each finer than a year alone."""
        y, m, d = self.rng.randint(1931, 2026), self.rng.randint(1, 12), self.rng.randint(1, 28)
        style = style or self.pick(
            [
                "military",
                "ordinal",
                "slash_iso",
                "mon_dash",
                "us",
                "us",
                "iso",
                "long",
                "short_us",
                "eu_dot",
                "dmy_text",
                "us_dash",
                "nodash",
            ]
        )
        shapes = {
            "us": f"{m:02d}/{d:02d}/{y}",
            "iso": f"{y}-{m:02d}-{d:02d}",
            "long": f"{MONTHS[m - 1]} {d}, {y}",
            "short_us": f"{m}/{d}/{y % 100:02d}",
            "eu_dot": f"{d:02d}.{m:02d}.{y}",
            "dmy_text": f"{d} {MONTHS[m - 1][:3]} {y}",
            "us_dash": f"{m:02d}-{d:02d}-{y}",
            "nodash": f"{y}{m:02d}{d:02d}",
            "uk": f"{d:02d}/{m:02d}/{y}",
            "es": f"{d} de {MESES[m - 1]} de {y}",
            "es_slash": f"{d:02d}/{m:02d}/{y}",
            "month_day": f"{MONTHS[m - 1][:3]} {d}",
            "military": f"{d:02d}{MONTHS[m - 1][:3].upper()}{y}",
            "ordinal": f"{d}{_suffix(d)} {MONTHS[m - 1]} {y}",
            "slash_iso": f"{y}/{m:02d}/{d:02d}",
            "mon_dash": f"{MONTHS[m - 1][:3]}-{d:02d}-{y}",
        }
        return shapes[style]

    def old_age(self) -> str:
        return str(self.rng.randint(90, 104))

    def young_age(self) -> str:
        return str(self.rng.randint(1, 89))

    def year(self) -> str:
        return str(self.rng.randint(1960, 2026))

    def clock(self) -> str:
        return f"{self.rng.randint(0, 23):02d}{self.pick(['00', '15', '30', '45'])}"

    # -- contacts ---------------------------------------------------------
    def phone(self, region: str = "us") -> str:
        d = self.digits
        area = f"{self.rng.randint(2, 9)}{d(2)}"
        exch = f"{self.rng.randint(2, 9)}{d(2)}"
        shapes = {
            "us": [
                f"({area}) {exch}-{d(4)}",
                f"{area}-{exch}-{d(4)}",
                f"{area}.{exch}.{d(4)}",
                f"+1 {area} {exch} {d(4)}",
                f"1-{area}-{exch}-{d(4)}",
                f"{area}{exch}{d(4)}",
            ],
            "pr": [f"(787) {exch}-{d(4)}", f"939-{exch}-{d(4)}"],
            "uk": [
                f"020 7{d(3)} {d(4)}",
                f"07700 9{d(5)}",
                f"+44 7{d(3)} {d(6)}",
                f"0161 {d(3)} {d(4)}",
            ],
            "au": [f"(02) 9{d(3)} {d(4)}", f"04{d(2)} {d(3)} {d(3)}", f"+61 4{d(2)} {d(3)} {d(3)}"],
            "ca": [f"({area}) {exch}-{d(4)}", f"+1-{area}-{exch}-{d(4)}"],
            "mx": [f"+52 55 {d(4)} {d(4)}", f"(33) {d(4)}-{d(4)}", f"55 {d(4)} {d(4)}"],
            "es": [
                f"+34 6{d(2)} {d(3)} {d(3)}",
                f"91 {d(3)} {d(2)} {d(2)}",
                f"6{d(2)} {d(2)} {d(2)} {d(2)}",
            ],
            "de": [f"+49 30 {d(7)}", f"030 {d(8)}", f"0171 {d(7)}", f"+49 (0)89 {d(3)} {d(4)}"],
            "fr": [
                f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
                f"01 {d(2)} {d(2)} {d(2)} {d(2)}",
                f"06.{d(2)}.{d(2)}.{d(2)}.{d(2)}",
            ],
        }
        return self.pick(shapes[region])

    def email(self, name: Name | None = None) -> str:
        domain = self.pick(
            [
                "gmail.com",
                "yahoo.com",
                "outlook.com",
                "hotmail.co.uk",
                "icloud.com",
                "proton.me",
                "correo.mx",
                "telefonica.es",
                "bigpond.com.au",
            ]
        )
        if name is None:
            return self.fake["en_US"].email()
        return f"{self.username(name)}@{domain}"

    def url(self) -> str:
        host = self.fake["en_US"].domain_name()
        return self.pick(
            [
                f"https://{host}/patients/{self.digits(6)}",
                f"www.{host}",
                f"http://{host}/~{self.letters(3).lower()}",
                f"https://facebook.com/{self.letters(2).lower()}{self.digits(4)}",
            ]
        )

    def ip(self) -> str:
        r = self.rng.randint
        if self.chance(0.2):
            return f"2001:db8:{r(0, 65535):x}:{r(0, 65535):x}::{r(1, 255):x}"
        return f"{r(10, 223)}.{r(0, 255)}.{r(0, 255)}.{r(1, 254)}"

    # -- identifiers ------------------------------------------------------
    def ssn(self) -> str:
        area = self.rng.choice([n for n in range(1, 900) if n != 666])
        body = f"{area:03d}-{self.rng.randint(1, 99):02d}-{self.rng.randint(1, 9999):04d}"
        return body if self.chance(0.8) else body.replace("-", "")

    def mrn(self) -> str:
        return self.pick(
            [
                self.digits(7),
                f"{self.digits(3)}-{self.digits(2)}-{self.digits(2)}",
                f"M{self.digits(8)}",
                f"{self.digits(10)}",
                f"E{self.digits(6)}",
            ]
        )

    def member_id(self) -> str:
        return self.pick(
            [
                f"{self.letters(3)}{self.digits(9)}",
                f"W{self.digits(9)}",
                f"{self.digits(11)}A",
                f"1EG4-TE5-MK{self.digits(2)}"[:-2] + self.digits(2),
                f"ZGP{self.digits(8)}01",
            ]
        )

    def nhs_number(self) -> str:
        """An NHS number (3-3-4) whose tenth digit is the modulus 11 check; 10 is never issued."""
        while True:
            body = self.digits(9)
            check = 11 - sum(int(c) * (10 - i) for i, c in enumerate(body)) % 11
            if check != 10:
                text = body + str(check % 11)
                return f"{text[:3]} {text[3:6]} {text[6:]}"

    def mbi(self) -> str:
        """A Medicare Beneficiary Identifier in its printed 4-3-4 grouping."""
        d, a = self.digits, self.letters
        return f"{self.rng.randint(1, 9)}{a(1)}{a(1)}{d(1)}-{a(2)}{d(1)}-{a(2)}{d(2)}"

    def group_no(self) -> str:
        return self.pick(
            [
                self.digits(6),
                f"GRP-{self.digits(5)}",
                f"{self.digits(3)}{self.letters(2)}{self.digits(3)}",
            ]
        )

    def account(self) -> str:
        return self.pick(
            [
                f"{self.digits(10)}",
                f"ACCT-{self.digits(8)}",
                f"{self.digits(4)}-{self.digits(6)}",
                f"HAR {self.digits(9)}",
            ]
        )

    def claim_no(self) -> str:
        return self.pick(
            [f"{self.digits(13)}", f"CLM{self.digits(10)}", f"{self.digits(2)}-{self.digits(9)}"]
        )

    def npi(self) -> str:
        """A 10-digit NPI with a valid Luhn check digit over the 80840 prefix."""
        body = f"{self.rng.randint(1, 2)}{self.digits(8)}"
        return body + _luhn_check("80840" + body)

    def dea(self, last: str) -> str:
        """A DEA number: two letters and seven digits, the last a check digit."""
        d = [self.rng.randint(0, 9) for _ in range(6)]
        check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
        initial = _ascii(last)[:1].upper() or "X"
        return f"{self.pick(['A', 'B', 'F', 'M'])}{initial}{''.join(map(str, d))}{check}"

    def tax_id(self) -> str:
        return f"{self.rng.randint(10, 99)}-{self.digits(7)}"

    def license_no(self) -> str:
        return self.pick(
            [
                f"D{self.digits(7)}",
                f"{self.letters(1)}{self.digits(3)}-{self.digits(4)}-{self.digits(4)}",
                f"MD{self.digits(6)}",
                f"RN{self.digits(7)}",
                f"{self.digits(9)}",
            ]
        )

    def vin(self) -> str:
        alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        return "".join(self.rng.choice(alphabet) for _ in range(17))

    def plate(self) -> str:
        return self.pick(
            [
                f"{self.rng.randint(1, 9)}{self.letters(3)}{self.digits(3)}",
                f"{self.letters(2)}{self.digits(2)} {self.letters(3)}",
                f"{self.letters(3)}-{self.digits(4)}",
            ]
        )

    def device_serial(self) -> str:
        return self.pick(
            [
                f"SN{self.digits(8)}",
                f"{self.letters(3)}{self.digits(6)}{self.letters(1)}",
                f"(01){self.digits(14)}(21){self.letters(2)}{self.digits(6)}",
                f"{self.digits(4)}-{self.letters(4)}-{self.digits(4)}",
            ]
        )

    def biometric(self) -> str:
        return self.pick(
            [
                f"FP-{self.digits(4)}-{self.letters(4)}",
                f"voiceprint VP{self.digits(8)}",
                f"IRIS-{self.letters(2)}{self.digits(7)}",
                f"palm vein template {self.digits(6)}-{self.letters(2)}",
            ]
        )

    def generic_id(self, prefix: str = "") -> str:
        return (prefix or self.pick(["", "A", "S", "ACC", "CASE-", "ENC", "W"])) + self.digits(
            self.rng.randint(6, 10)
        )

    # -- places -----------------------------------------------------------
    def address(self, region: str = "us") -> Address:
        """A street line, city, region (state/province, a decoy), postcode and country."""
        loc = _REGION_LOCALE[region]
        fk = self.fake[loc]
        street = fk.street_address()
        city = fk.city()
        postcode = self._postcode(fk, region)
        state = self._region(fk, region)
        country = _COUNTRY[region]
        return Address(
            " ".join(street.split()), city.strip(), state.strip(), str(postcode).strip(), country
        )

    def _postcode(self, fk: Any, region: str) -> str:
        if region == "us":
            return str(fk.zipcode() if self.chance(0.8) else fk.zipcode_plus4())
        if region == "pr":
            return f"009{self.rng.randint(10, 99)}"
        if region == "ca":
            return _spaced_postcode(str(fk.postcode()), self.chance(0.7))
        return str(fk.postcode())

    def _region(self, fk: Any, region: str) -> str:
        """The state, province or community: readable under Safe Harbor, so a decoy."""
        if region in ("us", "au"):
            return str(fk.state_abbr())
        if region == "ca":
            return str(fk.province_abbr())
        if region == "es":
            return str(fk.autonomous_community())
        if region in ("mx", "de"):
            return str(fk.state())
        if region == "fr":
            return str(fk.region())
        return "PR" if region == "pr" else self.pick(["England", "Scotland", "Wales"])

    def hospital(self, city: str = "", spanish: bool = False) -> str:
        city = city or self.fake["en_US"].city()
        if spanish:
            return self.pick(
                [
                    f"Hospital General de {city}",
                    f"Clínica {self.fake['es_MX'].last_name()}",
                    "Hospital Universitario "
                    + self.pick(["La Paz", "Virgen del Rocío", "de Caguas"]),
                    f"Centro de Salud {city}",
                    f"Hospital San {self.pick(['Rafael', 'Juan de Dios', 'José'])}",
                ]
            )
        return self.pick(
            [
                f"{city} General Hospital",
                f"St. {self.pick(['Brigid', 'Luke', 'Agnes', 'Jude'])}'s Medical Center",
                f"Mercy Hospital of {city}",
                f"{city} Regional Medical Center",
                f"Hospital San {self.pick(['Rafael', 'Juan de Dios', 'José'])}",
                f"Royal {city} Infirmary",
                f"{self.fake['en_US'].last_name()} Memorial Hospital",
            ]
        )

    def pharmacy(self) -> str:
        return self.pick(
            [
                f"{self.fake['en_US'].last_name()} Pharmacy",
                f"Farmacia {self.fake['es_MX'].last_name()}",
                f"{self.fake['en_GB'].last_name()} Chemists",
                f"{self.fake['en_US'].city()} Community Apothecary",
            ]
        )

    def payer(self) -> str:
        return self.pick(
            [
                f"{self.fake['en_US'].last_name()} Mutual",
                f"{self.fake['en_US'].company()} Health",
                f"{self.fake['en_US'].city()} Community Care",
                f"Seguros {self.fake['es_MX'].last_name()}",
            ]
        )

    def organization(self) -> str:
        return self.pick(
            [
                self.fake["en_US"].company(),
                self.fake["en_GB"].company(),
                self.fake["es_MX"].company(),
                f"{self.fake['en_US'].city()} Unified School District",
                f"{self.fake['en_US'].last_name()} Elementary School",
                f"{self.fake['en_US'].last_name()} Pharmacy",
                f"Iglesia {self.pick(['Bautista', 'Pentecostal'])} de {self.fake['es_MX'].city()}",
            ]
        )


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    postcode: str
    country: str


_REGION_LOCALE = {
    "us": "en_US",
    "pr": "es_MX",
    "uk": "en_GB",
    "ca": "en_CA",
    "au": "en_AU",
    "mx": "es_MX",
    "es": "es_ES",
    "de": "de_DE",
    "fr": "fr_FR",
}
_COUNTRY = {
    "us": "USA",
    "pr": "Puerto Rico",
    "uk": "United Kingdom",
    "ca": "Canada",
    "au": "Australia",
    "mx": "México",
    "es": "España",
    "de": "Deutschland",
    "fr": "France",
}


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _luhn_check(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def _spaced_postcode(code: str, spaced: bool) -> str:
    """Canada Post writes a space between the two halves; forms often drop it."""
    compact = code.replace(" ", "")
    return f"{compact[:3]} {compact[3:]}" if spaced else compact


def _suffix(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
