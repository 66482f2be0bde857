"""Identifiers with their real check digits (a detector may validate them, so they must pass)."""

from __future__ import annotations

import string
from random import Random

_DIGITS = string.digits
_HEX = "0123456789abcdef"


def digits(r: Random, n: int, first_nonzero: bool = True) -> str:
    head = r.choice("123456789") if first_nonzero else r.choice(_DIGITS)
    return head + "".join(r.choice(_DIGITS) for _ in range(n - 1))


def luhn_check(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


def npi(r: Random) -> str:
    body = r.choice("12") + digits(r, 8, first_nonzero=False)
    return body + luhn_check("80840" + body)


def dea(r: Random, surname: str) -> str:
    initial = next((c.upper() for c in surname if c.isascii() and c.isalpha()), "X")
    d = [int(c) for c in digits(r, 6, first_nonzero=False)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return r.choice("ABFM") + initial + "".join(map(str, d)) + str(check)


def card(r: Random) -> str:
    prefix = r.choice(["4", "51", "52", "55", "37", "6011"])
    length = 15 if prefix == "37" else 16
    body = prefix + digits(r, length - len(prefix) - 1, first_nonzero=False)
    return body + luhn_check(body)


def aba(r: Random) -> str:
    district = r.choice([*range(1, 13), *range(21, 33)])
    d = [int(c) for c in f"{district:02d}" + digits(r, 6, first_nonzero=False)]
    partial = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
    return "".join(map(str, d)) + str((10 - partial % 10) % 10)


def iban_de(r: Random) -> str:
    bban = digits(r, 8) + digits(r, 10, first_nonzero=False)
    # ISO 7064 mod 97-10 over BBAN + "DE00", letters as 13/14.
    check = 98 - int(bban + "131400") % 97
    raw = f"DE{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


_VIN_VALUE = {c: i for i, c in enumerate("0123456789")} | dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9],
        strict=True,
    )
)
_VIN_WEIGHT = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def vin(r: Random) -> str:
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    chars = [r.choice(["1", "2", "3", "4", "5", "J", "K", "W"])]
    chars += [r.choice(alphabet) for _ in range(16)]
    total = sum(_VIN_VALUE[c] * w for c, w in zip(chars, _VIN_WEIGHT, strict=True))
    chars[8] = "X" if total % 11 == 10 else str(total % 11)
    return "".join(chars)


def imei(r: Random) -> str:
    body = r.choice(["35", "86", "01", "49"]) + digits(r, 12, first_nonzero=False)
    return body + luhn_check(body)


def mac(r: Random, sep: str = ":") -> str:
    return sep.join(r.choice(_HEX) + r.choice(_HEX) for _ in range(6)).upper()


def ipv4(r: Random) -> str:
    first = r.choice([10, 172, 192, 100, 73, 98, 24, 68])
    return f"{first}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def ipv6(r: Random) -> str:
    groups = [f"{r.randint(0, 0xFFFF):x}" for _ in range(5)]
    return "2600:" + ":".join(groups[:3]) + "::" + groups[3]


def ssn(r: Random, dashed: bool = True) -> str:
    area = r.choice([n for n in range(1, 900) if n != 666])
    group, serial = r.randint(1, 99), r.randint(1, 9999)
    sep = "-" if dashed else ""
    return f"{area:03d}{sep}{group:02d}{sep}{serial:04d}"


_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_check(payload: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(payload)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return str(_VERHOEFF_INV[c])


def aadhaar(r: Random) -> str:
    body = r.choice("23456789") + digits(r, 10, first_nonzero=False)
    raw = body + verhoeff_check(body)
    return f"{raw[:4]} {raw[4:8]} {raw[8:]}"


def cpf(r: Random) -> str:
    d = [int(c) for c in digits(r, 9, first_nonzero=False)]
    for size in (9, 10):
        total = sum(x * w for x, w in zip(d, range(size + 1, 1, -1), strict=True))
        d.append(0 if total % 11 < 2 else 11 - total % 11)
    s = "".join(map(str, d))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def teudat_zehut(r: Random) -> str:
    body = digits(r, 8, first_nonzero=False)
    total = 0
    for i, ch in enumerate(body):
        x = int(ch) * (1 if i % 2 == 0 else 2)
        total += x - 9 if x > 9 else x
    return body + str((10 - total % 10) % 10)


def thai_id(r: Random) -> str:
    body = r.choice("12345678") + digits(r, 11, first_nonzero=False)
    check = (11 - sum(int(c) * (13 - i) for i, c in enumerate(body)) % 11) % 10
    raw = body + str(check)
    return f"{raw[0]}-{raw[1:5]}-{raw[5:10]}-{raw[10:12]}-{raw[12]}"


def my_number(r: Random) -> str:
    body = digits(r, 11, first_nonzero=False)
    total = 0
    for n in range(1, 12):
        p = int(body[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    rem = total % 11
    raw = body + str(0 if rem <= 1 else 11 - rem)
    return f"{raw[:4]} {raw[4:8]} {raw[8:]}"


def kvnr(r: Random) -> str:
    letter = r.choice(string.ascii_uppercase)
    body = f"{string.ascii_uppercase.index(letter) + 1:02d}" + digits(r, 8, first_nonzero=False)
    total = 0
    for i, ch in enumerate(body):
        x = int(ch) * (1 if i % 2 == 0 else 2)
        total += x // 10 + x % 10
    return letter + body[2:] + str(total % 10)


def amka(r: Random, dob: tuple[int, int, int]) -> str:
    y, m, d = dob
    body = f"{d:02d}{m:02d}{y % 100:02d}" + digits(r, 4, first_nonzero=False)
    return body + luhn_check(body)


def edipi(r: Random) -> str:
    return digits(r, 10)


def hex_string(r: Random, n: int) -> str:
    return "".join(r.choice(_HEX) for _ in range(n))


def uuid(r: Random) -> str:
    h = hex_string(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{r.choice('89ab')}{h[17:20]}-{h[20:]}"


def alnum(r: Random, n: int, alphabet: str = string.ascii_uppercase + string.digits) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def dicom_uid(r: Random, root: str = "1.2.840.113619.2") -> str:
    tail = ".".join(str(r.randint(1, 99999)) for _ in range(r.randint(3, 5)))
    return f"{root}.{tail}"


def a_date_compact(r: Random) -> str:
    """A birth date as HL7 v2 and DICOM write it (YYYYMMDD)."""
    return f"{r.randint(1930, 2015)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
