"""An independent labelled corpus, written without reference to the detectors.

Its document styles and value formats come from public descriptions only: the
HIPAA Safe Harbor list of 18 identifiers, the i2b2/n2c2 2014 de-identification
annotation categories, HL7 v2 and FHIR R4 message shapes, GS1 and HIBCC UDI
syntax, and real-world record, licence and phone formats. Every span is exact:
the builder records what it inserts and asserts it afterwards.

Labelling conventions (close to i2b2): a title (``Dr.``) is not part of a
name; an age span is the number or number word only (``93`` in
``93-year-old``); a street line, a city, and a ZIP are separate spans and a
state is a decoy; timestamps that carry a calendar date are ``DATE``; medical
record, chart and unit numbers are ``MRN``, billing accounts ``ACCOUNT_NUMBER``,
encounter, order, accession and specimen numbers ``ID``; passwords, API keys
and bearer tokens are ``SECRET``.

Usage: ``python -m phigate.masking.eval.independent --seed 7 --n 600 --out F.jsonl``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import string
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from faker import Faker

from phigate.masking import entities as e
from phigate.masking.eval.corpus import Document

# ---------------------------------------------------------------- building


class _Builder:
    """Appends text piece by piece and records exact spans of PHI and decoys."""

    def __init__(self, ocr: _Ocr | None = None) -> None:
        self._parts: list[str] = []
        self._pos = 0
        self._ocr = ocr
        self.phi: list[tuple[int, int, str]] = []
        self.decoys: list[tuple[int, int, str]] = []
        self._expect: list[tuple[int, int, str]] = []

    def _add(self, s: str, strip: bool = True) -> tuple[int, int]:
        if self._ocr is not None:
            s = self._ocr(s, strip)
        start = self._pos
        self._parts.append(s)
        self._pos += len(s)
        if s:
            self._expect.append((start, self._pos, s))
        return start, self._pos

    def text(self) -> str:
        return "".join(self._parts)

    def t(self, s: str) -> _Builder:
        self._add(s, strip=False)
        return self

    def p(self, s: str, entity: str) -> _Builder:
        assert entity in e.BUILTIN_TYPES, entity
        assert s.strip() == s and s, repr(s)
        start, end = self._add(s)
        self.phi.append((start, end, entity))
        return self

    def d(self, s: str, kind: str) -> _Builder:
        assert s.strip() == s and s, repr(s)
        start, end = self._add(s)
        self.decoys.append((start, end, kind))
        return self

    def doc(self, kind: str) -> Document:
        text = "".join(self._parts)
        for start, end, s in self._expect:
            assert text[start:end] == s
        spans = sorted(self.phi + self.decoys)
        for (_, end1, _), (start2, _, _) in itertools.pairwise(spans):
            assert end1 <= start2, (kind, text)
        for start, end, _ in spans:
            assert 0 <= start < end <= len(text)
            assert text[start:end].strip() == text[start:end], (kind, text[start:end])
        return Document(kind, text, sorted(self.phi), sorted(self.decoys))


class _Ocr:
    """Corrupts text like a poor scan: l/1 and O/0 swaps, stray and lost spaces."""

    SWAPS: ClassVar[dict[str, str]] = {
        "l": "1",
        "1": "l",
        "O": "0",
        "0": "O",
        "I": "l",
        "S": "5",
        "m": "rn",
        "e": "c",
    }

    def __init__(self, rng: random.Random, rate: float) -> None:
        self.rng = rng
        self.rate = rate

    def __call__(self, s: str, strip: bool = True) -> str:
        out = []
        for i, ch in enumerate(s):
            r = self.rng.random()
            if ch in self.SWAPS and r < self.rate:
                out.append(self.SWAPS[ch])
            elif ch == " " and r < self.rate and 0 < i < len(s) - 1:
                out.append(self.rng.choice(["", "  ", "\n"]))
            elif ch.isalnum() and r > 1 - self.rate / 3 and 0 < i < len(s) - 1:
                out.append(ch + " ")
            else:
                out.append(ch)
        res = "".join(out)
        return (res.strip() or s) if strip else res


# ---------------------------------------------------------------- values

_VI_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Đặng", "Bùi")
_VI_GIVEN = ("Thị Lan", "Văn Minh", "Thu Hà", "Quốc Bảo", "Ngọc Anh", "Đức Huy", "Minh Châu")
_VI_ASCII = {"Nguyễn": "Nguyen", "Trần": "Tran", "Lê": "Le", "Phạm": "Pham", "Hoàng": "Hoang"}
_ES_GIVEN = ("María José", "Juan Carlos", "Guadalupe", "Alejandro", "Itzel", "Rodrigo", "Ximena")
_ES_FAMILY = (
    "de la Garza",
    "del Río",
    "de los Santos",
    "García Márquez",
    "Villarreal",
    "de León",
    "Fernández de Córdoba",
    "Ibarra Quiñones",
)
_PL_GIVEN = ("Małgorzata", "Krzysztof", "Wojciech", "Agnieszka", "Grzegorz", "Paweł", "Żaneta")
_PL_FAMILY = (
    "Wiśniewski",
    "Kowalczyk",
    "Szczepańska",
    "Grzybowski",
    "Wróblewska",
    "Przybylski",
    "Jędrzejczak",
    "Brzęczyszczykiewicz",
)
_AR_GIVEN = ("Mohammed", "Fatima", "Abdulrahman", "Noor", "Khalid", "Aisha", "Youssef", "Mariam")
_AR_FAMILY = ("Al-Hashimi", "bin Saleh", "El-Sayed", "Haddad", "Al Nuaimi", "Abdel-Rahman")
_NG_GIVEN = ("Chukwuemeka", "Ngozi", "Oluwaseun", "Adebayo", "Chiamaka", "Obinna", "Funmilayo")
_NG_FAMILY = ("Okonkwo", "Adeyemi", "Eze", "Olawale", "Nwachukwu", "Babatunde", "Ogunleye")
_ZH_GIVEN = ("Xiaoming", "Wei", "Jiahui", "Zhiqiang", "Meilin", "Haoran", "Yuxuan", "Xin")
_ZH_FAMILY = ("Zhang", "Wang", "Li", "Liu", "Chen", "Huang", "Zhou", "Xu")
# Given names that are also ordinary English words: used as names here, as words in decoys.
_WORD_NAMES = ("Hope", "Grant", "Will", "May", "Faith", "Joy", "Rose", "Bill")
_ORIGINS = ("en", "vi", "es", "pl", "ar", "ng", "zh")

_REAL_CITIES = (
    "Worcester",
    "Lowell",
    "Chelsea",
    "Tucson",
    "Flagstaff",
    "Dearborn",
    "Hamtramck",
    "Brownsville",
    "Laredo",
    "Bemidji",
    "Presque Isle",
    "Truth or Consequences",
    "Fall River",
    "Yakima",
)
_STATES = (
    ("Massachusetts", "MA"),
    ("Texas", "TX"),
    ("Arizona", "AZ"),
    ("Michigan", "MI"),
    ("Maine", "ME"),
    ("Minnesota", "MN"),
    ("Washington", "WA"),
    ("New Mexico", "NM"),
    ("Ohio", "OH"),
    ("Georgia", "GA"),
)
_FOREIGN = (
    ("12 Rue de Rivoli", "75001", "Paris", "France", "{street}, {pc} {city}"),
    ("221B Baker Street", "NW1 6XE", "London", "United Kingdom", "{street}, {city} {pc}"),
    ("Invalidenstraße 117", "10115", "Berlin", "Germany", "{street}, {pc} {city}"),
    ("ul. Marszałkowska 84/92", "00-514", "Warszawa", "Poland", "{street}, {pc} {city}"),
    ("Calle de Alcalá 48", "28014", "Madrid", "Spain", "{street}, {pc} {city}"),
    ("45 Nguyễn Huệ", "700000", "Thành phố Hồ Chí Minh", "Vietnam", "{street}, {city} {pc}"),
    ("14 Awolowo Road", "101233", "Ikoyi, Lagos", "Nigeria", "{street}, {city} {pc}"),
    ("Via Roma 12", "10121", "Torino", "Italy", "{street}, {pc} {city}"),
    ("3 Rosebery Crescent", "EH12 5JY", "Edinburgh", "Scotland", "{street}, {city} {pc}"),
)
_MONTHS = (
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
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen")
_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy"}
_TENS |= {8: "eighty", 9: "ninety"}

_DRUGS = (
    ("metoprolol tartrate", "25 mg", "PO BID"),
    ("apixaban", "5 mg", "twice daily"),
    ("lisinopril", "10 mg", "daily"),
    ("furosemide", "40 mg", "IV q12h"),
    ("insulin glargine", "22 units", "at bedtime"),
    ("levothyroxine", "88 mcg", "every morning"),
    ("oxycodone", "5 mg", "q6h PRN"),
    ("ceftriaxone", "1 g", "IV every 24 hours"),
    ("carbidopa-levodopa", "25/100 mg", "TID"),
    ("sertraline", "50 mg", "once daily"),
    ("Eliquis", "2.5 mg", "BID"),
    ("Lasix", "20 mg", "every other day"),
)
_EPONYMS = (
    ("Parkinson", "'s disease"),
    ("Hodgkin", " lymphoma"),
    ("Apgar", " scores 8 and 9"),
    ("Glasgow", " Coma Scale 14"),
    ("Cushing", " syndrome"),
    ("Crohn", "'s disease"),
    ("Graves", "' disease"),
    ("Bell", "'s palsy"),
    ("Alzheimer", " dementia"),
    ("Wernicke", " encephalopathy"),
    ("Addison", "'s disease"),
    ("Hashimoto", " thyroiditis"),
)
_DEPTS = (
    "Cardiology",
    "Emergency Department",
    "4 West Med-Surg",
    "MICU",
    "Interventional Radiology",
    "Oncology Infusion Center",
    "Pulmonary Clinic",
    "Labor and Delivery",
    "Geriatrics",
    "Wound Care",
)
_CODES = (
    ("ICD-10", "I10"),
    ("ICD-10", "E11.9"),
    ("ICD-10", "J18.9"),
    ("ICD-10", "N17.9"),
    ("ICD-10", "G20"),
    ("CPT", "99214"),
    ("CPT", "71046"),
    ("CPT", "93306"),
    ("LOINC", "4548-4"),
    ("LOINC", "2345-7"),
    ("LOINC", "718-7"),
    ("SNOMED", "44054006"),
    ("SNOMED", "38341003"),
)
_LABS = (
    "Hgb 11.2 g/dL",
    "Na 138 mmol/L",
    "K 4.1",
    "Cr 1.34 mg/dL",
    "A1c 7.8%",
    "WBC 12.4",
    "INR 2.3",
    "TSH 0.41",
    "BNP 1,240 pg/mL",
    "glucose 182",
    "troponin <0.01",
)
_VITALS = ("BP 132/84", "HR 88", "SpO2 97% RA", "T 37.9 C", "RR 18", "BP 104/62", "Wt 71.4 kg")
_VERSIONS = ("Epic 2023.1.2", "v4.12.0", "HL7 v2.5.1", "Python 3.11.4", "nginx/1.25.3", "FHIR R4")
_PUBLIC_URLS = (
    "https://www.cdc.gov/flu/treatment/index.html",
    "nih.gov",
    "https://medlineplus.gov/ency/article/000468.htm",
    "www.fda.gov/medwatch",
    "https://www.nlm.nih.gov/research/umls/",
)
_PORTAL_HOSTS = (
    "mychart.stlukes-health.org",
    "portal.bayviewmedical.com",
    "followmyhealth.lakeshoreclinic.net",
    "patient.riverbendhc.org",
)
_EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "comcast.net", "wp.pl")


@dataclass
class _Name:
    given: str
    family: str
    origin: str

    def full(self) -> str:
        if self.origin == "zh" and self.given and len(self.family) < 6 and self.given[0] == "X":
            return f"{self.family.upper()} {self.given}"
        return f"{self.given} {self.family}"

    def ascii_family(self) -> str:
        return _fold(self.family)

    def ascii_given(self) -> str:
        return _fold(self.given)


def _fold(s: str) -> str:

    s = s.replace("ł", "l").replace("Ł", "L").replace("đ", "d").replace("Đ", "D")
    norm = unicodedata.normalize("NFKD", s)
    return "".join(c for c in norm if not unicodedata.combining(c))


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


class _Values:
    """Random PHI and decoy values in many real-world shapes."""

    def __init__(self, rng: random.Random, fake: Faker) -> None:
        self.rng = rng
        self.fake = fake

    def c(self, seq: Sequence[str]) -> str:
        return self.rng.choice(seq)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def letters(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase) for _ in range(n))

    # names
    def name(self, origin: str | None = None) -> _Name:
        o = origin or self.rng.choice(_ORIGINS)
        pools = {
            "vi": (_VI_GIVEN, _VI_FAMILY),
            "es": (_ES_GIVEN, _ES_FAMILY),
            "pl": (_PL_GIVEN, _PL_FAMILY),
            "ar": (_AR_GIVEN, _AR_FAMILY),
            "ng": (_NG_GIVEN, _NG_FAMILY),
            "zh": (_ZH_GIVEN, _ZH_FAMILY),
        }
        if o == "en":
            return _Name(self.fake.first_name(), self.fake.last_name(), o)
        given, family = pools[o]
        fam = self.c(family)
        if o == "vi" and self.rng.random() < 0.3:
            fam = _VI_ASCII.get(fam, fam)
        return _Name(self.c(given), fam, o)

    def styled(self, n: _Name) -> str:
        """A whole name in one of many renderings."""
        r = self.rng.random()
        if r < 0.35:
            return n.full()
        if r < 0.5:
            return f"{n.family}, {n.given}"
        if r < 0.6:
            return n.full().upper()
        if r < 0.7:
            return n.full().lower()
        if r < 0.8:
            return f"{n.given[0]}. {n.family}"
        if r < 0.9:
            return f"{n.family.upper()}, {n.given.upper()}"
        return f"{n.given} {self.letters(1)}. {n.family}"

    def provider(self) -> _Name:
        if self.rng.random() < 0.15:
            return _Name(self.c(_WORD_NAMES), self.fake.last_name(), "en")
        return self.name()

    # dates
    def date(self, lo: int = 1926, hi: int = 2026) -> dt.date:
        start = dt.date(lo, 1, 1).toordinal()
        end = dt.date(hi, 12, 31).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))

    def fmt_date(self, d: dt.date, style: str | None = None) -> str:
        mon = _MONTHS[d.month - 1]
        styles = {
            "dd-MON-yyyy": f"{d.day:02d}-{mon[:3].upper()}-{d.year}",
            "dd-Mon-yy": f"{d.day:02d}-{mon[:3]}-{d.year % 100:02d}",
            "dd.mm.yyyy": f"{d.day:02d}.{d.month:02d}.{d.year}",
            "long_weekday": f"{_DAYS[d.weekday()]}, {mon} {d.day}, {d.year}",
            "ordinal_of": f"{_ordinal(d.day)} of {mon}",
            "iso": d.isoformat(),
            "us": f"{d.month}/{d.day}/{d.year}",
            "us_pad2": f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}",
            "mon_d_yyyy": f"{mon[:3]} {d.day}, {d.year}",
            "d_month_yyyy": f"{d.day} {mon} {d.year}",
            "month_ordinal": f"{mon} {_ordinal(d.day)}",
            "mon_yyyy": f"{mon[:3]} {d.year}",
            "compact": f"{d.year}{d.month:02d}{d.day:02d}",
            "us_dash": f"{d.month:02d}-{d.day:02d}-{d.year}",
            "slash_eu": f"{d.day}/{d.month}/{d.year}",
        }
        return styles[style or self.c(tuple(styles))]

    def any_date(self, lo: int = 1926, hi: int = 2026) -> str:
        return self.fmt_date(self.date(lo, hi))

    def recent(self) -> dt.date:
        return self.date(2016, 2026)

    def timestamp(self, style: str | None = None) -> str:
        d = self.recent()
        h, m, s = self.rng.randint(0, 23), self.rng.randint(0, 59), self.rng.randint(0, 59)
        styles = {
            "iso_z": f"{d.isoformat()}T{h:02d}:{m:02d}:{s:02d}Z",
            "iso_ms": f"{d.isoformat()}T{h:02d}:{m:02d}:{s:02d}.{self.digits(3)}-05:00",
            "us_time": f"{d.month:02d}/{d.day:02d}/{d.year} {h:02d}:{m:02d}",
            "oracle": f"{d.day:02d}-{_MONTHS[d.month - 1][:3].upper()}-{d.year} {h:02d}:{m:02d}",
            "space": f"{d.isoformat()} {h:02d}:{m:02d}:{s:02d},{self.digits(3)}",
            "hl7": f"{d.year}{d.month:02d}{d.day:02d}{h:02d}{m:02d}{s:02d}",
            "ampm": f"{d.month}/{d.day}/{d.year % 100:02d} {h % 12 or 12}:{m:02d} "
            + ("PM" if h >= 12 else "AM"),
        }
        return styles[style or self.c(tuple(styles))]

    def time(self) -> str:
        h, m = self.rng.randint(0, 23), self.c(("00", "15", "30", "45", "05", "40"))
        return self.c((f"{h:02d}:{m}", f"{h % 12 or 12}:{m} {'PM' if h >= 12 else 'AM'}"))

    # ages: (before, value, after); value is the span
    def age_parts(self, old: bool) -> tuple[str, str, str]:
        n = self.rng.randint(90, 108) if old else self.rng.randint(18, 89)
        word = self.rng.random() < 0.2
        v = _number_words(n) if word else str(n)
        forms: tuple[tuple[str, str, str], ...] = (
            ("a ", v, "-year-old"),
            ("", v, "yo"),
            ("", v, " y/o"),
            ("", v, " y.o."),
            ("aged ", v, ""),
            ("age ", v, ""),
            ("", v, " years of age"),
            ("a ", v, "-yr-old"),
            ("", v, " yrs old"),
            ("", v, "-years-old"),
            ("", v, "M" if self.rng.random() < 0.5 else "F"),
        )
        if word:
            forms = (("a ", v, "-year-old"), ("", v, " years old"), ("aged ", v, ""))
        return self.rng.choice(forms)

    # record numbers
    def mrn(self) -> tuple[str, str]:
        label = self.c(
            (
                "MRN:",
                "Med Rec No.",
                "Hospital #",
                "UMRN",
                "MR#",
                "chart",
                "Medical record number",
                "Unit No.",
                "MRN",
                "Chart #",
                "Hosp. No:",
            )
        )
        shape = self.rng.randint(0, 6)
        value = (
            self.digits(7),
            self.digits(8),
            f"{self.digits(2)}-{self.digits(3)}-{self.digits(3)}",
            "M" + self.digits(7),
            f"{self.letters(2)}-{self.digits(7)}",
            "E" + self.digits(8),
            f"{self.digits(3)} {self.digits(2)} {self.digits(2)}",
        )[shape]
        return label, value

    def account(self) -> tuple[str, str]:
        label = self.c(("Acct #", "Account No.", "Billing acct", "Guarantor account", "HAR"))
        value = self.c(
            (
                "A" + self.digits(11),
                f"{self.digits(4)}-{self.digits(4)}-{self.digits(2)}",
                self.digits(10),
                "HB" + self.digits(9),
            )
        )
        return label, value

    def enc_id(self) -> tuple[str, str]:
        label = self.c(("Enc #", "CSN", "Visit ID", "Order #", "Encounter No.", "FIN", "Req #"))
        value = self.c(
            (self.digits(10), f"V{self.digits(8)}", f"ORD-{self.digits(6)}", f"{self.digits(9)}")
        )
        return label, value

    def accession(self) -> str:
        return self.c(
            (
                f"RA-{self.rng.randint(2016, 2026)}-{self.digits(7)}",
                f"S{self.rng.randint(16, 26)}-{self.digits(5)}",
                f"CT{self.digits(8)}",
                f"SP-{self.digits(2)}-{self.digits(6)}",
            )
        )

    def member(self) -> tuple[str, str]:
        label = self.c(
            ("Member ID", "Subscriber #", "Medicaid ID", "Policy No.", "Medicare MBI", "Plan ID")
        )
        value = self.c(
            (
                self.letters(3) + self.digits(9),
                "W" + self.digits(10),
                f"MCD-{self.digits(8)}",
                f"{self.digits(1)}{self.letters(2)}{self.digits(1)}-{self.letters(2)}"
                f"{self.digits(1)}-{self.letters(2)}{self.digits(2)}",
                f"{self.letters(1)}{self.digits(8)} {self.digits(2)}",
            )
        )
        return label, value

    def ssn(self) -> str:
        a = self.rng.randint(1, 665)
        g, s = self.rng.randint(1, 99), self.rng.randint(1, 9999)
        return self.c(
            (f"{a:03d}-{g:02d}-{s:04d}", f"{a:03d}{g:02d}{s:04d}", f"{a:03d} {g:02d} {s:04d}")
        )

    def dl(self) -> tuple[str, str]:
        d = self.digits
        shapes = (
            ("CA", self.letters(1) + d(7)),
            ("NY", f"{d(3)} {d(3)} {d(3)}"),
            ("FL", f"{self.letters(1)}{d(3)}-{d(3)}-{d(2)}-{d(3)}-{d(1)}"),
            ("IL", f"{self.letters(1)}{d(3)}-{d(4)}-{d(4)}"),
            ("TX", d(8)),
            ("MA", "S" + d(8)),
            (
                "WA",
                "WDL"
                + "".join(
                    self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(9)
                ),
            ),
            ("MI", f"{self.letters(1)} {d(3)} {d(3)} {d(3)} {d(3)}"),
        )
        return self.rng.choice(shapes)

    def prof_license(self) -> tuple[str, str]:
        return self.rng.choice(
            (
                ("RN license", f"RN{self.digits(7)}"),
                ("Board certificate no.", f"{self.digits(5)}-{self.letters(2)}"),
                ("Medical license", f"MD.{self.digits(6)}"),
                ("Lic#", f"{self.letters(1)}{self.digits(5)}"),
                ("CDL", f"{self.letters(2)}{self.digits(6)}"),
            )
        )

    def npi(self) -> str:
        body = "1" + self.digits(8) if self.rng.random() < 0.5 else "2" + self.digits(8)
        return body + _luhn_digit("80840" + body)

    def dea(self) -> str:
        letters = self.c(("A", "B", "F", "M")) + self.letters(1)
        ds = [int(self.rng.choice(string.digits)) for _ in range(6)]
        check = (ds[0] + ds[2] + ds[4] + 2 * (ds[1] + ds[3] + ds[5])) % 10
        return letters + "".join(map(str, ds)) + str(check)

    def credit_card(self) -> str:
        body = self.c(("4", "51", "37")) + self.digits(14 if self.rng.random() < 0.8 else 13)
        body = body[:15]
        num = body + _luhn_digit(body)
        return self.c((num, " ".join(num[i : i + 4] for i in range(0, 16, 4))))

    def iban(self) -> str:
        country, bban = self.c(("DE", "GB", "FR")), ""
        if country == "DE":
            bban = self.digits(18)
        elif country == "GB":
            bban = self.c(("NWBK", "BARC", "HBUK")) + self.digits(14)
        else:
            bban = self.digits(23)
        rearr = bban + country + "00"
        num = int("".join(str(int(ch, 36)) for ch in rearr))
        raw = f"{country}{98 - num % 97:02d}{bban}"
        return self.c((raw, " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))))

    def device(self) -> tuple[str, str]:
        yy = self.rng.randint(25, 31)
        return self.rng.choice(
            (
                (
                    "Serial #",
                    f"{self.letters(2)}{self.digits(1)}-{self.digits(5)}{self.letters(1)}",
                ),
                ("SN:", self.letters(3) + self.digits(9)),
                (
                    "UDI",
                    f"(01){self.digits(14)}(17){yy}{self.rng.randint(1, 12):02d}"
                    f"{self.rng.randint(1, 28):02d}(10){self.letters(1)}{self.digits(4)}"
                    f"(21){self.digits(8)}",
                ),
                (
                    "UDI",
                    f"+H{self.digits(3)}{self.letters(2)}{self.digits(6)}/$${yy}0{self.digits(3)}{self.letters(3)}{self.digits(2)}",
                ),
                ("pacemaker s/n", f"PJN{self.digits(6)}S"),
                ("Insulin pump SN", f"{self.digits(4)}-{self.letters(4)}{self.digits(3)}"),
            )
        )

    def url(self, who: _Name | None = None) -> str:
        host = self.c(_PORTAL_HOSTS)
        pid = self.digits(6)
        return self.c(
            (
                f"https://{host}/MyChart/Billing/Details?acct={self.digits(9)}",
                f"{host}/patients/{pid}/results",
                f"https://{host}/p/{self.letters(3).lower()}{self.digits(4)}",
                f"http://{host}/share/{pid}?token={self.digits(5)}",
                f"{host}/records/{pid}",
            )
        )

    def email(self, n: _Name) -> str:
        g, f = n.ascii_given().lower().replace(" ", ""), n.ascii_family().lower()
        f = f.replace(" ", "").replace("'", "")
        local = self.c(
            (f"{g}.{f}", f"{g[0]}{f}{self.rng.randint(1, 99)}", f"{f}_{g}", f"{g}{f[:1]}")
        )
        return f"{local}@{self.c(_EMAIL_DOMAINS)}"

    def staff_email(self, n: _Name) -> str:
        g, f = n.ascii_given().lower().replace(" ", ""), n.ascii_family().lower()
        f = f.replace(" ", "").replace("'", "")
        return (
            f"{g[0]}{f}@{self.c(('bayviewmedical.com', 'riverbendhc.org', 'lakeshoreclinic.net'))}"
        )

    def ip(self) -> str:
        r = self.rng.randint
        if self.rng.random() < 0.15:
            return (
                "2001:db8:"
                + ":".join(f"{r(0, 65535):x}" for _ in range(4))
                + "::"
                + f"{r(1, 999):x}"
            )
        first = self.c(("10", "172", "192", str(r(11, 223))))
        return f"{first}.{r(0, 255)}.{r(0, 255)}.{r(1, 254)}"

    def phone(self) -> str:
        a = self.c(("617", "508", "413", "512", "520", "313", "207", "971", "404"))
        x, y = f"{self.rng.randint(200, 989)}", self.digits(4)
        return self.c(
            (
                f"({a}) {x}-{y}",
                f"{a}-{x}-{y}",
                f"{a}.{x}.{y}",
                f"+1 {a} {x} {y}",
                f"1-{a}-{x}-{y}",
                f"{a}{x}{y}",
                f"({a}) {x}-{y} ext. {self.digits(3)}",
                f"{a}-{x}-{y} x{self.digits(4)}",
                f"+44 20 7946 0{self.digits(3)}",
                f"+49 30 {self.digits(6)}",
                f"+33 1 42 {self.digits(2)} {self.digits(2)} {self.digits(2)}",
                f"+84 28 {self.digits(4)} {self.digits(4)}",
                f"+234 803 {self.digits(3)} {self.digits(4)}",
            )
        )

    def spoken_phone(self) -> str:
        ds = self.c(("617", "508", "413")) + self.digits(7)
        w = [_UNITS[int(c)] for c in ds]
        return f"{' '.join(w[:3])}, {' '.join(w[3:6])}, {' '.join(w[6:])}"

    def street(self) -> str:
        if self.rng.random() < 0.5:
            return str(self.fake.street_address())
        num = self.rng.randint(2, 9800)
        name = self.c(("Tremont", "Blue Hill", "Calle Ocho", "Elm", "Martin Luther King Jr"))
        suff = self.c(("St", "Street", "Ave", "Blvd", "Rd.", "Way", "Ct"))
        unit = self.c(("", f" Apt {self.rng.randint(1, 40)}", f", Unit {self.letters(1)}", " #3R"))
        return f"{num} {self.c(('', 'N. ', 'SW '))}{name} {suff}{unit}"

    def city(self) -> str:
        if self.rng.random() < 0.5:
            return self.c(_REAL_CITIES)
        return str(self.fake.city())

    def state(self) -> tuple[str, str]:
        return self.rng.choice(_STATES)

    def zip(self) -> str:
        z = self.digits(5)
        return z if self.rng.random() < 0.7 else f"{z}-{self.digits(4)}"

    def plate(self) -> str:
        vin_chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        return self.c(
            (
                f"{self.digits(1)}{self.letters(3)}{self.digits(3)}",
                f"{self.letters(3)}-{self.digits(4)}",
                f"{self.letters(2)} {self.digits(5)}",
                "".join(self.rng.choice(vin_chars) for _ in range(17)),
            )
        )

    def secret(self) -> str:
        alnum = string.ascii_letters + string.digits
        tok = "".join(self.rng.choice(alnum) for _ in range(32))
        return self.c(
            (
                "sk_live_" + tok[:24],
                "AKIA" + self.letters(16),
                "ghp_" + tok[:36],
                "eyJhbGciOiJIUzI1NiJ9." + tok[:20] + "." + tok[12:30],
                tok,
            )
        )

    def password(self) -> str:
        return self.c(
            ("Tr0ub4dor&3", "S3cr3t!2024", "hunter2hunter2", "Pa55w0rd_ehr", "zX9#qL2$")
        ) + self.digits(2)

    def biometric(self) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(40))

    # decoys
    def drug(self) -> tuple[str, str, str]:
        return self.rng.choice(_DRUGS)

    def eponym(self) -> tuple[str, str]:
        return self.rng.choice(_EPONYMS)

    def code(self) -> tuple[str, str]:
        return self.rng.choice(_CODES)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _number_words(n: int) -> str:
    if n >= 100:
        rest = n - 100
        return "one hundred" + (f" and {_number_words(rest)}" if rest else "")
    if n < 10:
        return _UNITS[n]
    if n < 17:
        return _TEENS[n - 10]
    if n < 20:
        return _UNITS[n - 10] + "teen" if n != 18 else "eighteen"
    tens, unit = divmod(n, 10)
    return _TENS[tens] + (f"-{_UNITS[unit]}" if unit else "")


# ---------------------------------------------------------------- shared fragments


class _Writer:
    """Writes fragments into a builder; one method per recurring piece."""

    def __init__(self, v: _Values, b: _Builder) -> None:
        self.v = v
        self.b = b
        self.rng = v.rng

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def name(self, n: _Name, style: bool = True) -> None:
        self.b.p(self.v.styled(n) if style else n.full(), e.PERSON)

    def doctor(self, n: _Name | None = None) -> None:
        n = n or self.v.provider()
        r = self.rng.random()
        if r < 0.2:
            self.b.t("Dr.").p(n.family, e.PERSON)
        elif r < 0.5:
            self.b.t("Dr. ").p(n.family, e.PERSON)
        elif r < 0.7:
            self.b.p(f"{n.given} {n.family}", e.PERSON).t(", MD")
        elif r < 0.85:
            self.b.t("Dr ").p(f"{n.given[0]}. {n.family}", e.PERSON)
        else:
            self.b.p(f"{n.family.upper()}, {n.given.upper()}", e.PERSON).t(" (attending)")

    def age(self, old: bool | None = None) -> None:
        is_old = self.chance(0.5) if old is None else old
        before, value, after = self.v.age_parts(is_old)
        self.b.t(before)
        if is_old:
            self.b.p(value, e.AGE)
        else:
            self.b.d(value, "age_under_90")
        self.b.t(after)

    def drug(self) -> None:
        name, dose, sched = self.v.drug()
        self.b.d(name, "drug").t(" ").d(dose, "dose").t(" ").d(sched, "schedule")

    def eponym(self) -> None:
        name, rest = self.v.eponym()
        self.b.d(name, "eponym").t(rest)

    def code(self) -> None:
        system, value = self.v.code()
        self.b.t(f"{system} ").d(value, "code")

    def lab(self) -> None:
        self.b.d(self.v.c(_LABS), "lab_value")

    def vital(self) -> None:
        self.b.d(self.v.c(_VITALS), "vital")

    def dept(self) -> None:
        self.b.d(self.v.c(_DEPTS), "department")

    def year(self) -> None:
        self.b.d(str(self.rng.randint(1975, 2025)), "year")

    def room(self) -> None:
        self.b.t(self.v.c(("Room ", "Rm ", "Bed ", "room "))).d(
            self.v.c(
                (str(self.rng.randint(101, 899)), f"{self.rng.randint(2, 9)}1{self.v.letters(1)}")
            ),
            "room",
        )

    def time(self) -> None:
        self.b.d(self.v.time(), "time")

    def state(self, abbr: bool | None = None) -> None:
        full, code = self.v.state()
        self.b.d(code if (abbr if abbr is not None else self.chance(0.5)) else full, "state")

    def common_word(self) -> None:
        choice = self.rng.randint(0, 5)
        if choice == 0:
            self.b.d("Will", "common_word").t(" follow up in clinic. ")
        elif choice == 1:
            self.b.d("May", "common_word").t(" resume light activity. ")
        elif choice == 2:
            self.b.t("Research ").d("grant", "common_word").t(" consent not applicable. ")
        elif choice == 3:
            self.b.d("Hope", "common_word").t(" is that symptoms improve with therapy. ")
        elif choice == 4:
            self.b.t("Patient ").d("will", "common_word").t(" call if worse. ")
        else:
            self.b.d("Bill", "common_word").t(" to insurance once authorised. ")

    def version(self) -> None:
        self.b.d(self.v.c(_VERSIONS), "software_version")

    def public_url(self) -> None:
        self.b.d(self.v.c(_PUBLIC_URLS), "public_url")

    def address(self, one_line: bool = True) -> None:
        self.b.p(self.v.street(), e.STREET_ADDRESS).t(", " if one_line else "\n")
        self.b.p(self.v.city(), e.LOCATION).t(", ")
        self.state(True)
        self.b.t(" ").p(self.v.zip(), e.ZIP)

    def foreign_address(self) -> None:
        street, pc, city, country, fmt = self.rng.choice(_FOREIGN)
        for part in _split_fmt(fmt):
            if part == "{street}":
                self.b.p(street, e.STREET_ADDRESS)
            elif part == "{pc}":
                self.b.p(pc, e.ZIP)
            elif part == "{city}":
                self.b.p(city, e.LOCATION)
            else:
                self.b.t(part)
        self.b.t(", ").p(country, e.LOCATION)

    def city_cue(self) -> None:
        cue = self.v.c(
            (
                "Lives in ",
                "Her pharmacy is in ",
                "Stays with family in ",
                "Recently moved from ",
                "Works at a warehouse in ",
                "Was born in ",
                "Pharmacy: CVS in ",
                "He drives in from ",
            )
        )
        self.b.t(cue).p(self.v.city(), e.LOCATION)
        if self.chance(0.4):
            self.b.t(", ")
            self.state()
        self.b.t(". ")

    def record(self, kind: str) -> None:
        if kind == e.MRN:
            label, value = self.v.mrn()
        elif kind == e.ACCOUNT_NUMBER:
            label, value = self.v.account()
        elif kind == e.HEALTH_PLAN_ID:
            label, value = self.v.member()
        else:
            label, value = self.v.enc_id()
        sep = "" if label.endswith((":", "#", ".")) and self.chance(0.3) else " "
        if label == "MRN" and self.chance(0.4):
            self.b.t("MRN=").p(value, kind).t(";")
            return
        self.b.t(label + sep).p(value, kind)


def _split_fmt(fmt: str) -> list[str]:
    out: list[str] = []
    buf = ""
    i = 0
    while i < len(fmt):
        if fmt[i] == "{":
            if buf:
                out.append(buf)
                buf = ""
            j = fmt.index("}", i)
            out.append(fmt[i : j + 1])
            i = j + 1
        else:
            buf += fmt[i]
            i += 1
    if buf:
        out.append(buf)
    return out


# ---------------------------------------------------------------- document styles

_Template = Callable[[_Writer], None]


def _note_header(w: _Writer, pt: _Name, title: str) -> None:
    b, v = w.b, w.v
    b.t(title + "\n")
    if w.chance(0.5):
        b.t("Patient: ").p(v.styled(pt), e.PERSON).t("    ")
    else:
        b.t("NAME: ").p(f"{pt.family.upper()}, {pt.given.upper()}", e.PERSON).t("  ")
    w.record(e.MRN)
    b.t("\nDOB: ").p(v.any_date(1920, 2005), e.DATE)
    if w.chance(0.5):
        b.t("   ")
        w.record(e.ID)
    b.t("\n")


def _hp(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    _note_header(w, pt, v.c(("HISTORY AND PHYSICAL", "H&P", "Admission H&P - Hospital Medicine")))
    b.t("Date of admission: ").p(v.fmt_date(v.recent()), e.DATE).t(" at ")
    w.time()
    b.t("\nCC: shortness of breath x3 days\nHPI: ")
    if w.chance(0.5):
        b.p(pt.given, e.PERSON)
    else:
        b.t(v.c(("Mr. ", "Ms. ", "Mx. "))).p(pt.family, e.PERSON)
    b.t(" is ")
    w.age()
    b.t(" with history of ")
    w.eponym()
    b.t(" (")
    w.code()
    b.t(") and CHF, admitted from ")
    w.dept()
    b.t(". ")
    if w.chance(0.6):
        b.t("Collateral from daughter ").p(v.name(pt.origin).given, e.PERSON).t(" (")
        b.p(v.phone(), e.PHONE).t("). ")
    w.city_cue()
    b.t("\nMeds: ")
    w.drug()
    b.t("; ")
    w.drug()
    b.t(".\nSocial: retired machinist, quit smoking in ")
    w.year()
    b.t(". ")
    if w.chance(0.5):
        b.t("Lives at ")
        w.address()
        b.t(". ")
    b.t("\nExam: ")
    w.vital()
    b.t(", ")
    w.vital()
    b.t(". Labs: ")
    w.lab()
    b.t(", ")
    w.lab()
    b.t(".\nA/P: ")
    w.common_word()
    if w.chance(0.5):
        b.t("Pacemaker interrogation: ")
        label, dev = v.device()
        b.t(label + " ").p(dev, e.DEVICE_ID).t(". ")
    b.t("\n-- ")
    w.doctor()
    b.t(", pager ").p(v.digits(5), e.PHONE).t(", ").p(v.timestamp(), e.DATE)


def _discharge(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    _note_header(w, pt, v.c(("DISCHARGE SUMMARY", "Discharge Summary", "D/C SUMMARY")))
    b.t("Admit: ").p(v.fmt_date(v.recent(), "dd-MON-yyyy"), e.DATE).t("   Discharge: ")
    b.p(v.fmt_date(v.recent()), e.DATE).t("\nAttending: ")
    w.doctor()
    b.t("\nUnit: ")
    w.dept()
    b.t(", ")
    w.room()
    b.t("\n\nHospital course: ")
    b.p(v.styled(pt), e.PERSON).t(", ")
    w.age(old=w.chance(0.7))
    b.t(", was treated for ")
    w.eponym()
    b.t(" exacerbation. ")
    b.t("Discharged on ")
    w.drug()
    b.t(". ")
    w.common_word()
    b.t("\nDisposition: home with ")
    rel = v.name(pt.origin)
    b.t(v.c(("son ", "niece ", "husband ", "caregiver "))).p(v.styled(rel), e.PERSON)
    b.t(", ")
    if w.chance(0.3):
        w.foreign_address()
    else:
        w.address()
    b.t(". Phone ").p(v.phone(), e.PHONE).t(".\n")
    b.t("Follow up: PCP ")
    w.doctor()
    b.t(" on ").p(
        v.fmt_date(v.recent(), v.c(("ordinal_of", "month_ordinal", "long_weekday"))), e.DATE
    )
    b.t(". ")
    w.record(e.HEALTH_PLAN_ID)
    b.t(". ")
    if w.chance(0.5):
        b.t("Home O2 concentrator ")
        label, dev = v.device()
        b.t(label + " ").p(dev, e.DEVICE_ID).t(". ")
    b.t("Education material: ")
    w.public_url()
    b.t("\n")


def _progress(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    d = v.recent()
    b.t(v.c(("Progress Note", "PROGRESS NOTE - HD#3", "Daily progress note", "SOAP note")))
    b.t(" | ").p(v.fmt_date(d, v.c(("dd-Mon-yy", "us", "iso", "dd.mm.yyyy"))), e.DATE).t(" ")
    w.time()
    b.t("\n")
    b.p(pt.full().upper() if w.chance(0.5) else pt.full(), e.PERSON).t(" ")
    w.record(e.MRN)
    b.t(" ")
    w.room()
    b.t("\nS: ")
    b.t(v.c(("Pt ", "Patient ", ""))).t("reports better sleep. Wife ")
    b.p(v.name().given.lower() if w.chance(0.3) else v.name().given, e.PERSON).t(" at bedside. ")
    b.t("\nO: ")
    w.vital()
    b.t("; ")
    w.lab()
    b.t("\nA: ")
    w.age()
    b.t(" with ")
    w.eponym()
    b.t(v.c((" diagnosed in ", ", known since ", ", dx in ")))
    w.year()
    b.t(". ")
    w.code()
    b.t("\nP: continue ")
    w.drug()
    b.t(". ")
    w.common_word()
    if w.chance(0.5):
        b.t("SW: patient has no car; son's vehicle plate ").p(v.plate(), e.VEHICLE_ID).t(". ")
    if w.chance(0.4):
        b.t("Patient's SSN ").p(v.ssn(), e.SSN).t(" verified for Medicaid application. ")
    w.city_cue()
    if w.chance(0.4):
        nurse = v.name()
        b.t("Discussed with RN (").p(f"{nurse.given[0]}.{nurse.family[0]}.", e.PERSON).t("). ")
    if w.chance(0.2):
        b.t("Voiceprint enrolled for phone refills, ID ").p("VP-" + v.biometric()[:16], e.BIOMETRIC)
        b.t(". ")
    b.t("\n")
    w.doctor()
    if w.chance(0.5):
        b.t(" NPI ").p(v.npi(), e.NPI)


def _portal(w: _Writer) -> None:
    if w.chance(0.4):
        _portal_proxy(w)
        return
    b, v = w.b, w.v
    pt, doc = v.name(), v.provider()
    b.t("Subject: ").t(
        v.c(("Question about my meds", "Refill request", "Test results?", "RE: appt"))
    )
    b.t("\nFrom: ").p(pt.full(), e.PERSON).t(" (patient)  Sent: ").p(v.timestamp("ampm"), e.DATE)
    b.t("\n\n").t(v.c(("Hi Dr. ", "Dear Dr. ", "Hello Dr."))).p(doc.family, e.PERSON).t(",\n")
    b.t("I was seen on ").p(
        v.fmt_date(v.recent(), v.c(("us", "month_ordinal", "mon_d_yyyy"))), e.DATE
    )
    b.t(" and my ")
    w.lab()
    b.t(" looked off. Should I keep taking ")
    w.drug()
    b.t("? ")
    if w.chance(0.5):
        b.t("My mom is ")
        w.age(old=True)
        b.t(" and takes the same one. ")
    if w.chance(0.5):
        b.t("My pharmacy moved, it's now in ")
        b.p(v.city(), e.LOCATION).t(", zip code ").p(v.digits(5), e.ZIP).t(". ")
    if w.chance(0.5):
        b.t("I uploaded the form here: ").p(v.url(), e.URL).t(" ")
    b.t("My ")
    w.record(e.HEALTH_PLAN_ID)
    b.t(" in case billing needs it. Call me at ").p(v.phone(), e.PHONE).t(" or email ")
    b.p(v.email(pt), e.EMAIL).t(".\n")
    b.t(v.c(("Thanks,\n", "Best,\n", "- ", "Thank you so much\n"))).p(
        pt.given if w.chance(0.6) else pt.full(), e.PERSON
    )
    b.t("\nDOB ").p(v.any_date(1925, 2004), e.DATE)


def _portal_proxy(w: _Writer) -> None:
    b, v = w.b, w.v
    mother, me = v.name(), v.name()
    b.t("MyChart message | proxy access | ").p(v.timestamp("us_time"), e.DATE).t("\n")
    b.t("To: ").t(v.c(("Care team of ", "Nurse pool - "))).p(v.provider().full(), e.PERSON)
    b.t("\n\nHello, I'm writing on behalf of my mother ").p(v.styled(mother), e.PERSON)
    b.t(" (DOB ").p(v.any_date(1920, 1935), e.DATE).t("). She turned ")
    b.p(str(w.rng.randint(90, 103)), e.AGE).t(" last month. ")
    if w.chance(0.5):
        b.t("She moved in with us, new address: ")
        w.address()
        b.t(". ")
    else:
        b.t("She is spending the winter with my sister at ")
        w.foreign_address()
        b.t(". ")
    w.common_word()
    b.t("Her ")
    w.record(e.HEALTH_PLAN_ID)
    b.t(" and Medicare ").p(v.ssn(), e.SSN).t(" (old card used her social). ")
    b.t("Does she still need the ")
    w.drug()
    b.t("? Reach me at ").p(v.phone(), e.PHONE).t(" or ").p(v.email(me), e.EMAIL)
    b.t(".\n-- ").p(me.given, e.PERSON).t(" (daughter)")


def _hl7(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    ts = v.timestamp("hl7")
    full_state, st = v.state()
    b.t("MSH|^~\\&|EPIC|").t(v.c(("BAYVIEW", "RIVERBEND", "LAKESHORE"))).t("|LAB|LAB|")
    seg = "\r" if w.chance(0.6) else "\n"
    b.p(ts, e.DATE).t(f"||ADT^A0{w.rng.randint(1, 8)}|MSG{v.digits(8)}|P|")
    b.d("2.5.1", "software_version").t(seg)
    b.t("PID|1||").p(v.digits(8), e.MRN).t("^^^MRN^MR~").p(v.ssn().replace("-", ""), e.SSN)
    b.t("^^^SSA^SS||").p(_fold(pt.family).upper(), e.PERSON).t("^").p(
        _fold(pt.given).upper(), e.PERSON
    )
    b.t("^").t(v.letters(1)).t("||").p(v.fmt_date(v.date(1920, 2005), "compact"), e.DATE)
    b.t(f"|{v.c(('F', 'M'))}|||")
    b.p(v.street(), e.STREET_ADDRESS).t("^^").p(v.city(), e.LOCATION).t("^").d(st, "state")
    b.t("^").p(v.zip(), e.ZIP).t("^USA||^PRN^PH^^1^").p(
        v.c(("617", "508", "413", "512", "313")), e.PHONE
    ).t("^")
    b.p(v.digits(7), e.PHONE).t("|||||").p(v.digits(10), e.ACCOUNT_NUMBER).t("|")
    b.p(v.ssn(), e.SSN).t("|")
    dl_state, dl = v.dl()
    b.p(dl, e.LICENSE).t(f"^{dl_state}").t(seg)
    if w.chance(0.8):
        kin = v.name(pt.origin)
        b.t("NK1|1|").p(_fold(kin.family).upper(), e.PERSON).t("^").p(
            _fold(kin.given).upper(), e.PERSON
        )
        b.t("|" + v.c(("SPO^Spouse", "DAU^Daughter", "SON^Son", "MTH^Mother", "FND^Friend")) + "|")
        b.p(v.street(), e.STREET_ADDRESS).t("^^").p(v.city(), e.LOCATION).t("^").d(st, "state")
        b.t("^").p(v.zip(), e.ZIP).t("|").p(v.phone(), e.PHONE).t(seg)
    doc = v.provider()
    b.t("PV1|1|I|").t(v.c(("4W", "MICU", "ED"))).t("^").d(str(w.rng.randint(401, 499)), "room").t(
        "^"
    )
    b.t("01||||").p(v.npi(), e.NPI).t("^").p(_fold(doc.family).upper(), e.PERSON).t("^")
    b.p(_fold(doc.given).upper(), e.PERSON).t("^^^DR|||")
    b.d(v.c(("CAR", "MED", "ONC")), "department").t("||||||||").p(v.digits(9), e.ID)
    b.t("|||||||||||||||||||||||||").p(v.timestamp("hl7"), e.DATE).t(seg)
    if w.chance(0.5):
        b.t("OBX|1|NM|").d(v.c(("718-7", "4548-4", "2345-7")), "code").t("^Hemoglobin^LN||")
        b.d(f"{w.rng.randint(70, 160) / 10}", "lab_value").t("|g/dL|12-16|N|||F|||")
        b.p(v.timestamp("hl7"), e.DATE).t(seg)
    if w.chance(0.3):
        b.t("NTE|1||Pt state of residence ").d(full_state, "state").t("; ")
        b.t("age ")
        b.p(str(w.rng.randint(90, 104)), e.AGE).t(seg)


def _jstr(w: _Writer, key: str, value: str, entity: str | None, last: bool = False) -> None:
    w.b.t(f'"{key}": "')
    if entity is None:
        w.b.t(value)
    elif entity.startswith("~"):
        w.b.d(value, entity[1:])
    else:
        w.b.p(value, entity)
    w.b.t('"' if last else '", ')


def _fhir_patient(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    ind = "\n  " if w.chance(0.5) else ""
    b.t("{" + ind + '"resourceType": "Patient", ' + ind)
    _jstr(w, "id", v.letters(2).lower() + v.digits(6), e.ID)
    b.t(ind + '"identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", ')
    _jstr(w, "value", v.digits(8), e.MRN, last=True)
    b.t('}, {"system": "http://hl7.org/fhir/sid/us-ssn", ')
    _jstr(w, "value", v.ssn(), e.SSN, last=True)
    b.t("}], " + ind + '"name": [{"use": "official", ')
    _jstr(w, "family", pt.family, e.PERSON)
    b.t('"given": ["').p(pt.given, e.PERSON).t('"]}], ' + ind)
    b.t('"telecom": [{"system": "phone", ')
    _jstr(w, "value", v.phone(), e.PHONE, last=True)
    b.t('}, {"system": "email", ')
    _jstr(w, "value", v.email(pt), e.EMAIL, last=True)
    b.t("}], " + ind)
    _jstr(w, "gender", v.c(("female", "male", "other")), None)
    _jstr(w, "birthDate", v.date(1920, 2010).isoformat(), e.DATE)
    b.t(ind + '"address": [{"line": ["').p(v.street(), e.STREET_ADDRESS).t('"], ')
    _jstr(w, "city", v.city(), e.LOCATION)
    _jstr(w, "state", v.state()[1], "~state")
    _jstr(w, "postalCode", v.zip(), e.ZIP, last=True)
    b.t("}], " + ind + '"contact": [{"name": {"text": "').p(v.name().full(), e.PERSON).t('"}}], ')
    b.t(ind + '"meta": {')
    _jstr(w, "lastUpdated", v.timestamp("iso_z"), e.DATE)
    _jstr(w, "source", v.c(_VERSIONS), "~software_version", last=True)
    b.t("}" + ind.replace("  ", "") + "}")
    json.loads(b.text())


def _fhir_encounter(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    b.t('{"resourceType": "Encounter", ')
    _jstr(w, "id", v.digits(9), e.ID)
    b.t('"status": "finished", "class": {"code": "IMP"}, ')
    b.t('"subject": {"reference": "Patient/').p(v.digits(7), e.MRN).t('", ')
    _jstr(w, "display", v.styled(pt), e.PERSON, last=True)
    b.t('}, "participant": [{"individual": {')
    _jstr(w, "display", v.provider().full(), e.PERSON, last=True)
    b.t('}}], "period": {')
    _jstr(w, "start", v.timestamp(v.c(("iso_z", "iso_ms"))), e.DATE)
    _jstr(w, "end", v.timestamp("iso_z"), e.DATE, last=True)
    b.t('}, "serviceProvider": {')
    _jstr(w, "display", v.c(_DEPTS), "~department", last=True)
    b.t('}, "location": [{"location": {')
    _jstr(w, "display", f"Room {w.rng.randint(100, 899)}", "~room", last=True)
    b.t('}}], "account": [{')
    b.t('"reference": "Account/').p(v.digits(10), e.ACCOUNT_NUMBER).t('"')
    b.t('}], "reasonCode": [{"coding": [{"system": "http://snomed.info/sct", ')
    _jstr(w, "code", v.c(("44054006", "38341003", "195967001")), "~code", last=True)
    b.t("}]}]}")
    json.loads(b.text())


def _fhir_observation(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    b.t('{\n "resourceType": "Observation",\n ')
    _jstr(w, "id", "obs-" + v.digits(8), e.ID)
    b.t('\n "code": {"coding": [{"system": "http://loinc.org", ')
    _jstr(w, "code", v.c(("718-7", "4548-4", "2345-7", "8867-4")), "~code", last=True)
    b.t("}]},\n ")
    b.t('"subject": {')
    b.t('"reference": "Patient/').p(v.digits(8), e.MRN).t('", ')
    _jstr(w, "display", pt.full(), e.PERSON, last=True)
    b.t("},\n ")
    _jstr(w, "effectiveDateTime", v.timestamp("iso_ms"), e.DATE)
    b.t('\n "valueQuantity": {"value": ')
    b.d(str(w.rng.randint(60, 180)), "lab_value").t(', "unit": "mg/dL"},\n ')
    b.t('"device": {')
    _jstr(w, "display", v.device()[1], e.DEVICE_ID, last=True)
    b.t("},\n ")
    b.t('"note": [{"text": "')
    b.t("Pt is ")
    w.age()
    b.t(", on ")
    w.drug()
    b.t('"}],\n "performer": [{')
    _jstr(w, "display", v.provider().full(), e.PERSON, last=True)
    b.t("}]\n}")
    json.loads(b.text())


def _radiology(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    b.t(v.c(("RADIOLOGY REPORT", "Diagnostic Imaging Report", "CT REPORT")) + "\n")
    b.t("Patient: ").p(f"{pt.family.upper()}, {pt.given}", e.PERSON).t("   ")
    w.record(e.MRN)
    b.t("\nAccession: ").p(v.accession(), e.ID).t("   Exam date: ")
    b.p(v.fmt_date(v.recent(), v.c(("dd-MON-yyyy", "us", "iso"))), e.DATE).t(" ")
    w.time()
    b.t("\nEXAM: CT chest without contrast (CPT ").d("71250", "code").t(")\n")
    b.t("CLINICAL HISTORY: ")
    w.age()
    b.t(", history of ")
    w.eponym()
    b.t(".\nCOMPARISON: ").p(
        v.fmt_date(v.recent(), v.c(("us_pad2", "mon_d_yyyy", "dd-Mon-yy"))), e.DATE
    )
    b.t(".\nFINDINGS: 6 mm nodule RUL, series 3 image 41. ")
    if w.chance(0.5):
        b.t("Port catheter ").p(v.device()[1], e.DEVICE_ID).t(" in good position. ")
    b.t("\nIMPRESSION: Stable. See Fleischner guidance at ")
    w.public_url()
    b.t(".\nReferring: ")
    w.doctor()
    b.t("\nDictated by: ")
    w.doctor()
    b.t(" | Signed ").p(v.timestamp(), e.DATE).t(" | workstation ").p(v.ip(), e.IP_ADDRESS)
    b.t(" | ")
    w.version()


def _pathology(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    b.t("SURGICAL PATHOLOGY REPORT\nSpecimen #: ").p(v.accession(), e.ID).t("\nPatient: ")
    b.p(v.styled(pt), e.PERSON).t("  DOB: ").p(v.any_date(1920, 2000), e.DATE).t("  Age: ")
    old = w.chance(0.6)
    n = str(w.rng.randint(90, 104) if old else w.rng.randint(30, 89))
    if old:
        b.p(n, e.AGE)
    else:
        b.d(n, "age_under_90")
    b.t("\n")
    w.record(e.MRN)
    b.t("   Collected: ").p(v.timestamp(v.c(("us_time", "oracle"))), e.DATE).t("\n")
    b.t("Submitting physician: ")
    w.doctor()
    b.t("\nDIAGNOSIS: Lymph node, excisional biopsy: classic ")
    b.d("Hodgkin", "eponym").t(" lymphoma, nodular sclerosis. ")
    b.t("ICD-O ").d("9663/3", "code").t(
        ".\nGROSS: received in formalin labeled with the patient's "
    )
    b.t('name "').p(pt.full().upper(), e.PERSON).t('" and ')
    b.t('"').p(v.mrn()[1], e.MRN).t('".\n')
    b.t("Pathologist: ").p(v.provider().full(), e.PERSON).t(", MD  License ")
    b.p(v.prof_license()[1], e.LICENSE).t("\n")
    if w.chance(0.5):
        b.t("Copy to: ")
        w.dept()
        b.t(", fax ").p(v.phone(), e.PHONE)


def _phone_call(w: _Writer) -> None:
    b, v = w.b, w.v
    pt, agent = v.name(), _Name(v.c(_WORD_NAMES), "", "en")
    caller_rel = v.name(pt.origin)

    clock = [w.rng.randint(1, 9)]

    def stamp() -> None:
        clock[0] += w.rng.randint(3, 40)
        mm, ss = divmod(clock[0], 60)
        b.t("[").d(f"00:{mm:02d}:{ss:02d}", "time").t("] ")

    b.t("CALL TRANSCRIPT - nurse line - ").p(v.timestamp(), e.DATE).t("\n")
    stamp()
    b.t("AGENT: Thank you for calling, this is ").p(agent.given, e.PERSON).t(
        ". Who am I speaking with?\n"
    )
    stamp()
    b.t("CALLER: hi yes this is ").p(caller_rel.full().lower(), e.PERSON)
    b.t(", i'm calling about my ").t(v.c(("dad", "mom", "grandmother", "uncle"))).t(", ")
    b.p(pt.full(), e.PERSON).t(".\n")
    stamp()
    b.t("AGENT: Can I have the date of birth?\n")
    stamp()
    d = v.date(1918, 1936)
    b.t("CALLER: ").p(f"{_MONTHS[d.month - 1]} {_ordinal(d.day)}", e.DATE).t(", ")
    b.p("nineteen " + _number_words(d.year % 100) if w.chance(0.3) else str(d.year), e.DATE)
    b.t(". he's ").p(_number_words(w.rng.randint(90, 106)), e.AGE).t(" now.\n")
    stamp()
    b.t("AGENT: And the last four of the social?\n")
    stamp()
    ssn = v.ssn()
    if w.chance(0.5):
        b.t("CALLER: the whole social is ").p(ssn, e.SSN).t(" if that helps.\n")
    else:
        b.t("CALLER: ").p(" ".join(ssn[-4:]), e.SSN).t("\n")
    stamp()
    b.t("CALLER: he's on ")
    w.drug()
    b.t(" and he fell ").t(v.c(("yesterday", "last night", "on Sunday"))).t(". ")
    b.t("he stays with family in ").p(v.city(), e.LOCATION).t(" now.\n")
    stamp()
    b.t("AGENT: Best callback number?\n")
    stamp()
    if w.chance(0.5):
        b.t("CALLER: ").p(v.spoken_phone(), e.PHONE).t("\n")
    else:
        b.t("CALLER: ").p(v.phone(), e.PHONE).t(", extension ").p(v.digits(3), e.PHONE).t("\n")
    stamp()
    b.t("AGENT: I'll send this to ")
    w.doctor()
    b.t(". ")
    b.d("May", "common_word").t(" take up to 24 hours. Use the ")
    w.dept()
    b.t(" if worse.\n")


def _email(w: _Writer) -> None:
    b, v = w.b, w.v
    a, c = v.provider(), v.provider()
    pt = v.name()
    b.t("From: ").p(f"{a.given} {a.family}", e.PERSON).t(" <").p(v.staff_email(a), e.EMAIL).t(">\n")
    b.t("To: ").p(v.staff_email(c), e.EMAIL).t("\nDate: ")
    d = v.recent()
    b.p(f"{_DAYS[d.weekday()][:3]}, {d.day} {_MONTHS[d.month - 1][:3]} {d.year}", e.DATE)
    b.t(" ")
    w.time()
    b.t(" -0500\nSubject: RE: ").t(v.c(("pt transfer", "records request", "follow-up", "consult")))
    b.t("\n\n").p(c.given, e.PERSON).t(" -\n")
    b.t("Agree. ").p(v.styled(pt), e.PERSON).t(" can go to ")
    w.dept()
    b.t(" once bed is open. ")
    w.record(e.MRN)
    b.t(". ")
    if w.chance(0.5):
        b.t("Family is visiting from abroad, staying at ")
        w.foreign_address()
        b.t(". ")
    b.t("\n\n")
    b.t("Thanks,\n").p(f"{a.given} {a.family}", e.PERSON).t(", ").t(
        v.c(("MD", "RN", "NP", "PharmD"))
    )
    b.t("\n").t(v.c(("Division of ", "Dept. of ")))
    w.dept()
    b.t("\nTel ").p(v.phone(), e.PHONE).t(" | Fax ").p(v.phone(), e.PHONE)
    if w.chance(0.5):
        b.t("\n").p(v.street(), e.STREET_ADDRESS).t(", ").p(v.city(), e.LOCATION).t(", ")
        w.state(True)
        b.t(" ").p(v.zip(), e.ZIP)
    b.t("\n\nOn ").p(v.timestamp("ampm"), e.DATE).t(", ")
    b.p(f"{c.given} {c.family}", e.PERSON).t(" <").p(v.staff_email(c), e.EMAIL).t("> wrote:\n")
    b.t("> Can you accept ").p(v.styled(pt), e.PERSON).t(", ")
    w.age()
    b.t(", ")
    w.eponym()
    b.t("?\n> Their daughter's cell is ").p(v.phone(), e.PHONE).t("\n")
    b.t("> CONFIDENTIALITY NOTICE: intended only for the named recipient.\n")


def _log_json(w: _Writer) -> None:
    b, v = w.b, w.v
    lines = w.rng.randint(2, 5)
    for _ in range(lines):
        pt = v.name()
        b.t("{")
        _jstr(w, "ts", v.timestamp(v.c(("iso_z", "iso_ms"))), e.DATE)
        _jstr(w, "level", v.c(("INFO", "WARN", "ERROR", "DEBUG")), None)
        _jstr(w, "svc", v.c(("ehr-sync", "fhir-gw", "billing-api")), None)
        _jstr(w, "version", v.c(_VERSIONS), "~software_version")
        _jstr(w, "client_ip", v.ip(), e.IP_ADDRESS)
        r = w.rng.randint(0, 5)
        if r == 0:
            _jstr(w, "patient_mrn", v.mrn()[1], e.MRN)
            _jstr(w, "msg", "record viewed", None)
            _jstr(w, "user", v.staff_email(v.provider()), e.EMAIL, last=True)
        elif r == 1:
            _jstr(w, "event", "db_connect_failed", None)
            b.t('"dsn": "postgresql://svc_ehr:').p(v.password(), e.SECRET)
            b.t(f'@db-{v.digits(2)}.internal:5432/ehr"')
        elif r == 2:
            _jstr(w, "patient", pt.full(), e.PERSON)
            _jstr(w, "dob", v.date(1920, 2010).isoformat(), e.DATE)
            _jstr(w, "member_id", v.member()[1], e.HEALTH_PLAN_ID, last=True)
        elif r == 3:
            b.t('"headers": {"Authorization": "Bearer ').p(v.secret(), e.SECRET).t('"}, ')
            b.t('"path": "/api/v2/patients/').p(v.digits(7), e.ID).t('"')
        elif r == 4:
            _jstr(w, "msg", "payment declined", None)
            _jstr(w, "card", v.credit_card(), e.CREDIT_CARD)
            _jstr(w, "account", v.account()[1], e.ACCOUNT_NUMBER, last=True)
        else:
            _jstr(w, "msg", "portal link sent", None)
            _jstr(w, "to", v.phone(), e.PHONE)
            _jstr(w, "link", v.url(), e.URL, last=True)
        b.t("}\n")
    text = b.text()
    for line in text.splitlines():
        json.loads(line)


def _log_plain(w: _Writer) -> None:
    b, v = w.b, w.v
    for _ in range(w.rng.randint(3, 6)):
        b.p(v.timestamp(v.c(("space", "iso_z", "oracle"))), e.DATE)
        b.t(
            f" {v.c(('INFO', 'WARN', 'ERROR'))} [{v.c(('ehr-sync', 'hl7-listener', 'scheduler'))}] "
        )
        r = w.rng.randint(0, 9)
        if r == 9:
            b.t("access ").p(v.ip(), e.IP_ADDRESS).t(" - ")
            b.p(v.staff_email(v.provider()).split("@")[0], e.PERSON).t(" [")
            d = v.recent()
            hh, mm, ss = w.rng.randint(0, 23), w.rng.randint(0, 59), w.rng.randint(0, 59)
            mon = _MONTHS[d.month - 1][:3]
            b.p(f"{d.day:02d}/{mon}/{d.year}:{hh:02d}:{mm:02d}:{ss:02d} +0000", e.DATE)
            b.t('] "GET /chart/').p(v.digits(8), e.MRN).t("?dob=").p(
                v.fmt_date(v.date(), "iso"), e.DATE
            )
            b.t(' HTTP/1.1" 200 ').t(v.digits(4)).t(' "-" "Mozilla/5.0"')
        elif r == 8:
            b.t("kiosk check-in by fingerprint, template sha1=").p(v.biometric(), e.BIOMETRIC)
            b.t(" matched ")
            w.record(e.MRN)
        elif r == 0:
            b.t("login ok user=").p(v.staff_email(v.provider()), e.EMAIL).t(" from ").p(
                v.ip(), e.IP_ADDRESS
            )
        elif r == 1:
            b.t("connecting to postgresql://app_rw:").p(v.password(), e.SECRET).t(
                "@clin-db.internal:5432/clin"
            )
        elif r == 2:
            b.t("api_key=").p(v.secret(), e.SECRET).t(" rejected (expired)")
        elif r == 3:
            b.t("ADT parse error for ").p(v.styled(v.name()), e.PERSON).t(" ")
            w.record(e.MRN)
        elif r == 4:
            b.t("sent reminder to ").p(v.phone(), e.PHONE).t(" for appt ")
            b.p(v.fmt_date(v.recent(), "us"), e.DATE).t(" ")
            w.time()
        elif r == 5:
            b.t("upgraded to ")
            w.version()
            b.t("; see ")
            w.public_url()
        elif r == 6:
            b.t("refund to IBAN ").p(v.iban(), e.IBAN).t(" ")
            w.record(e.ACCOUNT_NUMBER)
        else:
            b.t("device heartbeat ").p(v.device()[1], e.DEVICE_ID).t(" ip=").p(v.ip(), e.IP_ADDRESS)
        b.t("\n")


def _csv(w: _Writer) -> None:
    b, v = w.b, w.v
    cols = ["mrn", "last_name", "first_name", "dob", "phone", "zip", "dx_code", "drug", "age"]
    if w.chance(0.5):
        cols += ["email", "ssn"]
    if w.chance(0.4):
        cols += ["street", "city", "state"]
    if w.chance(0.3):
        cols += ["plate", "dl"]
    sep = v.c((",", ";", "\t", "|"))
    b.t(sep.join(cols) + "\n")
    for _ in range(w.rng.randint(2, 5)):
        pt = v.name()
        old = w.chance(0.4)
        for i, col in enumerate(cols):
            if i:
                b.t(sep)
            if col == "mrn":
                b.p(v.mrn()[1], e.MRN)
            elif col == "last_name":
                b.p(pt.family, e.PERSON)
            elif col == "first_name":
                b.p(pt.given, e.PERSON)
            elif col == "dob":
                b.p(v.fmt_date(v.date(1920, 2010), v.c(("iso", "us", "dd.mm.yyyy"))), e.DATE)
            elif col == "phone":
                b.p(v.phone(), e.PHONE)
            elif col == "zip":
                b.p(v.zip(), e.ZIP)
            elif col == "dx_code":
                b.d(v.code()[1], "code")
            elif col == "drug":
                b.d(v.drug()[0], "drug")
            elif col == "age":
                if old:
                    b.p(str(w.rng.randint(90, 105)), e.AGE)
                else:
                    b.d(str(w.rng.randint(18, 89)), "age_under_90")
            elif col == "email":
                b.p(v.email(pt), e.EMAIL)
            elif col == "ssn":
                b.p(v.ssn(), e.SSN)
            elif col == "street":
                b.t('"').p(v.street(), e.STREET_ADDRESS).t('"')
            elif col == "city":
                b.p(v.city(), e.LOCATION)
            elif col == "state":
                w.state(True)
            elif col == "plate":
                b.p(v.plate(), e.VEHICLE_ID)
            elif col == "dl":
                b.p(v.dl()[1], e.LICENSE)
        b.t("\n")


def _ocr(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    b.t(v.c(("~~ SCANNED DOCUMENT ~~", "Page 1 of 2   [fax received]", "OUTSIDE RECORDS - SCAN")))
    b.t("\n")
    b.t("Patient Name: ").p(v.styled(pt), e.PERSON).t("\nD O B: ").p(v.any_date(1920, 2005), e.DATE)
    b.t("   Sex: ").t(v.c(("F", "M"))).t("\n")
    w.record(e.MRN)
    b.t("\nAddress: ")
    w.address(one_line=False)
    b.t("\nHome Ph: ").p(v.phone(), e.PHONE).t("   SSN: ").p(v.ssn(), e.SSN)
    b.t("\nInsurance: Blue Cross  ")
    w.record(e.HEALTH_PLAN_ID)
    b.t("\nReason for visit: f/u ")
    w.eponym()
    b.t(", ")
    w.age()
    b.t("\nMedications: ")
    w.drug()
    b.t("\n")
    if w.chance(0.5):
        st, dl = v.dl()
        b.t("Driver Lic: ").p(dl, e.LICENSE).t(" (").d(st, "state").t(")\n")
    b.t("Signature: ______ ").p(v.provider().full(), e.PERSON).t("   Date: ")
    b.p(v.fmt_date(v.recent(), v.c(("us", "dd.mm.yyyy", "us_dash"))), e.DATE)


def _referral(w: _Writer) -> None:
    b, v = w.b, w.v
    pt, to, frm = v.name(), v.provider(), v.provider()
    abroad = w.chance(0.4)
    if abroad and w.chance(0.5):
        _referral_uk(w, pt, to, frm)
        return
    w.dept()
    b.t("\n")
    if abroad:
        w.foreign_address()
    else:
        w.address(one_line=False)
    b.t("\nTel: ").p(v.phone(), e.PHONE).t("  Fax: ").p(v.phone(), e.PHONE).t("\n\n")
    b.p(v.fmt_date(v.recent(), v.c(("d_month_yyyy", "long_weekday", "dd.mm.yyyy"))), e.DATE)
    b.t("\n\n")
    b.t(v.c(("Dear Dr.", "Dear Dr. ", "Dear Colleague, re Dr. ")))
    b.p(to.family, e.PERSON).t(",\n\nRe: ").p(v.styled(pt), e.PERSON).t(", DOB ")
    b.p(v.any_date(1920, 2010), e.DATE).t(", ")
    w.record(e.MRN)
    b.t("\n\nThank you for seeing this ")
    w.age()
    b.t(" ").t(v.c(("gentleman", "lady", "patient"))).t(" with suspected ")
    w.eponym()
    b.t(", first noted in ")
    w.year()
    b.t(". Current treatment: ")
    w.drug()
    b.t(". ")
    w.vital()
    b.t(". ")
    w.city_cue()
    if w.chance(0.5):
        b.t("Please contact the patient on ").p(v.phone(), e.PHONE).t(" or ")
        b.p(v.email(pt), e.EMAIL).t(". ")
    if w.chance(0.3):
        b.t("Prior imaging available at ").p(v.url(), e.URL).t(". ")
    b.t("\n\nYours sincerely,\n\n").p(f"{frm.given} {frm.family}", e.PERSON).t("\n")
    lic_label, lic = v.prof_license()
    b.t(f"{lic_label} ").p(lic, e.LICENSE)
    if w.chance(0.5):
        b.t("  DEA ").p(v.dea(), e.DEA)
    b.t("\n")


def _referral_uk(w: _Writer, pt: _Name, to: _Name, frm: _Name) -> None:
    b, v = w.b, w.v
    b.t("The Surgery\n")
    w.foreign_address()
    b.t("\nTel ").p(v.phone(), e.PHONE).t("\n\n")
    b.p(v.fmt_date(v.recent(), v.c(("d_month_yyyy", "dd.mm.yyyy", "slash_eu"))), e.DATE)
    b.t("\n\nDr ").p(to.family, e.PERSON).t("\nConsultant, ")
    w.dept()
    b.t("\n\nDear Dr ").p(to.family, e.PERSON).t(",\n\n")
    b.t("RE: ").p(f"{pt.family.upper()}, {pt.given}", e.PERSON).t("  D.O.B. ")
    b.p(v.fmt_date(v.date(1920, 2005), v.c(("slash_eu", "dd.mm.yyyy"))), e.DATE)
    b.t("  Hospital No. ").p(v.letters(1) + v.digits(6), e.MRN).t("  NHS No. ")
    b.p(f"{v.digits(3)} {v.digits(3)} {v.digits(4)}", e.ID)
    b.t("\n\nI would be grateful if you would see this ")
    w.age()
    b.t(" patient, a retired teacher who stays with family in ").p(v.city(), e.LOCATION)
    b.t(" during the summer, with worsening tremor; ?")
    b.d("Parkinson", "eponym").t("'s. ")
    w.vital()
    b.t(". She takes ")
    w.drug()
    b.t(".\n\nKind regards\n\nDr ").p(f"{frm.given} {frm.family}", e.PERSON)
    b.t("\nGMC ").p(v.digits(7), e.LICENSE).t("\n")


def _patient_list(w: _Writer) -> None:
    b, v = w.b, w.v
    b.t(v.c(("CENSUS - ", "Worklist: ", "Sign-out list ")))
    w.dept()
    b.t(" - ").p(v.fmt_date(v.recent(), v.c(("us", "dd-MON-yyyy", "iso"))), e.DATE).t("\n")
    for _ in range(w.rng.randint(3, 6)):
        pt = v.name()
        w.room()
        b.t("  ")
        fam = pt.family.upper() if w.chance(0.5) else pt.family
        b.p(f"{fam}, {pt.given}", e.PERSON).t("  ")
        if w.chance(0.5):
            b.t("(").p(v.mrn()[1], e.MRN).t(")  ")
        else:
            w.record(e.MRN)
            b.t("  ")
        w.age()
        b.t("  ")
        w.code()
        b.t("  ")
        if w.chance(0.3):
            b.t("adm ").p(v.fmt_date(v.recent(), v.c(("us_pad2", "dd-Mon-yy"))), e.DATE).t("  ")
        b.t("att ")
        w.doctor()
        b.t("\n")


def _sms(w: _Writer) -> None:
    b, v = w.b, w.v
    pt = v.name()
    r = w.rng.randint(0, 6)
    d = v.recent()
    if r == 4:
        b.t("im in the lot, silver camry plate ").p(v.plate(), e.VEHICLE_ID)
        b.t(" - tell dr ").p(v.provider().family.lower(), e.PERSON).t(" im here. ")
        b.p(pt.full().lower(), e.PERSON).t(" dob ").p(
            v.fmt_date(v.date(1930, 2000), "us_pad2"), e.DATE
        )
    elif r == 5:
        b.t("CLINIC: New results for ").p(_fold(pt.given).upper(), e.PERSON)
        b.t(" are ready at ").p(v.url(), e.URL)
        b.t(". Do not share. Msg&data rates may apply. Reply STOP to opt out.")
    elif r == 6:
        b.t("Pharmacy: Rx for ").p(f"{pt.given[0]}. {pt.family}", e.PERSON).t(" (")
        w.drug()
        b.t(") ready at our ").p(v.city(), e.LOCATION).t(" store, ")
        b.p(v.street(), e.STREET_ADDRESS).t(". Pickup by ")
        b.p(v.fmt_date(v.recent(), v.c(("month_ordinal", "mon_d_yyyy"))), e.DATE).t(".")
    elif r == 0:
        b.t("hey its ").p(pt.given.lower(), e.PERSON).t(", can u move my appt to ")
        b.p(f"{d.month}/{d.day}", e.DATE).t(" @ ")
        w.time()
        b.t("?? call me ").p(v.phone(), e.PHONE).t(" thx")
    elif r == 1:
        b.t("Reminder: ").p(f"{pt.given.upper()} {pt.family[0]}", e.PERSON).t(" has an appt w/ ")
        w.doctor()
        b.t(" on ").p(f"{_DAYS[d.weekday()][:3]} {d.month}/{d.day}", e.DATE).t(" at ")
        w.time()
        b.t(". Reply C to confirm. Check in: ").p(v.url(), e.URL)
    elif r == 2:
        b.t("Mom (").p(_number_words(w.rng.randint(90, 101)), e.AGE).t(") fell again, ")
        b.t("were at ").p(v.street(), e.STREET_ADDRESS).t(" in ").p(v.city(), e.LOCATION)
        b.t(". ambulance coming. her card # is ").p(v.member()[1], e.HEALTH_PLAN_ID)
        b.t(" - ").p(pt.given.lower(), e.PERSON)
    else:
        b.t("Dr ").p(v.provider().family, e.PERSON).t(" here. ")
        b.p(pt.full(), e.PERSON).t(" ok to take ")
        w.drug()
        b.t(". labs ")
        w.lab()
        b.t(". ")
        b.d("Will", "common_word").t(" recheck ").p(v.fmt_date(v.recent(), "month_ordinal"), e.DATE)
    if w.chance(0.4):
        b.t("\nSent from ").p(v.phone(), e.PHONE)


# (kind, template); independent_corpus cycles through them in a shuffled order
KINDS: tuple[tuple[str, _Template], ...] = (
    ("hp_note", _hp),
    ("discharge_summary", _discharge),
    ("progress_note", _progress),
    ("portal_message", _portal),
    ("hl7_v2", _hl7),
    ("fhir_patient", _fhir_patient),
    ("fhir_encounter", _fhir_encounter),
    ("fhir_observation", _fhir_observation),
    ("radiology_report", _radiology),
    ("pathology_report", _pathology),
    ("phone_transcript", _phone_call),
    ("email_thread", _email),
    ("log_jsonl", _log_json),
    ("log_plain", _log_plain),
    ("csv_fragment", _csv),
    ("ocr_scan", _ocr),
    ("referral_letter", _referral),
    ("patient_list", _patient_list),
    ("sms", _sms),
)
KIND_NAMES: tuple[str, ...] = tuple(k for k, _ in KINDS)


def independent_corpus(seed: int, n: int) -> list[Document]:
    """``n`` labelled documents, the same for the same seed; styles cycle in a shuffled order."""
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    values = _Values(rng, fake)
    order = list(KINDS)
    docs: list[Document] = []
    for i in range(n):
        if i % len(order) == 0:
            rng.shuffle(order)
        kind, template = order[i % len(order)]
        ocr = (
            _Ocr(random.Random(rng.random()), rng.uniform(0.03, 0.1))
            if kind == "ocr_scan"
            else None
        )
        builder = _Builder(ocr)
        template(_Writer(values, builder))
        docs.append(builder.doc(kind))
    return docs


def to_json(doc: Document) -> str:
    return json.dumps(
        {
            "kind": doc.kind,
            "text": doc.text,
            "phi": [list(s) for s in doc.phi],
            "decoys": [list(s) for s in doc.decoys],
        },
        ensure_ascii=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--out", default="-", help="JSON lines file, or - for stdout")
    args = parser.parse_args(argv)
    lines = [to_json(doc) for doc in independent_corpus(args.seed, args.n)]
    if args.out == "-":
        sys.stdout.write("\n".join(lines) + "\n")
    else:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
