"""Values that read like PHI but are not (round 10, part C): a state or province
after its town, a hospital's units and wards, a lab result's flag, a department
named where a place or an organisation may stand, and the build stamp of a
software version or an image tag. Each must stay visible; the PHI beside it must
still be masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

KEPT = [
    # a state or a province after its town
    ("city/state: Austin/TX", "TX"),
    ("City/State: Portland/OR", "OR"),
    ("Patient moved to Melbourne VIC last year", "VIC"),
    ("Melbourne VIC 3000", "VIC"),
    ("Moved from Perth WA to Hobart TAS.", "TAS"),
    ("lives in Montreal QC", "QC"),
    ("Vancouver BC, Canada", "BC"),
    ("Lives at 12 Smith St, Melbourne VIC 3000", "VIC"),
    # a state's code inside an address written whole; regions abroad
    ("Addr: 88 Birch Hollow, Millbrook, NE 68123-4410  Tel: 555-0100", "NE"),
    ("28014 Toledo, Comunidad de Madrid\nTel 91 555 01 00", "Comunidad de Madrid"),
    ("Province: Illes Balears   Country: Spain", "Illes Balears"),
    ("04109 Leipzig, Sachsen", "Sachsen"),
    ("Region: Bretagne", "Bretagne"),
    # a hospital's units
    ("NICU", "NICU"),
    ("Pt to NICU", "NICU"),
    ("Location: NICU", "NICU"),
    ("Pt transferred to MICU overnight.", "MICU"),
    ("transferred to SICU", "SICU"),
    ("Transferred to L&D", "L&D"),
    ("NICU RN Kelly Park", "NICU"),
    # a lab result's flag
    ("Na 131 mmol/L L", "L L"),
    ("Potassium 3.1 mEq/L L", "L L"),
    ("ALT 45 U/L H", "L H"),
    ("Na 131 mmol/L L\nK 6.1 mmol/L HH\nCl 99 mmol/L N", "L N"),
    # departments where a place or an organisation may stand
    ("Facility: Cardiology", "Cardiology"),
    ("Facility: Oncology", "Oncology"),
    ("Routed to Patient Access and Revenue Cycle for review.", "Access"),
    ("Routed to Patient Access and Revenue Cycle for review.", "Revenue Cycle"),
    ("facility,visits\nRadiology,4\nPatient Access,9", "Access"),
    ("Site: Revenue Cycle", "Revenue Cycle"),
    ("department: Utilization Review", "Utilization Review"),
    ("| dept | visits |\n|---|---|\n| Oncology | 4 |\n| Patient Access | 9 |", "Access"),
    # build stamps in image tags and version suffixes
    ("image: registry.local/ehr-api:2024.03.14-1022", "2024.03.14-1022"),
    ("tag=2024.03.14-1022", "2024.03.14-1022"),
    ("version 1.8.0+20240314.1022", "20240314.1022"),
    ("version: 1.8.0+20240314", "20240314"),
    ("ehr-api 2.3.1-20240314.1022", "20240314.1022"),
    ("build 20240314.1022 passed", "20240314.1022"),
    ("image: ehr:20240314-1022", "20240314-1022"),
    ("ci-20240314.3 green", "20240314.3"),
    ("app_version=3.2.1-20240314", "20240314"),
    # a result, its flag and its normal range
    ("Creatinine 2.1 H 0.6-1.2 mg/dL", "2.1 H 0.6-1.2"),
    ("Bili 3.4 HH 0.2-1.2", "3.4 HH 0.2-1.2"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    touched = [t for s, e, t in safe_harbor.spans(text) if s < start + len(value) and e > start]
    assert not touched, f"{value!r} masked as {touched}"


MASKED = [
    # the town beside its state or province
    ("city/state: Austin/TX", "Austin"),
    ("Lives at 12 Smith St, Melbourne VIC 3000", "Melbourne"),
    ("Melbourne VIC 3000", "Melbourne"),
    ("Moved from Perth WA to Hobart TAS.", "Perth"),
    ("lives in Montreal QC", "Montreal"),
    ("Vancouver BC, Canada", "Vancouver"),
    ("Addr: 88 Birch Hollow, Millbrook, NE 68123-4410  Tel: 555-0100", "Millbrook"),
    ("Addr: 88 Birch Hollow, Millbrook, NE 68123-4410  Tel: 555-0100", "68123-4410"),
    ("28014 Toledo, Comunidad de Madrid\nTel 91 555 01 00", "Toledo"),
    ("04109 Leipzig, Sachsen", "Leipzig"),
    # the people beside a unit, a flag or a department
    ("NICU RN Kelly Park", "Kelly Park"),
    ("Pt to NICU, mother Nicu Popescu at bedside", "Nicu Popescu"),
    ("Na 131 mmol/L L, reviewed by Dr. L. Lee", "L. Lee"),
    ("Patient Access called Maria Okafor", "Maria Okafor"),
    ("Facility: Mercy General", "Mercy General"),
    ("City: Springfield", "Springfield"),
    # a patient's dates and numbers that are no build stamps
    ("DOB 2024.03.14, seen 03/15/2024", "2024.03.14"),
    ("Call +1 555 123 4567 tomorrow", "555 123 4567"),
    ("admitted 2024-03-14 10:22 to MICU", "2024-03-14"),
    ("DOB: 2001.03.14-1022", "2001.03.14"),
    ("seen 2024.03.14-1022 in clinic", "2024.03.14"),
    ("release 1.0.0, DOB 1948.03.14-1022", "1948.03.14"),
    ("MRN: 20240314-1022", "20240314-1022"),
    ("Caller read it out: H 4 4 9 2 7", "4 4 9 2 7"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not [c for c in leaked if c.isalnum()], f"{value!r} left visible"
