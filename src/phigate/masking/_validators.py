"""Check digits and range rules that confirm a pattern's candidate (a pattern proposes,
a validator disposes). Each takes the candidate as ASCII bytes and returns a bool."""

from __future__ import annotations

import ipaddress

import re2

_DIGITS = frozenset(b"0123456789")


def digits(value: bytes) -> bytes:
    return bytes(c for c in value if c in _DIGITS)


def luhn_ok(number: bytes) -> bool:
    """Luhn mod-10 over a string of ASCII digits."""
    total = 0
    for i, c in enumerate(reversed(number)):
        d = c - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def credit_card(value: bytes) -> bool:
    d = digits(value)
    return 13 <= len(d) <= 19 and d[0:1] in (b"2", b"3", b"4", b"5", b"6") and luhn_ok(d)


def npi(value: bytes) -> bool:
    """NPI: 10 digits starting 1 or 2, Luhn over the number prefixed with 80840."""
    d = digits(value)
    return len(d) == 10 and d[0:1] in (b"1", b"2") and luhn_ok(b"80840" + d)


def dea(value: bytes) -> bool:
    """DEA registration: two letters, seven digits, last is a weighted check digit."""
    v = value.upper()
    if len(v) != 9 or not v[2:].isdigit():
        return False
    n = [c - 48 for c in v[2:]]
    return (n[0] + n[2] + n[4] + 2 * (n[1] + n[3] + n[5])) % 10 == n[6]


def ssn(value: bytes) -> bool:
    """SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000."""
    d = digits(value)
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    return (
        area not in (b"000", b"666") and area[0:1] != b"9" and group != b"00" and serial != b"0000"
    )


def iban(value: bytes) -> bool:
    v = bytes(c for c in value.upper() if c != 32)
    if not 15 <= len(v) <= 34:
        return False
    moved = v[4:] + v[:4]
    number = "".join(str(int(chr(c), 36)) for c in moved)
    return int(number) % 97 == 1


def ipv4(value: bytes) -> bool:
    parts = value.split(b".")
    if len(parts) != 4:
        return False
    if any(len(p) > 1 and p[0:1] == b"0" for p in parts):
        return False  # leading zeros read like versions or codes, not addresses
    return all(int(p) <= 255 for p in parts)


def ipv6(value: bytes) -> bool:
    if value.count(b":") < 2 or sum(c not in b":." for c in value) < 6:
        return False  # "::" or "a::b" is C++ scope, not an address
    try:
        ipaddress.IPv6Address(value.decode("ascii"))
    except ValueError:
        return False
    return True


_VIN_MAP = {
    **{chr(48 + i): i for i in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(value: bytes) -> bool:
    """17-character VIN; a correct North-American check digit, or letters and digits mixed."""
    v = value.decode("ascii").upper()
    if len(v) != 17 or any(c not in _VIN_MAP for c in v):
        return False
    total = sum(_VIN_MAP[c] * w for c, w in zip(v, _VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    has_both = any(c.isdigit() for c in v) and any(c.isalpha() for c in v)
    return v[8] == check or has_both


def date_parts(month: int, day: int, year: int | None) -> bool:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    return year is None or 1850 <= year <= 2150


def phone_digits(value: bytes) -> bool:
    """An international number: 8 to 15 digits (E.164), country code included."""
    return 8 <= len(digits(value.split(b"x")[0].split(b"ext")[0])) <= 15


def phone_ocr(value: bytes) -> bool:
    """A labelled phone read by OCR: most of its ten characters still read as digits
    (a label before a word of letters, "Work: SIB-SOB-BOSS", is no phone)."""
    return len(digits(value)) >= 7


# Sites whose pages are public references, not a person's: agencies, institutions and
# organisations (.gov, .edu, .int, .mil, .org) and well-known health references. A URL
# on them is an identifier only when it points at a person: a portal host, a path about
# a patient or an account, an id in the query.
_PUBLIC_SUFFIXES = (
    b".gov", b".edu", b".int", b".mil", b".org", b".nhs.uk", b".gov.uk", b".ac.uk", b".org.uk",
)  # fmt: skip
_PUBLIC_SITES = frozenset(
    b"snomed.info webmd.com uptodate.com drugs.com medscape.com healthline.com goodrx.com"
    b" rxlist.com merckmanuals.com medlineplus.gov nih.gov cdc.gov who.int github.com"
    b" python.org nejm.org thelancet.com jamanetwork.com bmj.com nature.com sciencedirect.com"
    b" springer.com wiley.com epocrates.com pubmed.ncbi.nlm.nih.gov youtube.com google.com"
    b" microsoft.com apple.com amazon.com".split()
)
# A portal's, a tele-visit's or an upload page's host or path: a link to one person's
# visit or case, also on a health system's .org site ("telehealth.valleybh.org/join/…")
_PERSONAL_HOSTS = frozenset(
    b"mychart portal my myhealth patient patients login account telehealth telemed televisit"
    b" video meet join virtual".split()
)
_PERSONAL_PATHS = (
    b"patient", b"member", b"user", b"profile", b"chart", b"record", b"mrn", b"account",
    b"/p/", b"/u/", b"~", b"join", b"session", b"invite", b"appt", b"appointment", b"token",
    b"upload",
)  # fmt: skip


# A public page's file name of words alone ("patient.html", "member-faq.pdf"); a
# person's page carries an id ("patient-8812.html") or sits under a folder of theirs.
_PAGE_NAME = re2.compile(rb"[a-z]+(?:[-_][a-z]+)*\.(?:html?|pdf|aspx?|php)")


def personal_url(value: bytes) -> bool:
    """False for a page of a public site that points at no person."""
    rest = value.split(b"://", 1)[-1]
    host, _, path = rest.partition(b"/")
    host = host.split(b":")[0].lower()
    if not _public_host(host):
        return True
    if host.split(b".")[0] in _PERSONAL_HOSTS:
        return True
    page, _, query = path.lower().partition(b"?")
    if any(48 <= c <= 57 for c in query):
        return True
    folder = page[: page.rfind(b"/") + 1]
    if _PAGE_NAME.fullmatch(page[len(folder) :]) is not None:
        page = folder  # "patient.html" is a page about patients: no one's record is under it
    return any(w in page for w in _PERSONAL_PATHS)


def _public_host(host: bytes) -> bool:
    if host.endswith(_PUBLIC_SUFFIXES):
        return True
    parts = host.split(b".")
    return any(b".".join(parts[i:]) in _PUBLIC_SITES for i in range(len(parts) - 1))


def _digit_run(text: bytes, length: int = 5) -> bool:
    run = 0
    for c in text:
        run = run + 1 if 48 <= c <= 57 else 0
        if run >= length:
            return True
    return False
