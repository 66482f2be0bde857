"""Invented people and places: names with particles, hyphens and apostrophes,
names that are ordinary words, invented towns and streets, and their numbers."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from phigate.masking.eval.casefile import _dates
from phigate.masking.eval.casefile._dates import Day

GIVEN = (
    "Rose",
    "Hope",
    "Hunter",
    "Grace",
    "Faith",
    "Price",
    "Young",
    "Sterling",
    "June",
    "Mercy",
    "Dolores",
    "Anselm",
    "Marisol",
    "Tobias",
    "Wilhelmina",
    "Desmond",
    "Odalys",
    "Thaddeus",
    "Ines",
    "Lorcan",
    "Yesenia",
    "Casimir",
    "Ebony",
    "Rafferty",
    "Noreen",
    "Cyrus",
    "Bernadette",
    "Jolene",
    "Augustin",
    "Perpetua",
    "Lionel",
    "Maeve",
    "Ignatius",
    "Clementine",
    "Otis",
    "Fenella",
    "Prosper",
    "Winifred",
    "Eldon",
    "Zuleika",
    "Booker",
    "Antoinette",
    "Royce",
)
FAMILY = (
    "Hunter",
    "Young",
    "Price",
    "Rose",
    "Baker",
    "Mason",
    "Hope",
    "Bishop",
    "Gay",
    "Strong",
    "Thomas",
    "James",
    "Marsh",
    "Fairweather",
    "Ashdown",
    "Quaile",
    "Okonkwo-Bell",
    "Dunmore",
    "Pettigrew",
    "Castellanos",
    "Holloway",
    "Threadgill",
    "Vandermolen",
    "Ruelas",
    "Abernathy",
    "Szczepanik",
    "Mbeki-Ross",
    "Lindqvist",
    "Oyelaran",
    "Tremblay",
    "Vasquez-Ortiz",
    "Winslow",
)
PARTICLE = ("van der", "de la", "Mac", "O'", "D'", "St. ", "von", "da", "Le", "ben")
PARTICLE_ROOT = ("Berg", "Cruz", "Dowell", "Rourke", "Angelo", "Clair", "Hagen", "Silva", "Blanc")
NICK = ("Bobby", "Dot", "Sonny", "Peaches", "Red", "Tink", "Buddy", "Cookie", "Skip", "Lulu")
TOWN_A = (
    "Brackwater",
    "Ashcombe",
    "Millbrook",
    "Fennimore",
    "Quarry",
    "Harrowgate",
    "Lindale",
    "Cobb's",
    "Wexley",
    "Tamsin",
    "Orrin",
    "Pellham",
    "Saltmarsh",
    "Gilderoy",
)
TOWN_B = (
    " Falls",
    " Springs",
    " Junction",
    "ville",
    " Crossing",
    " Hollow",
    " Ridge",
    "",
    " Mills",
)
STREET = (
    "Quarry Hollow",
    "Tanner",
    "Old Mill",
    "Larkspur",
    "Cinder",
    "Fiddler's Green",
    "Wickham",
    "Gristmill",
    "Heron Pond",
    "Bellweather",
    "Kestrel",
    "Pumphouse",
)
ST_SUFFIX = ("Rd", "Road", "St", "Street", "Ave", "Lane", "Ln", "Dr", "Ct", "Way", "Pike")
UNIT = ("", "", "", " Apt 4B", " Unit 12", " #3", " Lot 27", " Trlr 9")
STATES = (
    ("MA", "Massachusetts"),
    ("OH", "Ohio"),
    ("GA", "Georgia"),
    ("NM", "New Mexico"),
    ("MN", "Minnesota"),
    ("KY", "Kentucky"),
    ("OR", "Oregon"),
    ("ME", "Maine"),
    ("TX", "Texas"),
    ("WI", "Wisconsin"),
    ("NC", "North Carolina"),
    ("AZ", "Arizona"),
)
HOSP_A = (
    "Marrow Creek",
    "St. Adelind",
    "Greywater",
    "Holy Redeemer of",
    "Tallis",
    "Pinecrest",
    "Okafor Memorial",
    "Sister Agathe",
    "Bellhaven",
    "Corwin County",
)
HOSP_B = (
    " Regional Medical Center",
    " Hospital",
    " Community Hospital",
    " Health System",
    " Rehabilitation & Nursing",
    " Hospice House",
    " Behavioral Health",
)
ORGS = (
    "Tri-Rivers Food Pantry",
    "Harrowgate Baptist Fellowship",
    "Kestrel Logistics LLC",
    "Ashcombe Unified School District",
    "Quaile Brothers Roofing",
    "Second Wind Recovery House",
    "Millbrook Senior Center",
    "Gilderoy Poultry Plant",
    "Lindale Housing Authority",
    "Orrin Valley Credit Union",
    "Bellweather Staffing",
    "Pellham Fire District 3",
)
JOBS = (
    "retired longshoreman",
    "school bus driver",
    "lighthouse keeper",
    "tugboat captain",
    "county coroner",
    "alpaca farmer",
    "organist at the cathedral",
    "state senator",
    "high school principal",
    "ferry pilot",
    "rodeo clown",
    "town clerk",
    "beekeeper",
    "professional harpist",
    "minor-league pitcher",
    "head librarian",
)
MAIL = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "proton.me")
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def letters(rng: random.Random, n: int, pool: str = string.ascii_uppercase) -> str:
    return "".join(rng.choice(pool) for _ in range(n))


def family(rng: random.Random) -> str:
    if rng.random() < 0.2:
        lead = rng.choice(PARTICLE)
        sep = "" if lead.endswith(("'", " ")) or lead == "Mac" else " "
        return f"{lead}{sep}{rng.choice(PARTICLE_ROOT)}"
    return str(rng.choice(FAMILY))


def town(rng: random.Random) -> str:
    return f"{rng.choice(TOWN_A)}{rng.choice(TOWN_B)}"


def hospital(rng: random.Random) -> str:
    return f"{rng.choice(HOSP_A)}{rng.choice(HOSP_B)}"


def phone(rng: random.Random) -> str:
    area, mid, end = rng.randint(201, 989), rng.randint(200, 999), digits(rng, 4)
    style = rng.randrange(5)
    return (
        f"({area}) {mid}-{end}",
        f"{area}-{mid}-{end}",
        f"{area}.{mid}.{end}",
        f"+1 {area} {mid} {end}",
        f"{area}{mid}{end}",
    )[style]


def ssn(rng: random.Random) -> str:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def mbi(rng: random.Random) -> str:
    """Medicare Beneficiary Identifier shape: C A AN N A AN N A A N N."""
    an = MBI_LETTERS + string.digits
    raw = (
        str(rng.randint(1, 9))
        + rng.choice(MBI_LETTERS)
        + rng.choice(an)
        + str(rng.randint(0, 9))
        + rng.choice(MBI_LETTERS)
        + rng.choice(an)
        + str(rng.randint(0, 9))
        + letters(rng, 2, MBI_LETTERS)
        + digits(rng, 2)
    )
    return raw if rng.random() < 0.5 else f"{raw[:4]}-{raw[4:7]}-{raw[7:]}"


def mrn(rng: random.Random) -> str:
    return str(
        rng.choice((digits(rng, 8), "E" + digits(rng, 7), f"{digits(rng, 3)}-{digits(rng, 4)}"))
    )


def vin(rng: random.Random) -> str:
    return "".join(rng.choice(VIN_CHARS) for _ in range(17))


def plate(rng: random.Random) -> str:
    return str(
        rng.choice(
            (
                f"{rng.randint(1, 9)}{letters(rng, 3)}{digits(rng, 3)}",
                f"{letters(rng, 3)}-{digits(rng, 4)}",
                f"{letters(rng, 2)} {digits(rng, 5)}",
            )
        )
    )


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(4)]
    return f"2601:{':'.join(groups[:2])}::{':'.join(groups[2:])}"


def ipv4(rng: random.Random) -> str:
    first = rng.choice((73, 98, 172, 24, 67))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


@dataclass(frozen=True)
class Person:
    """One patient (or relative) whose details recur through a document."""

    first: str
    last: str
    nick: str
    dob: Day
    street: str
    city: str
    state: tuple[str, str]
    zip: str
    phone: str
    email: str
    user: str
    mrn: str
    ssn: str
    sex: str

    def full(self) -> str:
        return f"{self.first} {self.last}"

    def inverted(self) -> str:
        return f"{self.last.upper()}, {self.first.upper()}"


def _street(rng: random.Random) -> str:
    return f"{rng.randint(3, 9899)} {rng.choice(STREET)} {rng.choice(ST_SUFFIX)}{rng.choice(UNIT)}"


def person(rng: random.Random) -> Person:
    first, last = str(rng.choice(GIVEN)), family(rng)
    zip5 = f"{rng.randint(1001, 99950):05d}"
    base = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
    year = rng.randint(1925, 2004)
    return Person(
        first=first,
        last=last,
        nick=str(rng.choice(NICK)),
        dob=Day(year, rng.randint(1, 12), rng.randint(1, 28)),
        street=_street(rng),
        city=town(rng),
        state=rng.choice(STATES),
        zip=zip5 if rng.random() < 0.7 else f"{zip5}-{digits(rng, 4)}",
        phone=phone(rng),
        email=f"{base}{rng.randint(1, 99)}@{rng.choice(MAIL)}",
        user=f"{first[0].lower()}{base.split('.')[-1]}{year % 100:02d}",
        mrn=mrn(rng),
        ssn=ssn(rng),
        sex=str(rng.choice(("female", "male"))),
    )


def clinician(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN)} {family(rng)}"


def event_day(rng: random.Random) -> Day:
    return _dates.day(rng, 2023, 2026)


def personal_url(rng: random.Random, who: Person) -> str:
    """A web address that points at one person: a portal chart, a fundraiser, a profile."""
    first, last = who.first.lower(), "".join(c for c in who.last.lower() if c.isalpha())
    return str(
        rng.choice(
            (
                f"https://www.caringbridge.org/visit/{first}{last}",
                f"https://www.gofundme.com/f/help-{first}-{last}-with-medical-bills",
                f"https://www.facebook.com/{first}.{last}.{rng.randint(1, 99)}",
                f"https://mychart.{rng.choice(('tallis', 'bellhaven'))}health.org/chart/{who.mrn}",
            )
        )
    )
