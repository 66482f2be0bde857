"""Decoys over-masked in round 20c: a kind of organisation written where a name could
stand (a line list's reporter or setting column), software objects' UUIDs named in a
CI log's or a chat's prose, a CI runner's own line stamps, a FHIR Bundle entry's
`fullUrl`. Each stays visible; the same shapes tied to someone stay masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

UUID = "5d0c7a1e-93b2-4f6d-8e4a-1b2c3d4e5f60"
LINE_LIST = "case_id,onset,condition,provider\n4471,2026-03-02,Pertussis,{}\n"
PIPES = "Case | Onset | Facility\nCL-4471 | 03/02/2026 | {}\n"

KEPT = [
    # a kind of organisation, not a named one, under a provider's or a facility's label
    (LINE_LIST.format("county health department"), "county health department"),
    (LINE_LIST.format("State Public Health Laboratory"), "State Public Health Laboratory"),
    (PIPES.format("skilled nursing facility"), "skilled nursing facility"),
    (PIPES.format("Urgent Care"), "Urgent Care"),
    ("Reporting provider: long-term care facility", "long-term care facility"),
    ("Facility: assisted living facility", "assisted living facility"),
    # a CI run's, a build's, a pipeline's, a commit's id named in prose
    (f"Run {UUID} started", UUID),
    (f"pipeline {UUID} failed", UUID),
    (f"build {UUID}", UUID),
    (f"workflow run {UUID} queued", UUID),
    # a chat's mention of a correlation id in backticks
    (f"[09:15] carol: correlation id `{UUID}`", UUID),
    # a CI runner's line stamp with its fraction and zone, then a step's bracket
    ("2026-03-14T09:12:33.1234567Z ##[group]Run actions/checkout@v4", "2026-03-14T09:12:33"),
    ("2026-03-14T09:12:33.123Z [runner] job finished", "2026-03-14T09:12:33.123Z"),
    # a FHIR Bundle entry's own address
    (f'{{"resourceType": "Bundle", "entry": [{{"fullUrl": "urn:uuid:{UUID}", "resource": '
     '{"resourceType": "Observation", "status": "final"}}]}', UUID),
    (f"- fullUrl: urn:uuid:{UUID}\n  resource:\n    resourceType: Encounter", UUID),
]  # fmt: skip


def _touched(masker: Masker, text: str, value: str) -> list[str]:
    start = text.index(value)
    return [t for s, e, t in masker.spans(text) if s < start + len(value) and e > start]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    assert not _touched(safe_harbor, text, value), f"{value!r} masked"


MASKED = [
    # a named organisation under the same labels: a place's or a person's name in it
    (LINE_LIST.format("Franklin County Health Department"), "Franklin County"),
    (PIPES.format("Maple Grove Skilled Nursing Facility"), "Maple Grove"),
    ("Reporting provider: Dr. Orla Brennan", "Orla Brennan"),
    # a patient's run of words is no kind of organisation
    (LINE_LIST.format("Orla Brennan"), "Orla Brennan"),
    # a UUID in prose under no software object's name, or a patient's
    (f"patient {UUID} readmitted", UUID),
    (f"Patient ID: {UUID}", UUID),
    # a stamp before prose, or in brackets before a patient's name
    ("2026-03-14T08:12:33Z Vitals taken, BP 120/80", "2026-03-14"),
    ("2026-03-14T09:12:33.123Z [triage] Orla Brennan arrived", "2026-03-14"),
    # the Patient entry's own address in a Bundle is the patient's
    (f'{{"resourceType": "Bundle", "entry": [{{"fullUrl": "urn:uuid:{UUID}", "resource": '
     '{"resourceType": "Patient", "id": "' + UUID + '"}}]}', UUID),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    assert _touched(safe_harbor, text, value), f"{value!r} kept"


COLUMNS = [
    # a line list's columns: the cell before "County Health Department" is no county
    ("case_id\tonset\tcondition\tsite\n4471\t2026-03-02\tPertussis\tCounty Health Department\n",
     "Pertussis\tCounty", False),
    ("Case  Onset       Condition    Reporter\n"
     "4471  2026-03-02  Pertussis    County Health Department\n", "Pertussis    County", False),
    # a county named in prose, or beside its state, is a place
    ("Lives in Franklin County since 2019", "Franklin County", True),
    ("Res: Saint Landry Parish, LA", "Saint Landry Parish", True),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value", "masked"), COLUMNS)
def test_county_within_a_cell(safe_harbor: Masker, text: str, value: str, masked: bool) -> None:
    assert bool(_touched(safe_harbor, text, value)) == masked


INLINE = [
    # a label's value running on into the next field: the kind is kept, the rest judged
    ("Case 4471 (Pertussis), facility: county health department, onset 03/02/2026.",
     "county health department", False),
    ("Case 4471 (Pertussis), facility: county health department, onset 03/02/2026.",
     "03/02/2026", True),
    ("Facility: urgent care, seen by Dr. Orla Brennan", "Orla Brennan", True),
    ("Facility: Maple Grove Care Center, onset 03/02/2026", "Maple Grove", True),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value", "masked"), INLINE)
def test_kind_then_next_field(safe_harbor: Masker, text: str, value: str, masked: bool) -> None:
    assert bool(_touched(safe_harbor, text, value)) == masked


REMITTANCE = "ST*835*0001~\nREF*{}*{}~\nSE*3*0001~\n"
X12 = [
    # a party's own number in a remittance: the receiver's, the payer's, the payee's tax id
    (REMITTANCE.format("EV", "RCV7781450"), "RCV7781450", False),
    (REMITTANCE.format("2U", "PAYER99021"), "PAYER99021", False),
    (REMITTANCE.format("TJ", "941234567"), "941234567", False),
    # the patient's group, record and member numbers, and a qualifier not known
    (REMITTANCE.format("1L", "GRP7781450"), "GRP7781450", True),
    (REMITTANCE.format("EA", "MR7781450"), "MR7781450", True),
    (REMITTANCE.format("1W", "W884512907"), "W884512907", True),
    (REMITTANCE.format("ZZ", "Q7781450"), "Q7781450", True),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value", "masked"), X12)
def test_remittance_references(safe_harbor: Masker, text: str, value: str, masked: bool) -> None:
    assert bool(_touched(safe_harbor, text, value)) == masked


def test_a_kind_cut_from_a_name_in_an_aligned_table(safe_harbor: Masker) -> None:
    """A column's start can cut a facility's name ("Maplecroft" | "Skilled Nursing
    Facility"): the kind ends a name there and stays masked."""
    text = (
        "Vaccine        Date         Lot      Site   Provider\n"
        "Hep B 08/07/2023   JX0925  LD     Harrowgate Mills Infirmary\n"
        "Tdap 11/23/2025   YD7572  LD     Maplecroft Skilled Nursing Facility\n"
    )
    assert _touched(safe_harbor, text, "Nursing Facility")
