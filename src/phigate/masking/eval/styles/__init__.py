"""A labelled PHI corpus in document styles other than clinical notes.

Written from public descriptions only (HIPAA Safe Harbor's 18 identifiers, the
i2b2/n2c2 2014 de-identification categories, and real-world formats), without
looking at phigate's detectors, so it can judge them on text they were not
tuned on. Styles: HL7 v2 messages, FHIR R4 JSON, radiology and pathology
reports, call transcripts, e-mail threads, application logs and stack traces,
CSV fragments and OCR'd forms, with names and places from several countries.

PHI types and the Safe Harbor item (45 CFR 164.514(b)(2)(i)) each maps to:

========================  =====================================================
NAME, USERNAME             (A) names; a user name is (R) any other unique code
ADDRESS, CITY, ZIP         (B) geographic subdivisions smaller than a state
DATE, AGE                  (C) dates (except year) and ages over 89
PHONE / FAX / EMAIL        (D) / (E) / (F)
SSN / MRN / HEALTH_PLAN    (G) / (H) / (I)
ACCOUNT / LICENSE          (J) / (K) certificate or licence numbers
VEHICLE / DEVICE           (L) vehicle ids and plates / (M) device serials, UDI
URL / IP / BIOMETRIC       (N) / (O) / (P)
ID                         (R) other unique numbers: accession, visit, NPI,
                           session and resource ids
HOSPITAL, ORGANIZATION     i2b2 LOCATION (not one of the 18; they narrow where
                           a person is, so they are labelled as i2b2 does)
PROFESSION                 i2b2 PROFESSION (not one of the 18)
========================  =====================================================

Decoys (must stay readable): STATE and COUNTRY (Safe Harbor keeps states),
YEAR alone, AGE of 89 or less, DOSE, LAB_VALUE, ICD10, CPT, LOINC, NDC,
VERSION, BUILD_TIME, QUANTITY, DEPARTMENT, SYNTAX (HL7 segment names,
encoding characters, message types), RESOURCE_TYPE (FHIR), EPONYM, DRUG
(brand names that read as names) and PHRASE ("Room service").

Conventions: every calendar date tied to a person's record is DATE, log and
message timestamps included (as i2b2 does); a build timestamp is a decoy. A URL
that names a patient is one URL span; an id inside a bare path is its own span.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from phigate.masking.eval.styles import prose, structured
from phigate.masking.eval.styles.pieces import Builder, to_json
from phigate.masking.eval.styles.values import Values

Style = Callable[[Values, Builder], None]

STYLES: dict[str, Style] = {
    "hl7v2": structured.hl7,
    "fhir_r4": structured.fhir,
    "csv_fragment": structured.csv_fragment,
    "app_log": structured.applog,
    "radiology_report": prose.radiology,
    "pathology_report": prose.pathology,
    "call_transcript": prose.transcript,
    "email_thread": prose.email,
    "ocr_form": prose.ocr,
}

PHI_TYPES = frozenset(
    [
        "NAME",
        "DATE",
        "AGE",
        "PHONE",
        "FAX",
        "EMAIL",
        "URL",
        "IP",
        "SSN",
        "MRN",
        "HEALTH_PLAN",
        "ACCOUNT",
        "LICENSE",
        "VEHICLE",
        "DEVICE",
        "BIOMETRIC",
        "ID",
        "ADDRESS",
        "CITY",
        "ZIP",
        "HOSPITAL",
        "ORGANIZATION",
        "PROFESSION",
        "USERNAME",
    ]
)


def corpus(seed: int, n: int) -> list[dict[str, object]]:
    """``n`` documents, the styles taken in turn so each is equally represented."""
    values = Values(seed)
    kinds = list(STYLES)
    records: list[dict[str, object]] = []
    for index in range(n):
        kind = kinds[index % len(kinds)]
        builder = Builder(transform=prose.ocr_noise(values.rng) if kind == "ocr_form" else None)
        STYLES[kind](values, builder)
        records.append(builder.record(kind))
    return records


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--out", default="-", help="JSON lines file, or - for stdout")
    args = parser.parse_args(argv)
    text = "".join(to_json(record) + "\n" for record in corpus(args.seed, args.n))
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0
