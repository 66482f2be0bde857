"""Shapes written here (round 14): a DICOM dump's person-name (PN) elements and its
institution elements, and dental practices named like clinics ("Lakeview Family
Dental"). Each value must be masked whole; the dump's tags, value representations
and generic dental words stay."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

WHOLE = [
    ("(0010,0010) PN [QUILLFEATHER^ODALYS^M]  # PatientName\n", "QUILLFEATHER^ODALYS^M"),
    ("(0008,0090) PN [ABERNATHY-VOSS^TEODOR]  # ReferringPhysicianName\n", "ABERNATHY-VOSS^TEODOR"),
    ("(0008,1050) PN [Nwachukwu^Ifeoma^^Dr]  # PerformingPhysicianName\n", "Nwachukwu^Ifeoma^^Dr"),
    ("(0010,1001) PN [SMITH^JO]\n(0010,0020) LO [A1]\n", "SMITH^JO"),
    ("(0008,0080) LO [BRIGHTWATER VALLEY CLINIC]\n", "BRIGHTWATER VALLEY CLINIC"),
    ("(0008,0080) LO [Halvorsen Eye Associates]  # InstitutionName\n", "Halvorsen Eye Associates"),
    ("(0008,0081) ST [12 Quarry Rd, Oakhurst]  # InstitutionAddress\n", "12 Quarry Rd, Oakhurst"),
    ("Seen today at Maplecrest Family Dental for a crown.", "Maplecrest Family Dental"),
    ("Clinic: Juniper Ridge Dental Group\n", "Juniper Ridge Dental Group"),
    ("BRAMBLEWOOD FAMILY DENTAL -- clinical note\n", "BRAMBLEWOOD FAMILY DENTAL"),
    ("Referred to Ostrander Pediatric Dentistry on 3/4.", "Ostrander Pediatric Dentistry"),
]


@pytest.mark.parametrize(("text", "value"), WHOLE)
def test_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    inside = range(start, start + len(value))
    leaked = [text[i] for i in inside if text[i].isalnum() and not covered[i]]
    assert not leaked, f"{''.join(leaked)!r} of {value!r} left visible"


KEPT = [
    # the element's tag and value representation are the dump's, not the patient's
    ("(0010,0010) PN [DOE^JANE]  # PatientName\n", "(0010,0010) PN"),
    ("(0008,0060) CS [CT]  # Modality\n", "(0008,0060) CS [CT]"),
    # generic dental words name no one's practice
    ("Referred to the Pediatric Dental clinic downstairs.", "Pediatric Dental"),
    ("She sees Family Dental every six months.", "Family Dental"),
]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    assert not any(covered[start : start + len(value)]), value


def _covered(masker: Masker, text: str) -> bytearray:
    covered = bytearray(len(text))
    for s, e, _ in masker.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    return covered


# Jobs written as one closed compound whose last part is a job word, and jobs whose
# first word is "home" (a noun naming where the work is, not "works from home").
JOBS = [
    ("Thank you for seeing this pleasant 47-year-old dockhand-turned-shipwright.", None),
    ("Thank you for seeing this kind 61-year-old orchardworker with gout.", "orchardworker"),
    ("She is a retired kindergartenteacher from Ohio.", "kindergartenteacher"),
    ("Pt is a 39 y/o male stonecutter, lives alone.", None),
    ("Tomasz works as a home health aide at a hospice.", "home health aide"),
    ("Works as a home care aide for the county.", "home care aide"),
]


@pytest.mark.parametrize(("text", "value"), [j for j in JOBS if j[1]])
def test_job_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not "".join(leaked).strip(), f"{''.join(leaked)!r} of {value!r} left visible"


JOBS_KEPT = [
    # not a job: where someone works, a habit, a role in care
    ("He works from home on Fridays.", "home"),
    ("Pt is a 52-year-old nonsmoker with asthma.", "nonsmoker"),
    ("The patient is a 70-year-old caregiver-dependent man.", "man"),
]


@pytest.mark.parametrize(("text", "value"), JOBS_KEPT)
def test_job_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    assert not any(covered[start : start + len(value)]), value
