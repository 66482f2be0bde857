"""People, places, dates and contact details; written for this corpus, no generator library."""

from __future__ import annotations

import datetime as dt
from random import Random

FIRST = (
    "Marisol",
    "Dwayne",
    "Ingrid",
    "Tobias",
    "Keisha",
    "Anselm",
    "Priyanka",
    "Colm",
    "Yesenia",
    "Thaddeus",
    "Oluwaseun",
    "Bronwyn",
    "Laszlo",
    "Rosalind",
    "Dmitri",
    "Ximena",
    "Cormac",
    "Hope",
    "Faith",
    "Rose",
    "Grant",
    "Will",
    "Mark",
    "Bill",
    "Summer",
    "Hunter",
    "Sky",
    "June",
    "Precious",
    "Royal",
    "Major",
    "Sunny",
    "Earl",
    "Iris",
    "Jean-Baptiste",
    "Mary-Kate",
    "Zoë",
)
LAST = (
    "Okonkwo",
    "Villanueva",
    "Halvorsen",
    "Abernathy",
    "Quintero",
    "Szymańska",
    "Lindqvist",
    "O'Sullivan",
    "D'Amico",
    "van der Meulen",
    "de la Fuente",
    "McAllister-Vance",
    "Al-Khatib",
    "ben Haim",
    "Baker",
    "King",
    "Young",
    "Page",
    "Lane",
    "Brown",
    "Story",
    "Church",
    "Small",
    "Rich",
    "Person",
    "Hope",
    "Wells",
    "Street",
    "Fields",
    "Cook",
    "Nguyen-Tran",
    "St. Clair",
    "Featherstonehaugh",
    "Przybylski",
    "Van Buren",
    "le Roux",
    "Mbeki",
    "Tanaka-Whitlock",
)
STREETS = (
    "Larkspur Ct",
    "Old Mill Rd",
    "Quarry Hill Dr",
    "Pemberton Ave",
    "Sycamore Ln",
    "Harbor View Blvd",
    "Cottonwood Way",
    "Ridgecrest Cir",
    "Mulberry St",
    "Foxglove Pl",
    "Elm St",
    "Canal Street",
    "County Road 14",
    "Martin Luther King Jr Blvd",
    "Kalakaua Ave",
)
CITIES = (
    ("Tacoma", "WA", "984"),
    ("Dubuque", "IA", "520"),
    ("Chattanooga", "TN", "374"),
    ("Lafayette", "LA", "705"),
    ("Bangor", "ME", "044"),
    ("Flagstaff", "AZ", "860"),
    ("Paducah", "KY", "420"),
    ("Eau Claire", "WI", "547"),
    ("Hilo", "HI", "967"),
    ("Scranton", "PA", "185"),
    ("Boise", "ID", "837"),
    ("Las Cruces", "NM", "880"),
    ("Ithaca", "NY", "148"),
    ("Duluth", "MN", "558"),
    ("Macon", "GA", "312"),
)
HOSPITALS = (
    "St. Brendan's Regional Medical Center",
    "Mercy Lakeshore Hospital",
    "Cascadia Valley Medical Center",
    "Good Samaritan of the Plains",
    "Holy Cross Bayside",
    "Pinecrest Children's Hospital",
    "Riverside Hospital of Greater Macon",
    "Our Lady of the Lake Infirmary",
    "Blue Hills Memorial",
    "Kapiolani West Medical Center",
)
ORGS = (
    "Halvorsen Freight Lines",
    "Redtail Poultry Processing LLC",
    "Quarry Hill Unified School District",
    "Tri-County Sheriff's Office",
    "Northgate Packaging Co.",
    "Sunrise Elder Care Partners",
    "Bluewater Marine Repair",
    "Kestrel Semiconductor Fab 3",
    "Lakeview Parish Church",
    "Brightline Staffing Inc.",
    "Gideon & Marsh LLP",
    "Copperfield Mining Cooperative",
)
PROFESSIONS = (
    "the only veterinarian in town",
    "harbor pilot",
    "state senator",
    "high-school principal",
    "professional hockey goaltender",
    "Catholic parish priest",
    "local news anchor",
    "wind-turbine technician",
    "county coroner",
    "lighthouse keeper",
    "rodeo clown",
    "air traffic controller",
    "church organist",
    "tattoo artist",
    "ferry captain",
)
OLD_AGE_WORDS = {
    90: "ninety",
    91: "ninety-one",
    92: "ninety-two",
    93: "ninety-three",
    94: "ninety-four",
    95: "ninety-five",
    96: "ninety-six",
    97: "ninety-seven",
    98: "ninety-eight",
    99: "ninety-nine",
    100: "one hundred",
    101: "one hundred and one",
    102: "one hundred two",
}
MONTHS_EN = (
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


def a_date(r: Random, start: int = 1925, end: int = 2026) -> dt.date:
    first = dt.date(start, 1, 1).toordinal()
    last = dt.date(end, 12, 28).toordinal()
    return dt.date.fromordinal(r.randint(first, last))


def us_date(r: Random, day: dt.date) -> str:
    """One of the US and ISO spellings of a date, as clinics and software write them."""
    style = r.randrange(8)
    if style == 0:
        return f"{day.month:02d}/{day.day:02d}/{day.year}"
    if style == 1:
        return day.isoformat()
    if style == 2:
        return f"{day.day:02d}-{MONTHS_EN[day.month - 1][:3]}-{day.year}"
    if style == 3:
        return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"
    if style == 4:
        return f"{day.month}/{day.day}/{day.year % 100:02d}"
    if style == 5:
        return f"{MONTHS_EN[day.month - 1][:3]} {day.day} {day.year}"
    if style == 6:
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.month}-{day.day}-{day.year}"


class People:
    """The identifiers of invented persons, drawn from one Random."""

    def __init__(self, r: Random) -> None:
        self.r = r

    def first(self) -> str:
        return self.r.choice(FIRST)

    def last(self) -> str:
        return self.r.choice(LAST)

    def full(self) -> str:
        r = self.r
        style = r.randrange(5)
        if style == 0:
            return f"{self.last()}, {self.first()}"
        if style == 1:
            return f"{self.first()} {r.choice('ABCDEFGHJKLMPRSTW')}. {self.last()}"
        return f"{self.first()} {self.last()}"

    def street(self) -> str:
        r = self.r
        unit = r.choice(
            ["", "", f" Apt {r.randint(1, 40)}{r.choice('ABCD')}", f" Unit {r.randint(100, 999)}"]
        )
        return f"{r.randint(2, 29999)} {r.choice(STREETS)}{unit}"

    def city(self) -> tuple[str, str, str]:
        city, state, prefix = self.r.choice(CITIES)
        return city, state, prefix + f"{self.r.randint(1, 99):02d}"

    def date(self, start: int = 1925, end: int = 2026) -> str:
        return us_date(self.r, a_date(self.r, start, end))

    def phone(self) -> str:
        r = self.r
        area, mid, end = r.randint(201, 989), r.randint(200, 989), r.randint(0, 9999)
        style = r.randrange(5)
        if style == 0:
            return f"({area}) {mid}-{end:04d}"
        if style == 1:
            return f"{area}.{mid}.{end:04d}"
        if style == 2:
            return f"+1 {area} {mid} {end:04d}"
        if style == 3:
            return f"1-{area}-{mid}-{end:04d}"
        return f"{area}-{mid}-{end:04d}"

    def email(self, first: str, last: str) -> str:
        r = self.r
        f = "".join(c for c in first.lower() if c.isascii() and c.isalpha()) or "pt"
        la = "".join(c for c in last.lower() if c.isascii() and c.isalpha()) or "x"
        local = r.choice(
            [
                f"{f}.{la}",
                f"{f[0]}{la}{r.randint(1, 99)}",
                f"{la}_{f}",
                f"{f}{r.randint(1950, 2010)}",
            ]
        )
        domain = r.choice(["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me"])
        return f"{local}@{domain}"

    def username(self, first: str, last: str) -> str:
        f = "".join(c for c in first.lower() if c.isascii() and c.isalpha()) or "u"
        la = "".join(c for c in last.lower() if c.isascii() and c.isalpha()) or "x"
        return self.r.choice(
            [f"{f[0]}{la}", f"{f}.{la}", f"{la}{f[0]}{self.r.randint(1, 9)}", f"{f}_{la[:4]}"]
        )

    def old_age(self) -> tuple[int, str]:
        age = self.r.randint(90, 102)
        return age, OLD_AGE_WORDS[age] if self.r.random() < 0.35 else str(age)

    def mrn(self) -> str:
        r = self.r
        style = r.randrange(4)
        if style == 0:
            return f"{r.randint(1000000, 9999999)}"
        if style == 1:
            return f"MR{r.randint(100000, 999999)}"
        if style == 2:
            return f"{r.randint(10, 99)}-{r.randint(100, 999)}-{r.randint(100, 999)}"
        return f"E{r.randint(10000000, 99999999)}"

    def member_id(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.choice(['XEH', 'W', 'ZGP', 'H'])}{r.randint(100000000, 999999999)}",
                f"{r.randint(1, 9)}EG{r.randint(1, 9)}-TE{r.randint(1, 9)}-MK{r.randint(10, 99)}",
            ]
        )
