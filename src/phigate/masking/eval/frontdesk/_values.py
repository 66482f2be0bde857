"""Real-world formats of identifiers, dates and decoys, drawn from one seeded generator."""

from __future__ import annotations

import datetime
import random
import string

from phigate.masking.eval.frontdesk import _pools as pools

_MONTHS = "January February March April May June July August September October November December"
_MONTHS_EN = _MONTHS.split()
_MONTHS_DE = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
_MONTHS_FR = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
_MONTHS_PT = (
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro"
)
_MONTHS_TL = (
    "Enero Pebrero Marso Abril Mayo Hunyo Hulyo Agosto Setyembre Oktubre Nobyembre Disyembre"
)
_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def letters(rng: random.Random, n: int, alphabet: str = string.ascii_uppercase) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def pick(rng: random.Random, pool: tuple[str, ...]) -> str:
    return rng.choice(pool)


def given(rng: random.Random) -> str:
    return pick(rng, pools.GIVEN)


def family(rng: random.Random) -> str:
    return pick(rng, pools.FAMILY)


def full_name(rng: random.Random) -> str:
    style = rng.randrange(5)
    first, last = given(rng), family(rng)
    if style == 0:
        return f"{last}, {first}"
    if style == 1:
        return f"{first} {letters(rng, 1)}. {last}"
    if style == 2:
        return f"{last.upper()}, {first.upper()}"
    return f"{first} {last}"


def a_date(rng: random.Random, start: int = 2024, end: int = 2026) -> datetime.date:
    first = datetime.date(start, 1, 1).toordinal()
    last = datetime.date(end, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(first, last))


def dob(rng: random.Random) -> datetime.date:
    return a_date(rng, 1926, 2019)


def us_date(rng: random.Random, day: datetime.date) -> str:
    style = rng.randrange(6)
    if style == 0:
        return day.strftime("%m/%d/%Y")
    if style == 1:
        return f"{day.month}/{day.day}/{day.strftime('%y')}"
    if style == 2:
        return day.isoformat()
    if style == 3:
        return f"{_MONTHS_EN[day.month - 1]} {day.day}, {day.year}"
    if style == 4:
        return f"{day.day:02d}-{_MONTHS_EN[day.month - 1][:3].upper()}-{day.year}"
    return f"{_MONTHS_EN[day.month - 1][:3]} {day.day} {day.year}"


def local_date(rng: random.Random, day: datetime.date, lang: str) -> str:
    if rng.random() < 0.6:
        sep = "." if lang == "de" else "/"
        return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"
    month = day.month - 1
    if lang == "de":
        return f"{day.day}. {_MONTHS_DE.split()[month]} {day.year}"
    if lang == "fr":
        return f"{day.day} {_MONTHS_FR.split()[month]} {day.year}"
    if lang == "pt":
        return f"{day.day} de {_MONTHS_PT.split()[month]} de {day.year}"
    if lang == "tl":
        return f"{_MONTHS_TL.split()[month]} {day.day}, {day.year}"
    return f"{day.day} tháng {day.month} năm {day.year}"


def old_age(rng: random.Random) -> str:
    age = rng.randint(90, 104)
    if rng.random() < 0.6:
        return str(age)
    tens = "one hundred" if age >= 100 else "ninety"
    ones = age % 10 if age < 100 else age - 100
    sep = " and " if age >= 100 else "-"
    return tens if ones == 0 else f"{tens}{sep}{_ONES[ones - 1]}"


def us_phone(rng: random.Random) -> str:
    area = f"{rng.choice('2345789')}{digits(rng, 2)}"
    exch = f"{rng.choice('2345679')}{digits(rng, 2)}"
    line = digits(rng, 4)
    style = rng.randrange(5)
    forms = (
        f"({area}) {exch}-{line}",
        f"{area}-{exch}-{line}",
        f"{area}.{exch}.{line}",
        f"+1 {area} {exch} {line}",
        f"1-{area}-{exch}-{line}",
    )
    return forms[style]


def intl_phone(rng: random.Random, lang: str) -> str:
    if lang == "de":
        return rng.choice(
            (
                f"+49 30 {digits(rng, 4)} {digits(rng, 4)}",
                f"0{rng.randint(151, 179)} {digits(rng, 7)}",
            )
        )
    if lang == "fr":
        return rng.choice(
            (
                f"+33 1 {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)}",
                f"06 {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)}",
            )
        )
    if lang == "pt":
        return f"+55 11 9{digits(rng, 4)}-{digits(rng, 4)}"
    if lang == "tl":
        return rng.choice(
            (
                f"+63 917 {digits(rng, 3)} {digits(rng, 4)}",
                f"0918 {digits(rng, 3)} {digits(rng, 4)}",
            )
        )
    return rng.choice(
        (f"+84 912 {digits(rng, 3)} {digits(rng, 3)}", f"0903 {digits(rng, 3)} {digits(rng, 3)}")
    )


def ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def mrn(rng: random.Random) -> str:
    forms = (
        f"{digits(rng, 8)}",
        f"E{digits(rng, 7)}",
        f"KV-{digits(rng, 4)}-{digits(rng, 3)}",
        f"MR{digits(rng, 6)}",
        f"{letters(rng, 2)}{digits(rng, 6)}",
    )
    return rng.choice(forms)


def member_id(rng: random.Random) -> str:
    # Medicare Beneficiary Identifier layout: no S, L, O, I, B, Z letters.
    abc = "ACDEFGHJKMNPQRTUVWXY"
    mbi = (
        f"{rng.randint(1, 9)}{letters(rng, 1, abc)}{letters(rng, 1, abc + string.digits)}"
        f"{digits(rng, 1)}-{letters(rng, 2, abc)}{digits(rng, 1)}-{letters(rng, 2, abc)}"
        f"{digits(rng, 2)}"
    )
    forms = (
        f"{letters(rng, 3)}{digits(rng, 9)}",
        f"W{digits(rng, 9)}",
        mbi,
        f"{letters(rng, 2)}{digits(rng, 5)}{letters(rng, 1)}",
        f"U{digits(rng, 8)}01",
    )
    return rng.choice(forms)


def account(rng: random.Random) -> str:
    return rng.choice(
        (
            f"{digits(rng, 10)}",
            f"G-{digits(rng, 7)}",
            f"PA{digits(rng, 8)}",
            f"{digits(rng, 4)}-{digits(rng, 6)}",
        )
    )


def claim_id(rng: random.Random) -> str:
    return rng.choice(
        (
            f"{digits(rng, 4)}{letters(rng, 2)}{digits(rng, 7)}",
            f"CLM-{digits(rng, 9)}",
            f"PA-{digits(rng, 2)}-{digits(rng, 6)}",
            f"{digits(rng, 13)}",
        )
    )


def luhn_digit(body: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def npi(rng: random.Random) -> str:
    body = rng.choice("12") + digits(rng, 8)
    return body + str(luhn_digit("80840" + body))


def dea(rng: random.Random, surname: str) -> str:
    initial = next((c for c in surname.upper() if c in string.ascii_uppercase), "X")
    body = [int(c) for c in digits(rng, 6)]
    check = (body[0] + body[2] + body[4] + 2 * (body[1] + body[3] + body[5])) % 10
    return rng.choice("ABFGM") + initial + "".join(map(str, body)) + str(check)


def licence(rng: random.Random) -> str:
    return rng.choice(
        (
            f"MD.{digits(rng, 7)}",
            f"A{digits(rng, 6)}",
            f"RN{digits(rng, 7)}",
            f"{letters(rng, 1)}{digits(rng, 3)}-{digits(rng, 4)}-{digits(rng, 4)}",
            f"PHM-{digits(rng, 5)}",
            f"{digits(rng, 2)}-{digits(rng, 6)}",
        )
    )


def vin(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    return rng.choice("1245J3") + letters(rng, 16, alphabet)


def plate(rng: random.Random) -> str:
    return rng.choice(
        (
            f"{rng.randint(1, 9)}{letters(rng, 3)}{digits(rng, 3)}",
            f"B-{letters(rng, 2)} {rng.randint(100, 9999)}",
            f"{letters(rng, 2)}-{digits(rng, 3)}-{letters(rng, 2)}",
            f"{letters(rng, 3)} {digits(rng, 4)}",
        )
    )


def device_serial(rng: random.Random) -> str:
    return rng.choice(
        (
            f"PJN{digits(rng, 6)}H",
            f"{letters(rng, 2)}{digits(rng, 8)}",
            f"8M{letters(rng, 1)}{digits(rng, 1)}{letters(rng, 2)}{digits(rng, 2)}",
            f"SN-{digits(rng, 4)}-{letters(rng, 4)}",
        )
    )


def ip_address(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return (
            f"2600:1700:{rng.randrange(65536):x}:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
        )
    head = rng.choice((73, 98, 24, 172, 68, 71, 104, 189))
    return f"{head}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"


def username(rng: random.Random, first: str, last: str) -> str:
    a = _ascii(first).lower() or "pt"
    b = _ascii(last).lower() or "user"
    return rng.choice(
        (f"{a[0]}{b}{rng.randint(1, 99)}", f"{a}.{b}", f"{b}_{a[:3]}", f"{a}{b[0]}{digits(rng, 3)}")
    )


def email(rng: random.Random, first: str, last: str) -> str:
    domain = rng.choice(
        (
            "gmail.com",
            "yahoo.com",
            "outlook.com",
            "icloud.com",
            "proton.me",
            "web.de",
            "orange.fr",
            "uol.com.br",
            "hotmail.com",
        )
    )
    return f"{username(rng, first, last)}@{domain}"


def _ascii(text: str) -> str:
    return "".join(c for c in text if c.isascii() and c.isalpha())


def biometric(rng: random.Random) -> str:
    hexd = "0123456789abcdef"
    return rng.choice(
        (
            f"VPR-{letters(rng, 8, hexd)}",
            f"FPT:{letters(rng, 4, hexd)}-{letters(rng, 12, hexd)}",
            f"IRIS-{digits(rng, 10)}",
            f"PALM{letters(rng, 2)}{digits(rng, 7)}",
        )
    )


def street(rng: random.Random) -> str:
    base = f"{rng.randint(1, 9899)} {pick(rng, pools.STREET_ROOTS)} {pick(rng, pools.STREET_TYPES)}"
    unit = rng.choice(
        (
            "",
            "",
            f", Apt {rng.randint(1, 40)}{rng.choice('ABCD')}",
            f" #{rng.randint(100, 999)}",
            f", Unit {rng.randint(1, 12)}",
        )
    )
    return base + unit


def town(rng: random.Random) -> str:
    return pick(rng, pools.TOWN_HEADS) + pick(rng, pools.TOWN_TAILS)


def us_zip(rng: random.Random) -> str:
    z = f"{rng.randint(1001, 99950):05d}"
    return z if rng.random() < 0.7 else f"{z}-{digits(rng, 4)}"


def hospital(rng: random.Random) -> str:
    return f"{pick(rng, pools.HOSPITAL_HEADS)} {pick(rng, pools.HOSPITAL_TAILS)}"


def url_for(rng: random.Random, who: str) -> str:
    token = letters(rng, 8, string.ascii_letters + string.digits)
    return rng.choice(
        (
            f"https://pay.kvh-billing.com/s/{token}",
            f"https://mychart.marrowbrookhealth.org/u/{who}",
            f"https://www.facebook.com/{who}",
            f"https://portal.quillfordregional.org/statements/{token}",
        )
    )


def iban_de(rng: random.Random) -> str:
    bban = digits(rng, 18)
    check = 98 - int(bban + "131400") % 97
    raw = f"DE{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def cpf(rng: random.Random) -> str:
    base = [int(c) for c in digits(rng, 9)]
    for weight_start in (10, 11):
        total = sum(d * w for d, w in zip(base, range(weight_start, 1, -1), strict=False))
        base.append(0 if total % 11 < 2 else 11 - total % 11)
    s = "".join(map(str, base))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def nir(rng: random.Random) -> str:
    sex, month, dept = rng.choice("12"), rng.randint(1, 12), rng.randint(1, 95)
    body = f"{sex}{digits(rng, 2)}{month:02d}{dept:02d}{digits(rng, 6)}"
    key = 97 - int(body) % 97
    return f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key:02d}"


def kvnr(rng: random.Random) -> str:
    return letters(rng, 1) + digits(rng, 9)


def philhealth(rng: random.Random) -> str:
    return f"{digits(rng, 2)}-{digits(rng, 9)}-{digits(rng, 1)}"


def cccd(rng: random.Random) -> str:
    return rng.choice(("001", "079", "031", "048")) + rng.choice("0123") + digits(rng, 8)


def money(rng: random.Random) -> str:
    return f"${rng.randint(5, 9999):,}.{rng.randint(0, 99):02d}"


def uuid_like(rng: random.Random) -> str:
    h = "0123456789abcdef"
    parts = (8, 4, 4, 4, 12)
    return "-".join(letters(rng, n, h) for n in parts)


def commit_hash(rng: random.Random) -> str:
    return letters(rng, rng.choice((7, 12, 40)), "0123456789abcdef")


def software_timestamp(rng: random.Random) -> str:
    day = a_date(rng, 2025, 2026)
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    return f"{day.isoformat()}T{clock}Z"


def version(rng: random.Random) -> str:
    return f"v{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
