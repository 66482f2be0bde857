"""One patient's world for one document: the people, places and values it mentions.

Kinds draw labelled pieces from a Case rather than from pools directly, so that a
document mentions the same patient consistently (name, birth date, address).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from random import Random

from phigate.masking.eval.handoff import _clinical as k
from phigate.masking.eval.handoff import _places, _prose
from phigate.masking.eval.handoff import _values as v
from phigate.masking.eval.handoff._builder import Builder, D, P, Piece
from phigate.masking.eval.handoff._values import Person

_DECOY_POOLS: dict[str, tuple[str, ...]] = {
    "drug": k.DRUGS_NAMELIKE + k.DRUGS_NAMELIKE + k.DRUGS_GENERIC,
    "dose": k.DOSES,
    "eponym": k.EPONYMS,
    "department": k.DEPARTMENTS,
    "icd10": k.ICD10,
    "cpt": k.CPT,
    "loinc": k.LOINC,
    "ndc": k.NDC,
    "rxnorm": k.RXNORM,
    "lab_value": k.LAB_VALUES,
    "vital": k.VITALS,
    "room_type": k.ROOM_TYPES,
    "shift": k.SHIFTS,
    "weekday": k.WEEKDAYS,
    "plan_name": k.PLAN_NAMES,
    "guideline_url": k.GUIDELINE_URLS,
    "duration": k.DURATIONS,
    "quantity": k.QUANTITIES,
    "version": k.VERSIONS,
    "country": _places.COUNTRIES,
}


_PLAIN_CONDITIONS = (
    "osteoarthritis",
    "COPD",
    "heart failure",
    "chronic kidney disease",
    "migraine",
    "hypothyroidism",
    "gout",
)


_LABELS: dict[str, tuple[str, ...]] = {
    "dob": ("DOB", "DOB:", "D.O.B.", "d.o.b.", "Date of Birth:", "DOB#", "born"),
    "mrn": ("MRN", "MRN:", "MRN#", "MR#", "Med Rec No.", "chart#", "Hosp #"),
    "acct": ("Acct", "Acct#", "ACCT:", "Account No.", "HAR"),
    "pt": ("pt", "Pt", "patient", "PT NAME:", "Patient:"),
}
_AGE_FORMS = (
    ("", "-year-old"),
    ("", " y/o"),
    ("", "yo"),
    ("aged ", ""),
    ("", " YO"),
    ("age ", ""),
    ("", "-yr-old"),
)


@dataclass
class Case:
    r: Random
    patient: Person = field(init=False)
    home: v.Address = field(init=False)
    hospital_name: str = field(init=False)
    clinician: Person = field(init=False)
    staff: Person = field(init=False)
    relative: Person = field(init=False)
    # About a third of documents carry the decoys that tempt a detector most.
    tempt: bool = field(init=False)
    visit: datetime.date = field(init=False)
    # Chat tools show display names one way for a whole organisation.
    last_first_display: bool = False

    def __post_init__(self) -> None:
        r = self.r
        self.patient = v.person(r)
        self.home = v.address(r)
        self.hospital_name = v.hospital(r)
        self.clinician = v.person(r)
        self.staff = v.person(r)
        self.relative = v.person(r)
        self.tempt = r.random() < 0.35
        self.visit = v.recent_day(r)

    # -- PHI ------------------------------------------------------------------
    def name(self, style: str = "") -> Piece:
        p = self.patient
        style = style or self.r.choice(("plain", "plain", "plain", "last_first", "caps"))
        text = {
            "plain": p.name,
            "last_first": p.last_first,
            "caps": p.name.upper(),
            "lower": p.name.lower(),
            "given": p.given,
            "family": p.family,
            "dicom": p.dicom,
            "initial": f"{p.given[0]}. {p.family}",
        }[style]
        return P(text, "NAME")

    def person_name(self, who: Person, style: str = "plain") -> Piece:
        text = {"plain": who.name, "family": who.family, "given": who.given}[style]
        return P(text, "NAME")

    @property
    def title(self) -> str:
        return self.r.choice(("Mrs.", "Ms.", "Mrs")) if self.patient.sex == "F" else "Mr."

    def add_age(self, b: Builder, old: bool) -> None:
        before, age, after = self.age_parts(old)
        b.add("{a}{n}{z}", a=before, n=age, z=after)

    def prose(self, n: int = 2) -> str:
        return _prose.sentences(self.r, _prose.CLINICAL, n)

    def chatter(self) -> str:
        return _prose.sentences(self.r, _prose.CHAT, 1)

    def label(self, what: str) -> str:
        """How a form or a clinician spells a field's label this time."""
        return self.r.choice(_LABELS[what])

    def age_parts(self, old: bool) -> tuple[str, Piece, str]:
        """An age in one of the ways notes write it: before, the number, after."""
        age = self.old_age() if old else self.decoy("age")
        if not age.value.isdigit():
            return "", age, "-year-old"
        before, after = self.r.choice(_AGE_FORMS)
        return before, age, after

    def doctor(self) -> Piece:
        return P(self.clinician.family, "NAME")

    def dob(self, style: str = "") -> Piece:
        return P(v.date_text(self.r, self.patient.dob, style), "DATE")

    def timestamp(self) -> Piece:
        """When something happened to this patient, as a system logged it: a DATE."""
        return P(_software_timestamp(self.r, self.visit), "DATE")

    def date(self, style: str = "") -> Piece:
        return P(v.date_text(self.r, self.visit, style), "DATE")

    def other_date(self, style: str = "") -> Piece:
        return P(v.date_text(self.r, v.recent_day(self.r), style), "DATE")

    def later(self, days: int, style: str = "") -> Piece:
        day = self.visit + datetime.timedelta(days=days)
        return P(v.date_text(self.r, day, style), "DATE")

    def old_age(self) -> Piece:
        return P(v.age_over_89(self.r), "AGE")

    def street(self) -> Piece:
        return P(self.home.street, "ADDRESS")

    def city(self) -> Piece:
        return P(self.home.city, "CITY")

    def zip(self) -> Piece:
        return P(self.home.zip, "ZIP")

    def state(self) -> Piece:
        h = self.home
        return D(h.state_abbr if self.r.random() < 0.7 else h.state, h.region_kind)

    def phone(self, style: str = "") -> Piece:
        return P(v.phone(self.r, style), "PHONE")

    def fax(self) -> Piece:
        return P(v.phone(self.r, self.r.choice(("paren", "dash", "dot"))), "FAX")

    def email(self, who: Person | None = None, domain: str = "") -> Piece:
        return P(v.email(self.r, who or self.patient, domain), "EMAIL")

    def staff_email(self, who: Person) -> Piece:
        return P(v.email(self.r, who, v.staff_domain(self.hospital_name)), "EMAIL")

    def ssn(self, style: str = "") -> Piece:
        return P(v.ssn(self.r, style), "SSN")

    def mrn(self) -> Piece:
        return P(v.mrn(self.r), "MRN")

    def plan_id(self) -> Piece:
        return P(v.health_plan(self.r), "HEALTH_PLAN")

    def account(self) -> Piece:
        return P(v.account(self.r), "ACCOUNT")

    def license(self) -> Piece:
        return P(v.license_number(self.r), "LICENSE")

    def dea(self) -> Piece:
        return P(v.dea(self.r), "LICENSE")

    def vin(self) -> Piece:
        return P(v.vin(self.r), "VEHICLE")

    def plate(self) -> Piece:
        return P(v.plate(self.r), "VEHICLE")

    def device(self) -> Piece:
        return P(v.device(self.r), "DEVICE")

    def url(self) -> Piece:
        return P(v.patient_url(self.r, self.patient, self.hospital_name), "URL")

    def ip(self) -> Piece:
        return P(v.ip(self.r), "IP")

    def biometric(self) -> Piece:
        return P(v.biometric(self.r), "BIOMETRIC")

    def rx_number(self) -> Piece:
        """A prescription number names one patient's prescription: an identifier."""
        return P(str(self.r.randint(1000000, 9999999)), "ID")

    def bed(self, style: str = "") -> Piece:
        """Where one patient lies tonight identifies them on the unit: an identifier."""
        r = self.r
        number, letter = r.randint(1, 48), r.choice("AB")
        text = (
            f"{number}^{letter}" if style == "hl7" else r.choice((f"{number}", f"{number}{letter}"))
        )
        return P(text, "ID")

    def npi(self) -> Piece:
        return P(v.npi(self.r), "ID")

    def other_id(self) -> Piece:
        return P(v.other_id(self.r), "ID")

    def username(self, who: Person | None = None) -> Piece:
        return P(v.username(self.r, who or self.patient), "USERNAME")

    def hospital(self) -> Piece:
        return P(self.hospital_name, "HOSPITAL")

    def employer(self) -> Piece:
        return P(self.r.choice(_places.EMPLOYERS), "ORGANIZATION")

    def profession(self) -> Piece:
        return P(self.r.choice(_places.PROFESSIONS), "PROFESSION")

    # -- decoys ---------------------------------------------------------------
    def namelike(self) -> Piece:
        """A brand that reads like a person or a place, or a disease named after one."""
        if self.r.random() < 0.7:
            return D(self.r.choice(k.DRUGS_NAMELIKE), "drug")
        return self.decoy("eponym")

    def condition(self) -> Piece | str:
        """An eponymous disease or sign in tempting documents, a plain one elsewhere."""
        if self.tempt:
            return self.decoy("eponym")
        return self.r.choice(_PLAIN_CONDITIONS)

    def decoy(self, kind: str) -> Piece:
        r = self.r
        if kind == "age":
            return D(str(r.randint(18, 89)), "age")
        if kind == "year":
            return D(str(r.randint(1990, 2025)), "year")
        if kind == "money":
            dollars = r.choice((r.randint(0, 60), r.randint(60, 900), r.randint(900, 48000)))
            return D(f"${dollars:,}.{r.randint(0, 99):02d}", "money")
        if kind == "build":
            return D(r.choice(("build ", "sha ")) + f"{r.getrandbits(28):07x}", "build")
        if kind == "timestamp":
            return D(_software_timestamp(r), "timestamp")
        if kind == "state":
            return D(r.choice(_places.STATES)[r.randint(0, 1)], "state")
        if kind == "drug" and not self.tempt:
            return D(r.choice(k.DRUGS_GENERIC), "drug")
        return D(r.choice(_DECOY_POOLS[kind]), kind)


def _software_timestamp(r: Random, day: datetime.date | None = None) -> str:
    d = day or v.recent_day(r)
    return f"{d.isoformat()}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z"
