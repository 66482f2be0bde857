"""A synthetic EHR made with Faker and a fixed seed: every value is fake but realistic.

Tables: patients, encounters, clinical_notes (PHI inside free text), claims.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
from faker import Faker

SEED = 20261128

SCHEMA = """
CREATE TABLE patients (
    id integer PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, dob date NOT NULL,
    sex text NOT NULL, ssn text NOT NULL, mrn text NOT NULL UNIQUE, email text, phone text,
    address text, city text, state text, zip text
);
CREATE TABLE encounters (
    id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patients(id),
    encounter_date date NOT NULL, provider text NOT NULL, department text NOT NULL,
    reason text NOT NULL, diagnosis_code text NOT NULL
);
CREATE TABLE clinical_notes (
    id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patients(id),
    author text NOT NULL, written_at timestamp NOT NULL, note_text text NOT NULL
);
CREATE TABLE claims (
    id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES patients(id),
    payer text NOT NULL, member_id text NOT NULL, amount numeric(10,2) NOT NULL,
    cpt_code text NOT NULL, icd10_code text NOT NULL, status text NOT NULL,
    service_date date NOT NULL
);
"""

_DEPARTMENTS = [
    "Cardiology",
    "Endocrinology",
    "Primary Care",
    "Oncology",
    "Neurology",
    "Emergency",
    "Orthopedics",
    "Pulmonology",
]
_CONDITIONS = [
    ("E11.9", "type 2 diabetes"),
    ("I10", "hypertension"),
    ("J45.909", "asthma"),
    ("M54.5", "low back pain"),
    ("F41.1", "generalized anxiety"),
    ("G20", "Parkinson disease"),
    ("K50.90", "Crohn disease"),
    ("N18.3", "CKD stage 3"),
]
_CPT = ["99213", "99214", "80053", "93000", "71046", "36415", "99203"]
_PAYERS = ["Aetna", "BlueCross", "Cigna", "UnitedHealthcare", "Medicare", "Medicaid"]


def _patient(fake: Faker, rng: random.Random, pid: int) -> dict[str, Any]:
    sex = rng.choice(["F", "M"])
    first = fake.first_name_female() if sex == "F" else fake.first_name_male()
    return {
        "id": pid,
        "first_name": first,
        "last_name": fake.last_name(),
        "dob": fake.date_of_birth(minimum_age=1, maximum_age=95),
        "sex": sex,
        "ssn": fake.ssn(),
        "mrn": f"{rng.randint(10_000_000, 99_999_999)}",
        "email": fake.email(),
        "phone": fake.phone_number(),
        "address": fake.street_address(),
        "city": fake.city(),
        "state": fake.state_abbr(),
        "zip": fake.zipcode(),
    }


def _note(fake: Faker, rng: random.Random, patient: dict[str, Any], author: str) -> str:
    code, condition = rng.choice(_CONDITIONS)
    age = (date(2026, 11, 1) - patient["dob"]).days // 365
    visit = fake.date_between(start_date="-2y", end_date="today")
    templates = [
        f"Patient {patient['first_name']} {patient['last_name']} (MRN {patient['mrn']}), a "
        f"{age}-year-old seen on {visit:%m/%d/%Y} for follow-up of {condition} ({code}). "
        f"BP 132/84, HbA1c 7.2%. Continue metformin 500 mg BID. Call back at {patient['phone']}.",
        f"Spoke with {patient['first_name']} by phone {patient['phone']} regarding {condition}. "
        f"Lives at {patient['address']}, {patient['city']}. Will email results to "
        f"{patient['email']}. Next visit {visit:%B %d, %Y}. -- Dr. {author}",
        f"{age} y/o {'female' if patient['sex'] == 'F' else 'male'} with {condition} ({code}). "
        f"SSN on file {patient['ssn']} verified for billing. DOB {patient['dob']:%m/%d/%Y}. "
        f"Plan: labs, recheck in 3 months. Signed, {author}, MD",
    ]
    return rng.choice(templates)


def generate(patients: int = 1000) -> dict[str, list[dict[str, Any]]]:
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    providers = [fake.name() for _ in range(25)]
    people = [_patient(fake, rng, pid) for pid in range(1, patients + 1)]
    encounters: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for patient in people:
        for _ in range(rng.randint(1, 4)):
            code, condition = rng.choice(_CONDITIONS)
            encounters.append(
                {
                    "id": len(encounters) + 1,
                    "patient_id": patient["id"],
                    "encounter_date": fake.date_between(start_date="-3y", end_date="today"),
                    "provider": rng.choice(providers),
                    "department": rng.choice(_DEPARTMENTS),
                    "reason": condition,
                    "diagnosis_code": code,
                }
            )
        author = rng.choice(providers)
        notes.append(
            {
                "id": len(notes) + 1,
                "patient_id": patient["id"],
                "author": author,
                "written_at": datetime(2026, 1, 1) + timedelta(minutes=rng.randint(0, 400_000)),
                "note_text": _note(fake, rng, patient, author),
            }
        )
        code, _ = rng.choice(_CONDITIONS)
        claims.append(
            {
                "id": len(claims) + 1,
                "patient_id": patient["id"],
                "payer": rng.choice(_PAYERS),
                "member_id": f"{rng.choice('ABCDEFGHJK')}{rng.randint(100_000_000, 999_999_999)}",
                "amount": round(rng.uniform(40, 4000), 2),
                "cpt_code": rng.choice(_CPT),
                "icd10_code": code,
                "status": rng.choice(["paid", "pending", "denied"]),
                "service_date": fake.date_between(start_date="-2y", end_date="today"),
            }
        )
    return {"patients": people, "encounters": encounters, "clinical_notes": notes, "claims": claims}


def load(dsn: str, patients: int = 1000) -> dict[str, int]:
    """Create the schema and load the data (COPY); returns row counts per table."""
    data = generate(patients)
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
        for table, rows in data.items():
            columns = list(rows[0])
            with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
    return {table: len(rows) for table, rows in data.items()}
