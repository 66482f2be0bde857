"""A labelled synthetic corpus: clinical notes, portal messages, JSON payloads and
EHR-style tables, with PHI labelled by type and decoys (things that look like
PHI but are not: years, state names, codes, vitals, ages under 90, words that
double as names, clinical eponyms) labelled too.

A share of the person names comes from locales the name dictionary does not
use (Polish, Italian, German, French, Vietnamese), so names are also found by
context, not only by dictionary lookup.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker

from phigate.masking import entities as e

DICT_LOCALE = "en_US"
HELD_OUT_LOCALES = ("pl_PL", "it_IT", "de_DE", "fr_FR", "vi_VN")
DECOY = "DECOY"


@dataclass
class Document:
    kind: str
    text: str
    # (start, end, entity type) of PHI, and (start, end, decoy kind) of decoys.
    phi: list[tuple[int, int, str]] = field(default_factory=list)
    decoys: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class Table:
    """Rows of a table with the entity type (or None) of every column."""

    name: str
    columns: list[str]
    column_types: list[str | None]
    rows: list[list[object]]


NOTE_TEMPLATES = (
    "Patient: {name}   DOB: {dob}   MRN: {mrn}\nDate of service: {date}\n"
    "CC: follow-up of {eponym}.\nHPI: {first_ref} is a {age}-year-old {sex} with {dx_text} "
    "({icd}) who presents for routine follow up. Vitals: BP {bp}, HR {hr}, T {temp}. "
    "A1c {a1c}% in {year}. Continue {drug} {dose}.\n"
    "Plan: labs ({loinc}), return in 3 months. {word_sentence}\n"
    "Electronically signed by {provider}, MD (NPI {npi}) on {date2}.",
    "DISCHARGE SUMMARY\nName: {name}\nAdmitted: {date}  Discharged: {date2}\n"
    "{name} is a {age90}-year-old resident of {city}, {state_name} admitted for {dx_text}. "
    "Home address {address}, {city}, {state_abbr} {zip}. Contact: {phone}.\n"
    "Procedure CPT {cpt}. Wife {first2} at bedside. Follow up with Dr. {last2} in {state_name}.",
    "Telephone encounter {date}: spoke with {first_ref} at {phone} regarding {lab} results. "
    "Patient reports improvement; {word_sentence} Pharmacy notified. SSN on file {ssn}. "
    "Insurance member ID {member_id}. Email {email}. -- {provider}",
    "Progress note. {name} (MRN {mrn}), a {age}-year-old with history of {eponym} and "
    "{dx_text}, seen in clinic in {state_name} on {date}. Device serial {serial}. "
    "Daughter {first2} {last} drove her, vehicle plate {plate}. Labs: {lab}. "
    "ICD-10 {icd}; CPT {cpt}.",
    "Referral from Dr. {last2} ({provider_email}). Pt {name}, born {dob}, lives at {address}. "
    "Prior records at {url}. Login from IP {ip}. Account {account}. {word_sentence} "
    "Vitals stable: BP {bp}, SpO2 {spo2}%. Seen {year}.",
    "Nursing note {date} {time}: {first_ref} ambulated in hallway. {word_sentence} "
    "Apgar history reviewed. Mr. {last} asked for his son {first2}. "
    "Called {phone} (fax {fax}). Driver's license {license} copied to chart.",
)

MESSAGE_TEMPLATES = (
    "Hi Dr. {last2},\nThis is {name}. I was seen on {date} and my {lab} came back high. "
    "Can I take {drug} {dose} with it? My cell is {phone}.\nThanks,\n{first_ref}",
    "Hello, I'm writing for my mother {name} (DOB {dob}). She moved to {city}, {state_name} "
    "and her new address is {address}, {city}, {state_abbr} {zip}. {word_sentence} "
    "Her member ID is {member_id}. Reply to {email}.",
    "Dear {first_ref}, your appointment on {date} at {time} is confirmed with Dr. {last2}. "
    "Please bring your card. Questions: {phone}. {word_sentence}",
)

WORD_SENTENCES = (
    "Will follow up in {year}.",
    "May need a referral to cardiology.",
    "Hope to taper steroids next visit.",
    "Grant application for home care was filed.",
    "Rose from the chair without help.",
    "Mark the site before the procedure.",
    "Young adults in the household are vaccinated.",
    "Summer travel planned to {state_name}.",
    "Bill to the secondary insurer.",
    "Long discussion about diet; Brown rice suggested.",
    "Patient will call back.",
    "Faith is important to the patient.",
)

DRUGS = ("metformin", "lisinopril", "atorvastatin", "amlodipine", "levothyroxine", "sertraline")
DX = ("type 2 diabetes", "hypertension", "COPD", "atrial fibrillation", "CKD stage 3", "asthma")
EPONYMS = (
    "Parkinson's disease",
    "Crohn's disease",
    "Hashimoto's thyroiditis",
    "Graves disease",
    "Alzheimer's dementia",
    "Bell's palsy",
)
ICD = ("E11.9", "I10", "J44.9", "I48.91", "N18.3", "J45.909", "G20", "K50.90", "F32.A")
CPT = ("99213", "99214", "93000", "80053", "36415", "71046", "99395")
LOINC = ("4548-4", "2345-7", "2160-0", "718-7", "6690-2", "17861-6")
LABS = ("potassium 4.1 mmol/L", "creatinine 1.2 mg/dL", "hemoglobin 13.5 g/dL", "LDL 128 mg/dL")


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.phi: list[tuple[int, int, str]] = []
        self.decoys: list[tuple[int, int, str]] = []

    def add(self, text: str, label: str | None = None, decoy: str | None = None) -> None:
        if label is not None:
            self.phi.append((self.pos, self.pos + len(text), label))
        if decoy is not None:
            self.decoys.append((self.pos, self.pos + len(text), decoy))
        self.parts.append(text)
        self.pos += len(text)

    def doc(self, kind: str) -> Document:
        return Document(kind, "".join(self.parts), self.phi, self.decoys)


class CorpusGenerator:
    """Seeded generator; the same seed gives the same corpus."""

    def __init__(self, seed: int = 7, held_out_share: float = 0.3) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker(DICT_LOCALE)
        self.fake.seed_instance(seed)
        self.others = [Faker(loc) for loc in HELD_OUT_LOCALES]
        for i, other in enumerate(self.others):
            other.seed_instance(seed + i + 1)
        self.held_out_share = held_out_share

    # -- values

    def _person(self) -> tuple[str, str]:
        fake = self.fake
        if self.rng.random() < self.held_out_share:
            fake = self.rng.choice(self.others)
        return fake.first_name(), fake.last_name()

    def _date(self, start: str = "-5y") -> str:
        d = self.fake.date_between(start_date=start, end_date="today")
        fmt = self.rng.choice(("%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y", "%-m/%-d/%y", "%d %b %Y"))
        return d.strftime(fmt)

    def _dob(self) -> str:
        d = self.fake.date_of_birth(minimum_age=18, maximum_age=95)
        return d.strftime(self.rng.choice(("%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y")))

    def _slots(self) -> dict[str, Slot]:
        f, r = self.fake, self.rng
        first, last = self._person()
        first2, last2 = self._person()
        ref = r.choice((f"{first}", f"Mr. {last}", f"Ms. {last}", f"{first} {last}"))
        return {
            "name": _phi(f"{first} {last}", e.PERSON),
            "first_ref": _phi(ref, e.PERSON),
            "first2": _phi(first2, e.PERSON),
            "last": _phi(last, e.PERSON),
            "last2": _phi(last2, e.PERSON),
            "provider": _phi(lambda: " ".join(self._person()), e.PERSON),
            "dob": _phi(self._dob, e.DATE),
            "date": _phi(self._date, e.DATE),
            "date2": _phi(self._date, e.DATE),
            "mrn": _phi(lambda: str(r.randint(10**6, 10**8)), e.MRN),
            "ssn": _phi(f.ssn, e.SSN),
            "phone": _phi(f.phone_number, e.PHONE),
            "fax": _phi(f.phone_number, e.PHONE),
            "email": _phi(f.email, e.EMAIL),
            "provider_email": _phi(f.company_email, e.EMAIL),
            "address": _phi(f.street_address, e.STREET_ADDRESS),
            "city": _phi(f.city, e.LOCATION),
            "zip": _phi(f.postcode, e.ZIP),
            "member_id": _phi(lambda: f.bothify("???#########").upper(), e.HEALTH_PLAN_ID),
            "account": _phi(lambda: f.bothify("########")[:8], e.ACCOUNT_NUMBER),
            "npi": _phi(_npi(r), e.NPI),
            "serial": _phi(lambda: f.bothify("SN-####-??##").upper(), e.DEVICE_ID),
            "plate": _phi(lambda: f.bothify("#??###").upper(), e.VEHICLE_ID),
            "license": _phi(lambda: f.bothify("?#######").upper(), e.LICENSE),
            "url": _phi(
                lambda: f"https://{f.domain_name()}/records/{r.randint(1000, 99999)}", e.URL
            ),
            "ip": _phi(f.ipv4_public, e.IP_ADDRESS),
            "age90": _phi(lambda: str(r.randint(90, 104)), e.AGE),
            "age": _decoy(lambda: str(r.randint(19, 88)), "age<90"),
            "year": _decoy(lambda: str(r.randint(2015, 2024)), "year"),
            "state_name": _decoy(f.state, "state"),
            "state_abbr": _decoy(f.state_abbr, "state"),
            "icd": _decoy(lambda: r.choice(ICD), "icd10"),
            "cpt": _decoy(lambda: r.choice(CPT), "cpt"),
            "loinc": _decoy(lambda: r.choice(LOINC), "loinc"),
            "bp": _decoy(lambda: f"{r.randint(100, 160)}/{r.randint(60, 95)}", "vital"),
            "hr": _decoy(lambda: str(r.randint(55, 110)), "vital"),
            "temp": _decoy(lambda: f"{r.uniform(97.0, 100.4):.1f}", "vital"),
            "spo2": _decoy(lambda: str(r.randint(90, 100)), "vital"),
            "a1c": _decoy(lambda: f"{r.uniform(5.5, 11):.1f}", "lab"),
            "lab": _decoy(lambda: r.choice(LABS), "lab"),
            "dose": _decoy(lambda: f"{r.choice((5, 10, 20, 25, 50, 500))} mg", "dose"),
            "time": _decoy(
                lambda: f"{r.randint(7, 18)}:{r.choice(('00', '15', '30', '45'))}", "time"
            ),
            "eponym": _decoy(lambda: r.choice(EPONYMS), "eponym"),
            "drug": lambda: (r.choice(DRUGS), None, None),
            "dx_text": lambda: (r.choice(DX), None, None),
            "sex": lambda: (r.choice(("male", "female")), None, None),
        }

    def _fill(self, template: str, kind: str) -> Document:
        slots = self._slots()
        builder = _Builder()
        self._fill_into(builder, template, slots)
        return builder.doc(kind)

    def _fill_into(
        self,
        builder: _Builder,
        template: str,
        slots: dict[str, Slot],
    ) -> None:
        for literal, name, _, _ in string.Formatter().parse(template):
            builder.add(literal)
            if name is None:
                continue
            if name == "word_sentence":
                self._word_sentence(builder, slots)
                continue
            text, label, decoy = slots[name]()
            if label == e.PERSON and text[:4] in ("Mr. ", "Ms. "):
                builder.add(text[:4])  # the title is not the name
                text = text[4:]
            builder.add(text, label, decoy)

    def _word_sentence(self, builder: _Builder, slots: dict[str, Slot]) -> None:
        sentence = self.rng.choice(WORD_SENTENCES)
        first_word, rest = sentence.split(" ", 1)
        builder.add(first_word, decoy="name-like word")
        builder.add(" ")
        self._fill_into(builder, rest, slots)

    # -- documents

    def note(self) -> Document:
        return self._fill(self.rng.choice(NOTE_TEMPLATES), "note")

    def message(self) -> Document:
        return self._fill(self.rng.choice(MESSAGE_TEMPLATES), "message")

    def documents(self, n: int) -> list[Document]:
        """Free text: 3 notes for every portal message."""
        return [self.message() if i % 4 == 3 else self.note() for i in range(n)]

    def json_payload(self) -> tuple[dict[str, object], list[tuple[str, str]], list[str]]:
        """A FHIR-like payload, the (value, type) PHI pairs inside it, and its decoy values."""
        f, r = self.fake, self.rng
        first, last = self._person()
        note = self.note()
        phi = [(first, e.PERSON), (last, e.PERSON), (f.ssn(), e.SSN), (f.email(), e.EMAIL)]
        dob = f.date_of_birth(minimum_age=18, maximum_age=95).isoformat()
        phone = f.phone_number()
        payload: dict[str, object] = {
            "resourceType": "Patient",
            "name": [{"given": [first], "family": last}],
            "birthDate": dob,
            "identifier": [{"system": "ssn", "value": phi[2][0]}],
            "telecom": [
                {"system": "phone", "value": phone},
                {"system": "email", "value": phi[3][0]},
            ],
            "gender": r.choice(("male", "female")),
            "address": {"state": f.state_abbr(), "line": [f.street_address()]},
            "conditions": [{"code": r.choice(ICD), "onsetYear": r.randint(2000, 2024)}],
            "note": note.text,
        }
        phi += [(dob, e.DATE), (phone, e.PHONE)]
        phi += [(note.text[s:t], kind) for s, t, kind in note.phi]
        decoys = [str(payload["gender"])] + [note.text[s:t] for s, t, _ in note.decoys]
        return payload, phi, decoys

    def patients_table(self, rows: int, opaque: bool = False) -> Table:
        """The demo `patients` table; with `opaque`, columns are named c1..c13."""
        f, r = self.fake, self.rng
        names = [
            "id",
            "first_name",
            "last_name",
            "dob",
            "sex",
            "ssn",
            "mrn",
            "email",
            "phone",
            "address",
            "city",
            "state",
            "zip",
        ]
        types: list[str | None] = [
            None,
            e.PERSON,
            e.PERSON,
            e.DATE,
            None,
            e.SSN,
            e.MRN,
            e.EMAIL,
            e.PHONE,
            e.STREET_ADDRESS,
            e.LOCATION,
            None,
            e.ZIP,
        ]
        data = []
        for i in range(rows):
            first, last = self._person()
            data.append(
                [
                    i + 1,
                    first,
                    last,
                    f.date_of_birth(minimum_age=0, maximum_age=100),
                    r.choice("MF"),
                    f.ssn(),
                    f"MRN{r.randint(10**7, 10**8 - 1)}",
                    f.email(),
                    f.phone_number(),
                    f.street_address(),
                    f.city(),
                    f.state_abbr(),
                    f.postcode(),
                ]
            )
        columns = [f"c{i + 1}" for i in range(len(names))] if opaque else names
        return Table("patients", columns, types, data)


Slot = Callable[[], tuple[str, str | None, str | None]]


def _phi(value: str | Callable[[], str], entity: str) -> Slot:
    return lambda: (value() if callable(value) else value, entity, None)


def _decoy(value: str | Callable[[], str], kind: str) -> Slot:
    return lambda: (value() if callable(value) else value, None, kind)


def _npi(rng: random.Random) -> Callable[[], str]:
    def make() -> str:
        body = "1" + "".join(str(rng.randint(0, 9)) for _ in range(8))
        for check in range(10):
            candidate = body + str(check)
            digits = [int(c) for c in "80840" + candidate]
            total = 0
            for i, d in enumerate(reversed(digits)):
                total += (d * 2 - 9 if d > 4 else d * 2) if i % 2 else d
            if total % 10 == 0:
                return candidate
        raise AssertionError("unreachable: one check digit always fits")

    return make
