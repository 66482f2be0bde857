"""The independent corpus: deterministic, exact and non-overlapping spans, full coverage."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from phigate.masking import entities as e
from phigate.masking.eval.corpus import Document
from phigate.masking.eval.independent import KIND_NAMES, independent_corpus, main

EXPECTED_PHI = {
    e.PERSON,
    e.DATE,
    e.AGE,
    e.PHONE,
    e.EMAIL,
    e.SSN,
    e.MRN,
    e.HEALTH_PLAN_ID,
    e.ACCOUNT_NUMBER,
    e.CREDIT_CARD,
    e.IBAN,
    e.LICENSE,
    e.NPI,
    e.DEA,
    e.VEHICLE_ID,
    e.DEVICE_ID,
    e.URL,
    e.IP_ADDRESS,
    e.STREET_ADDRESS,
    e.LOCATION,
    e.ZIP,
    e.BIOMETRIC,
    e.ID,
    e.SECRET,
}
EXPECTED_DECOYS = {
    "drug",
    "dose",
    "schedule",
    "eponym",
    "department",
    "code",
    "lab_value",
    "vital",
    "software_version",
    "public_url",
    "age_under_90",
    "year",
    "room",
    "common_word",
    "state",
    "time",
}
EXPECTED_KINDS = {
    "hp_note",
    "discharge_summary",
    "progress_note",
    "portal_message",
    "hl7_v2",
    "fhir_patient",
    "fhir_encounter",
    "fhir_observation",
    "radiology_report",
    "pathology_report",
    "phone_transcript",
    "email_thread",
    "log_jsonl",
    "log_plain",
    "csv_fragment",
    "ocr_scan",
    "referral_letter",
    "patient_list",
    "sms",
}


@pytest.fixture(scope="module")
def corpus() -> list[Document]:
    return independent_corpus(7, 600)


def test_deterministic_per_seed() -> None:
    a, b = independent_corpus(3, 60), independent_corpus(3, 60)
    assert [(d.kind, d.text, d.phi, d.decoys) for d in a] == [
        (d.kind, d.text, d.phi, d.decoys) for d in b
    ]
    assert [d.text for d in independent_corpus(4, 60)] != [d.text for d in a]


def test_spans_in_bounds_and_disjoint(corpus: list[Document]) -> None:
    for doc in corpus:
        spans = sorted(doc.phi + doc.decoys)
        for start, end, label in spans:
            assert 0 <= start < end <= len(doc.text)
            piece = doc.text[start:end]
            assert piece == piece.strip() and piece, (doc.kind, piece)
            assert label in e.BUILTIN_TYPES or label in EXPECTED_DECOYS
        for (_, end1, _), (start2, _, _) in itertools.pairwise(spans):
            assert end1 <= start2, doc.kind


def test_every_style_type_and_decoy_occurs(corpus: list[Document]) -> None:
    assert set(KIND_NAMES) == EXPECTED_KINDS
    assert {d.kind for d in corpus} == EXPECTED_KINDS
    phi = Counter(t for d in corpus for _, _, t in d.phi)
    decoys = Counter(k for d in corpus for _, _, k in d.decoys)
    assert set(phi) == EXPECTED_PHI
    assert set(decoys) == EXPECTED_DECOYS
    assert all(phi[t] >= 5 for t in EXPECTED_PHI), phi
    assert all(decoys[k] >= 5 for k in EXPECTED_DECOYS), decoys


def _texts(corpus: list[Document], entity: str) -> list[str]:
    return [d.text[s:t] for d in corpus for s, t, k in d.phi if k == entity]


@pytest.mark.parametrize(
    ("entity", "pattern"),
    [
        (e.PERSON, r"^de la Garza$|\bde la Garza\b"),
        (e.PERSON, r"^[A-ZŁŻ][^\s,]+, [A-Z]"),  # list header: Surname, Given
        (e.PERSON, r"^[a-z]"),  # lower case
        (e.PERSON, r"^[A-Z]\.[A-Z]\.$"),  # initials
        (e.DATE, r"^\d{2}-[A-Z]{3}-\d{4}$"),  # 19-JAN-2025
        (e.DATE, r"^\d{2}-[A-Z][a-z]{2}-\d{2}$"),  # 23-Feb-17
        (e.DATE, r"^\d{2}\.\d{2}\.\d{4}$"),  # 03.11.2024
        (e.DATE, r"^[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4}$"),  # Tuesday, March 4, 2025
        (e.DATE, r"^\d{1,2}(st|nd|rd|th) of [A-Z][a-z]+$"),  # 1st of July
        (e.DATE, r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),  # ISO with time
        (e.AGE, r"^(ninety|one hundred)"),  # in words
        (e.AGE, r"^\d{2,3}$"),
        (e.SSN, r"^\d{3} \d{2} \d{4}$"),
        (e.SSN, r"^\d{9}$"),
        (e.DEVICE_ID, r"^\(01\)\d{14}\(17\)\d{6}\(10\)\w+\(21\)\w+$"),  # GS1 UDI
        (e.DEVICE_ID, r"^\+H\w+/\$\$"),  # HIBCC UDI
        (e.URL, r"^[a-z][\w.-]+\.(org|com|net)/"),  # portal URL without a scheme
        (e.PHONE, r"^\+44 20 7946 \d{4}$"),
        (e.PHONE, r"^\(\d{3}\) \d{3}-\d{4}$"),
        (e.PHONE, r"ext\. \d+$"),
        (e.ZIP, r"^\d{5}-\d{4}$"),
        (e.ZIP, r"^[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}$"),  # UK postcode
        (e.LOCATION, r"^(Paris|Berlin|London)$"),
        (e.LICENSE, r"^WDL"),  # Washington state licence
        (e.SECRET, r"^(sk_live_|AKIA|ghp_|eyJ)"),
        (e.IP_ADDRESS, r":"),  # IPv6
    ],
)
def test_formats_present(corpus: list[Document], entity: str, pattern: str) -> None:
    assert any(re.search(pattern, s) for s in _texts(corpus, entity)), (entity, pattern)


def test_context_cues_present(corpus: list[Document]) -> None:
    text = "\n".join(d.text for d in corpus)
    for cue in ("Dr.", "lives in", "pharmacy is in", "stays with family in", "zip code", "MRN="):
        assert cue.lower() in text.lower(), cue
    assert "postgresql://" in text and "Bearer " in text


def test_cli_writes_json_lines(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    assert main(["--seed", "7", "--n", "40", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 40
    docs = independent_corpus(7, 40)
    for row, doc in zip(rows, docs, strict=True):
        assert set(row) == {"kind", "text", "phi", "decoys"}
        assert row["text"] == doc.text
        assert [tuple(s) for s in row["phi"]] == doc.phi
