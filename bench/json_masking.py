"""Benchmark: masking a large FHIR Bundle and a typical REST answer as parsed JSON.

Prints, per document: its size, the best of `--repeat` runs in CPU ms (process
time: the machine may be shared) and in µs per KB of JSON text, and how many of its
keys masking renamed (a field name of common JSON renamed is over-masking: the count
should be 0).

    .venv/bin/python bench/json_masking.py [--entries 2000] [--repeat 5]

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator

from phigate.masking.engine import MaskingEngine
from phigate.masking.settings import MaskingSettings

FAMILIES = ["Okonkwo", "Garcia", "Nguyen", "Smith", "Kowalski", "Haddad", "Ivanova"]
GIVENS = ["Ada", "Maria", "Linh", "John", "Piotr", "Omar", "Olga"]


def patient(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "resourceType": "Patient",
        "id": f"p{n}",
        "meta": {"versionId": "1", "lastUpdated": "2024-01-15T10:00:00Z"},
        "identifier": [
            {"system": "http://hospital.example.org/mrn", "value": f"{40000000 + n}"},
            {"system": "http://hl7.org/fhir/sid/us-ssn", "value": f"5362{n:05d}"},
        ],
        "active": True,
        "name": [
            {"use": "official", "family": rng.choice(FAMILIES), "given": [rng.choice(GIVENS)]}
        ],
        "telecom": [{"system": "phone", "value": f"415-555-{n % 10000:04d}", "use": "home"}],
        "gender": rng.choice(["male", "female"]),
        "birthDate": f"19{rng.randint(30, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "address": [
            {
                "line": [f"{rng.randint(1, 999)} Main St"],
                "city": "Springfield",
                "postalCode": "62704",
            }
        ],
    }


def observation(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "resourceType": "Observation",
        "id": f"o{n}",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {
            "coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}],
            "text": "Heart rate",
        },
        "subject": {"reference": f"Patient/p{n}"},
        "effectiveDateTime": "2024-01-15T10:00:00Z",
        "valueQuantity": {
            "value": rng.randint(50, 120),
            "unit": "beats/minute",
            "system": "http://unitsofmeasure.org",
            "code": "/min",
        },
    }


def encounter(rng: random.Random, n: int) -> dict[str, object]:
    return {
        "resourceType": "Encounter",
        "id": f"e{n}",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {
            "reference": f"Patient/p{n}",
            "display": f"{rng.choice(GIVENS)} {rng.choice(FAMILIES)}",
        },
        "period": {"start": "2024-01-15T09:00:00Z", "end": "2024-01-15T09:30:00Z"},
        "reasonCode": [{"text": "Follow-up visit for hypertension"}],
    }


def bundle(entries: int) -> dict[str, object]:
    rng = random.Random(4711)
    makers = (patient, observation, encounter)
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entries,
        "entry": [
            {
                "fullUrl": f"urn:uuid:{n}",
                "resource": makers[n % 3](rng, n),
                "search": {"mode": "match"},
            }
            for n in range(entries)
        ],
    }


def rest(entries: int) -> dict[str, object]:
    rng = random.Random(4711)
    return {
        "data": [
            {
                "id": n,
                "type": "appointment",
                "attributes": {
                    "status": "booked",
                    "createdAt": "2024-01-15T10:00:00Z",
                    "patientName": f"{rng.choice(GIVENS)} {rng.choice(FAMILIES)}",
                    "visits": rng.randint(0, 9),
                    "Notes": "Patient called to reschedule.",
                    "Tags": ["follow-up"],
                },
                "links": {"self": f"/appointments/{n}"},
            }
            for n in range(entries)
        ],
        "meta": {"page": 1, "total": entries},
        "links": {"next": "/appointments?page=2"},
    }


def keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys(item)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    masker = MaskingEngine(MaskingSettings(), b"bench-key-0123456789abcdef").masker(
        "hipaa-safe-harbor"
    )
    for label, doc in (("FHIR Bundle", bundle(args.entries)), ("REST list", rest(args.entries))):
        kb = len(json.dumps(doc).encode()) / 1024
        best = float("inf")
        masked: object = None
        for _ in range(args.repeat):
            start = time.process_time()
            masked, _counts = masker.mask_json(doc)
            best = min(best, time.process_time() - start)
        renamed = sum(a != b for a, b in zip(keys(doc), keys(masked), strict=False))
        print(
            f"{label}: {kb:,.0f} KB, {best * 1000:,.1f} ms, {best * 1e6 / kb:,.1f} µs/KB,"
            f" keys renamed {renamed}"
        )


if __name__ == "__main__":
    main()
