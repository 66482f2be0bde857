"""Identifier values in the formats real systems write them.

Every function takes the document's random.Random, so one seed gives one corpus.
Check digits are computed where the real identifier has one (SSN area rules, NPI
Luhn, NHS modulus 11, VIN, DEA) so a validating detector is judged fairly.
"""

from __future__ import annotations

import calendar
import datetime
import string
import unicodedata
from dataclasses import dataclass
from random import Random

from phigate.masking.eval.handoff import _names, _places

MONTHS_EN = tuple(calendar.month_name)[1:]


def _words(text: str) -> list[str]:
    return text.split()


MONTHS_FR = _words(
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
)
MONTHS_DE = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
MONTHS_ES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
)
_UNITS = _words("zero one two three four five six seven eight nine")
_TEENS = _words("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen")
_TENS = _words("_ _ twenty thirty forty fifty sixty seventy eighty ninety")
_ORDINAL_UNITS = _words("_ first second third fourth fifth sixth seventh eighth ninth")


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    middle: str
    sex: str
    dob: datetime.date
    family_first: bool = False

    @property
    def name(self) -> str:
        if self.family_first:
            return f"{self.family} {self.middle} {self.given}"
        return f"{self.given} {self.family}"

    @property
    def last_first(self) -> str:
        return f"{self.family}, {self.given}"

    @property
    def dicom(self) -> str:
        tail = f"^{self.middle[0]}" if self.middle else ""
        return f"{self.family.upper()}^{self.given.upper()}{tail}".replace(" ", "^")


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    state_abbr: str
    zip: str
    # What the region is as a decoy: a US state, a Canadian province, a country.
    region_kind: str = "state"


def person(r: Random, adult: bool = True) -> Person:
    sex = r.choice("FM")
    if r.random() < 0.05:
        family, middle, given = r.choice(_names.VIETNAMESE)
        return Person(given, family, middle, sex, birth_date(r, adult), family_first=True)
    middle = r.choice(_names.GIVEN) if r.random() < 0.3 else ""
    return Person(
        r.choice(_names.GIVEN), r.choice(_names.FAMILY), middle, sex, birth_date(r, adult)
    )


def birth_date(r: Random, adult: bool = True) -> datetime.date:
    return day_between(r, 1924 if adult else 2008, 2002 if adult else 2024)


def day_between(r: Random, first_year: int, last_year: int) -> datetime.date:
    year = r.randint(first_year, last_year)
    month = r.randint(1, 12)
    return datetime.date(year, month, r.randint(1, calendar.monthrange(year, month)[1]))


def recent_day(r: Random) -> datetime.date:
    return day_between(r, 2021, 2025)


def town(r: Random) -> str:
    if r.random() < 0.25:
        return r.choice(_places.TOWN_WHOLE)
    return r.choice(_places.TOWN_HEADS) + r.choice(_places.TOWN_TAILS)


def street(r: Random) -> str:
    line = (
        f"{r.randint(1, 29999)} {r.choice(_places.STREET_NAMES)} {r.choice(_places.STREET_TYPES)}"
    )
    if r.random() < 0.1:
        grid = f"{r.randint(1, 9)}{r.choice('NSEW')}{r.randint(100, 999)}"
        line = f"{grid} County Road {r.randint(2, 80)}"
    if r.random() < 0.3:
        line += f" {r.choice(_places.UNITS)} {r.randint(1, 40)}{r.choice(['', 'B', 'C'])}"
    return line


def address(r: Random) -> Address:
    roll = r.random()
    if roll < 0.07:
        line = f"{r.randint(1, 220)} {r.choice(_places.UK_STREETS)}"
        return Address(
            line, r.choice(_places.UK_TOWNS), "England", "England", uk_postcode(r), "country"
        )
    if roll < 0.14:
        line = f"{r.randint(1, 9999)} {r.choice(_places.CA_STREETS)}"
        prov = r.choice(_places.CA_PROVINCES)
        return Address(line, r.choice(_places.CA_TOWNS), prov, prov, ca_postcode(r), "state")
    state, abbr = r.choice(_places.STATES)
    zip_code = f"{r.randint(10000, 99950)}"
    if r.random() < 0.2:
        zip_code += f"-{r.randint(1, 9999):04d}"
    return Address(street(r), town(r), state, abbr, zip_code)


def hospital(r: Random) -> str:
    if r.random() < 0.4:
        return f"{town(r)} {r.choice(_places.HOSPITAL_TAILS)}"
    return f"{r.choice(_places.HOSPITAL_HEADS)} {r.choice(_places.HOSPITAL_TAILS)}"


def words(n: int) -> str:
    """English words for 0..199 (enough for ages, days and phone digits)."""
    if n >= 100:
        rest = n - 100
        return "one hundred" + (f" and {words(rest)}" if rest else "")
    if n < 10:
        return _UNITS[n]
    if n < 20:
        return _TEENS[n - 10]
    tens, unit = divmod(n, 10)
    return _TENS[tens] + (f"-{_UNITS[unit]}" if unit else "")


def ordinal_words(n: int) -> str:
    if n in (11, 12, 13):
        return {11: "eleventh", 12: "twelfth", 13: "thirteenth"}[n]
    if n < 10:
        return _ORDINAL_UNITS[n]
    if n < 20:
        return words(n) + "th"
    tens, unit = divmod(n, 10)
    if unit == 0:
        return _TENS[tens][:-1] + "ieth"
    return f"{_TENS[tens]}-{_ORDINAL_UNITS[unit]}"


def _suffix(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def date_text(r: Random, d: datetime.date, style: str = "") -> str:
    """One of many written forms of a day (US, ISO, European, several languages)."""
    m, dd, y = d.month, d.day, d.year
    forms = {
        "us": f"{m:02d}/{dd:02d}/{y}",
        "us_short": f"{m}/{dd}/{y % 100:02d}",
        "us_loose": f"{m}/{dd}/{y}",
        "iso": d.isoformat(),
        "de": f"{dd:02d}.{m:02d}.{y}",
        "uk": f"{dd:02d}/{m:02d}/{y}",
        "dmy_abbr": f"{dd} {MONTHS_EN[m - 1][:3]} {y}",
        "long": f"{MONTHS_EN[m - 1]} {dd}, {y}",
        "month_day": f"{MONTHS_EN[m - 1][:3]} {dd}",
        "oracle": f"{dd:02d}-{MONTHS_EN[m - 1][:3].upper()}-{y}",
        "compact": f"{y}{m:02d}{dd:02d}",
        "fr": f"{dd} {MONTHS_FR[m - 1]} {y}",
        "de_long": f"{dd}. {MONTHS_DE.split()[m - 1]} {y}",
        "es": f"{dd} de {MONTHS_ES.split()[m - 1]} de {y}",
        "ordinal": f"{MONTHS_EN[m - 1]} {dd}{_suffix(dd)}",
        "slash_md": f"{m}/{dd}",
        "spoken": f"{MONTHS_EN[m - 1]} {ordinal_words(dd)}",
    }
    if not style:
        style = r.choice(tuple(forms)[:15])
    return forms[style]


def age_over_89(r: Random) -> str:
    age = r.choice((90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 104, 107))
    return words(age) if r.random() < 0.25 else str(age)


def phone(r: Random, style: str = "") -> str:
    area = f"{r.randint(2, 9)}{r.randint(0, 8)}{r.randint(0, 9)}"
    ex = f"{r.randint(2, 9)}{r.randint(0, 9)}{r.randint(0, 9)}"
    line = f"{r.randint(0, 9999):04d}"
    forms = {
        "paren": f"({area}) {ex}-{line}",
        "dash": f"{area}-{ex}-{line}",
        "dot": f"{area}.{ex}.{line}",
        "plus1": f"+1 {area} {ex} {line}",
        "bare": f"{area}{ex}{line}",
        "one": f"1-{area}-{ex}-{line}",
        "uk": f"+44 {r.randint(20, 29)} {r.randint(1000, 9999)} {r.randint(1000, 9999)}",
        "uk_mobile": f"07{r.randint(100, 999)} {r.randint(100000, 999999)}",
        "fr": "+33 "
        + " ".join(f"{r.randint(1, 9)}" if i == 0 else f"{r.randint(0, 99):02d}" for i in range(5)),
        "in": f"+91 {r.randint(70000, 99999)} {r.randint(10000, 99999)}",
        "ph": f"+63 {r.randint(905, 999)} {r.randint(100, 999)} {r.randint(1000, 9999)}",
        "ng": f"+234 {r.randint(802, 909)} {r.randint(100, 999)} {r.randint(1000, 9999)}",
    }
    if not style:
        style = r.choices(tuple(forms), weights=(5, 4, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1))[0]
    text = forms[style]
    if style in ("paren", "dash") and r.random() < 0.15:
        text += r.choice((" x", " ext. ", " ext ", ",,")) + str(r.randint(10, 9999))
    return text


def spoken_digits(r: Random, digits: str) -> str:
    """Digits as a voicemail transcript spells them: 'five five five, oh one two three'."""
    zero = r.choice(("oh", "zero"))
    said = [zero if c == "0" else _UNITS[int(c)] for c in digits]
    groups = [said[:3], said[3:6], said[6:]] if len(said) == 10 else [said]
    return ", ".join(" ".join(g) for g in groups if g)


def ssn(r: Random, style: str = "") -> str:
    area = r.randint(1, 898)
    area += area >= 666  # 666 and 900-999 are never issued
    group, serial = r.randint(1, 99), r.randint(1, 9999)
    sep = style or r.choice(("-", "-", "-", " ", ""))
    return f"{area:03d}{sep}{group:02d}{sep}{serial:04d}"


def mrn(r: Random) -> str:
    return r.choice(
        (
            f"{r.randint(0, 99999999):08d}",
            f"{r.choice('AEMK')}{r.randint(1000000, 9999999)}",
            f"MR{r.randint(100000, 999999)}",
            f"{r.randint(10, 99)}-{r.randint(100000, 999999)}",
            f"{r.randint(1000000, 9999999)}",
        )
    )


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def health_plan(r: Random) -> str:
    def mbi() -> str:
        pattern = "CAANAANAANN"
        out = []
        for i, p in enumerate(pattern):
            if p == "C" or (p == "N"):
                out.append(str(r.randint(1 if i == 0 else 0, 9)))
            else:
                out.append(r.choice(_MBI_LETTERS + ("0123456789" if i in (2, 5) else "")))
        return "".join(out)

    return r.choice(
        (
            mbi(),
            _letters(r, 3) + str(r.randint(10**8, 10**9 - 1)),
            f"W{r.randint(10**8, 10**9 - 1)}",
            f"{r.randint(1000, 9999)}-{r.randint(100, 999)}-{r.randint(100, 999)}-"
            f"{r.choice(string.ascii_uppercase)}{r.choice(string.ascii_uppercase)}",
            f"{r.randint(10, 99)}-{r.randint(10**8, 10**9 - 1)}-{r.randint(0, 9)}",
            f"ZGP{r.randint(10**9, 10**10 - 1)}",
        )
    )


def account(r: Random) -> str:
    return r.choice(
        (
            f"{r.randint(10**9, 10**10 - 1)}",
            f"ACCT-{r.randint(10000, 99999)}-{r.randint(10, 99)}",
            f"HAR{r.randint(10**7, 10**8 - 1)}",
            f"{r.randint(1000, 9999)} {r.randint(1000, 9999)} {r.randint(1000, 9999)}",
            f"PT{r.randint(100000, 999999)}",
        )
    )


def dea(r: Random) -> str:
    digits = [r.randint(0, 9) for _ in range(6)]
    check = (digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])) % 10
    return (
        f"{r.choice('ABFM')}{r.choice(string.ascii_uppercase)}"
        + "".join(map(str, digits))
        + str(check)
    )


def license_number(r: Random) -> str:
    return r.choice(
        (
            f"{r.choice(string.ascii_uppercase)}{r.randint(100, 999)}-{r.randint(1000, 9999)}-"
            f"{r.randint(1000, 9999)}",
            dea(r),
            f"MD.{r.randint(10000, 99999):07d}",
            f"RN{r.randint(100000, 999999)}",
            f"{r.randint(10**7, 10**8 - 1)}",
            f"DL {r.choice(string.ascii_uppercase)}{r.randint(10**6, 10**7 - 1)}",
        )
    )


_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUE = dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(r: Random) -> str:
    chars = [r.choice(_VIN_CHARS) for _ in range(17)]
    total = sum(
        (int(c) if c.isdigit() else _VIN_VALUE[c]) * w
        for c, w in zip(chars, _VIN_WEIGHTS, strict=True)
    )
    chars[8] = "X" if total % 11 == 10 else str(total % 11)
    return "".join(chars)


def _letters(r: Random, k: int) -> str:
    return "".join(r.choices(string.ascii_uppercase, k=k))


def plate(r: Random) -> str:
    return r.choice(
        (
            f"{r.randint(1, 9)}{_letters(r, 3)}{r.randint(100, 999)}",
            f"{''.join(r.choices(string.ascii_uppercase, k=3))}-{r.randint(1000, 9999)}",
            f"{''.join(r.choices(string.ascii_uppercase, k=2))}{r.randint(10, 99)} "
            f"{''.join(r.choices(string.ascii_uppercase, k=3))}",
        )
    )


def device(r: Random) -> str:
    alnum = string.ascii_uppercase + string.digits
    return r.choice(
        (
            f"{''.join(r.choices(string.ascii_uppercase, k=3))}{r.randint(100000, 999999)}"
            f"{r.choice(string.ascii_uppercase)}",
            f"(01)00{r.randint(10**11, 10**12 - 1)}(17){r.randint(26, 30)}{r.randint(1, 12):02d}"
            f"{r.randint(1, 28):02d}(21){''.join(r.choices(alnum, k=8))}",
            f"SN-{''.join(r.choices(alnum, k=10))}",
            f"{r.randint(10**9, 10**10 - 1)}",
        )
    )


def ip(r: Random) -> str:
    if r.random() < 0.2:
        return "2001:db8:" + ":".join(f"{r.randint(0, 65535):x}" for _ in range(6))
    first = r.choice((10, 172, 192, 73, 98, 203, 68))
    return f"{first}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def biometric(r: Random) -> str:
    hexes = "".join(r.choices("0123456789abcdef", k=r.choice((16, 24, 32))))
    return r.choice((hexes, f"FPT-{r.randint(1000, 9999)}-{hexes[:6].upper()}", f"IRIS:{hexes}"))


def nhs_number(r: Random) -> str:
    while True:
        digits = [r.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 10:
            continue
        digits.append(0 if check == 11 else check)
        s = "".join(map(str, digits))
        return f"{s[:3]} {s[3:6]} {s[6:]}"


def npi(r: Random) -> str:
    body = [8, 0, 8, 4, 0, 1] + [r.randint(0, 9) for _ in range(8)]
    total = 0
    for i, d in enumerate(reversed(body)):
        total += sum(divmod(d * 2, 10)) if i % 2 == 0 else d
    return "1" + "".join(map(str, body[6:])) + str((10 - total % 10) % 10)


def other_id(r: Random) -> str:
    return r.choice(
        (
            nhs_number(r),
            npi(r),
            f"{r.choice(string.ascii_uppercase)}{r.randint(10**7, 10**8 - 1)}",
            f"CLM{r.randint(10**9, 10**10 - 1)}",
            f"{r.randint(10**10, 10**11 - 1)}",
            f"EMP-{r.randint(10000, 99999)}",
        )
    )


def username(r: Random, p: Person) -> str:
    given = _ascii(p.given).lower()
    family = _ascii(p.family).lower().replace(" ", "").replace("'", "")
    return r.choice(
        (
            f"{given[0]}{family}",
            f"{given}.{family[:1]}",
            f"{family}{given[0]}{r.randint(1, 99)}",
            f"{given}_{r.randint(70, 99)}",
            f"{given[:3]}{family[:3]}",
        )
    )


def email(r: Random, p: Person, domain: str = "") -> str:
    given = _ascii(p.given).lower()
    family = _ascii(p.family).lower().replace(" ", "").replace("'", "")
    domain = domain or r.choice(
        (
            "gmail.com",
            "yahoo.com",
            "outlook.com",
            "icloud.com",
            "proton.me",
            "aol.com",
            "hotmail.co.uk",
        )
    )
    local = r.choice(
        (
            f"{given}.{family}",
            f"{given[0]}{family}",
            f"{given}{r.randint(1, 99)}",
            f"{family}.{given}",
        )
    )
    return f"{local}@{domain}"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded if c.isalnum() or c in " '") or "x"


def staff_domain(hospital_name: str) -> str:
    return _ascii(hospital_name).lower().replace(" ", "").replace("'", "")[:18] + ".org"


def patient_url(r: Random, p: Person, hospital_name: str) -> str:
    host = staff_domain(hospital_name)
    given = _ascii(p.given).lower()
    family = _ascii(p.family).lower().replace(" ", "").replace("'", "")
    return r.choice(
        (
            f"https://mychart.{host}/patient/{r.randint(10000, 999999)}/results",
            f"https://www.facebook.com/{given}.{family}.{r.randint(1, 99)}",
            f"https://www.caringbridge.org/visit/{given}{family}",
            f"https://portal.{host}/records?pid={r.randint(10**6, 10**7 - 1)}",
            f"https://www.gofundme.com/f/help-{given}-{family}-recover",
        )
    )


_CA_LETTERS = "ABCEGHJKLMNPRSTVXY"


def uk_postcode(r: Random) -> str:
    area = "".join(r.choices("ABCDEFGHKLMNOPRSTUWYZ", k=r.choice((1, 2))))
    district = str(r.randint(1, 99 if len(area) == 1 else 29))
    return f"{area}{district} {r.randint(0, 9)}{''.join(r.choices('ABDEFGHJLNPQRSTUWXYZ', k=2))}"


def ca_postcode(r: Random) -> str:
    a, b, c = (r.choice(_CA_LETTERS) for _ in range(3))
    return f"{a}{r.randint(0, 9)}{b} {r.randint(0, 9)}{c}{r.randint(0, 9)}"
