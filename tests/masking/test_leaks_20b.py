"""Leaks found by family in round 20b: a clinical trial's subject and screening
numbers (after the word that names them and under CDISC's column names), the login
of who reviewed, coded, abstracted or prepared a record, and the charities and
shelters a patient is referred to. Words beside them, a trial's site and visit, a
year after "screening" and a role after "by" stay visible."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

MASKED = [
    # a trial's subject under the word that names it
    ("Participant 101-004 withdrew consent on Day 29.", "101-004"),
    ("Subject 0042 was randomized to Arm B.", "0042"),
    ("AE onset in subject 2031-117 after dose 3.", "2031-117"),
    ("Screening number 2087 assigned at visit 1.", "2087"),
    ("Screening #: 5510 (screen failed)", "5510"),
    ("Randomization No. 40117 issued by IWRS.", "40117"),
    ("enrolled participant P-0315 at site 12", "P-0315"),
    # CDISC's names of the subject's columns in a case report form's export
    ("SUBJID,SITEID,VISIT,AETERM\n101-004,101,WEEK 4,Headache\n102-011,102,WEEK 8,Nausea",
     "102-011"),
    ("STUDYID|SUBJID|AESEQ\nXR-220|3007|1\nXR-220|3019|2", "3019"),
    ("Screening No,Arm\n7781,B\n7790,A", "7790"),
    # who reviewed, coded, abstracted, prepared or audited a record, by their login
    ("Reviewer: rn.garcia\nDecision: upheld", "rn.garcia"),
    ("Coder: lchen3  Query: none", "lchen3"),
    ("Abstracted by lchen3 on intake.", "lchen3"),
    ("Prepared by: dmorris", "dmorris"),
    ("Audited by: mgarcia2", "mgarcia2"),
    ("Submitter: tokafor\nCategory: fall", "tokafor"),
    ("Reviewer: jsmith2 on 03/14/2026, HCC confirmed", "jsmith2"),
    ("Coder: JSMITH2 | HCC 18 | supported", "JSMITH2"),
    ("Reporter: rn.garcia, Nursing", "rn.garcia"),
    ("Printed by user kdoe on 03/14/2026", "kdoe"),
    ("Electronically signed: tbanks4 03/14/2026 10:22", "tbanks4"),
    ("Approved: lee.w", "lee.w"),
    ("Nurse reviewer hkim7 agreed with the coder.", "hkim7"),
    ("Report run by: kdoe7", "kdoe7"),
    # a login in brackets after its owner's name
    ("Reviewed by: Jane Okafor (jokafor2)", "jokafor2"),
    ("Reviewer: Ana Ruiz, RN [ana.ruiz]", "ana.ruiz"),
    ("Submitted by: J. Okafor (jokafor2)", "jokafor2"),
    # a trade that singles a person out: in apposition, in brackets, a rare one
    ("Patient, a dairy farmer, lives on the farm.", "dairy farmer"),
    ("the participant, an ICU nurse, asked to withdraw", "ICU nurse"),
    ("Caregiver is daughter, an ICU nurse at the VA.", "ICU nurse"),
    ("the participant's occupation (glassblower) was in the consent", "glassblower"),
    ("She spent 25 years as a lighthouse keeper.", "lighthouse keeper"),
    ("He is a rodeo clown on weekends.", "rodeo clown"),
    # a CDA document's patient by the id of its patientRole
    ('<recordTarget><patientRole><id extension="8812345" root="2.16.840.1.113883.19.5"/>',
     "8812345"),
    ('<patientRole classCode="PAT">\n  <id root="2.16.840.1.113883.19.5" extension="44017"/>',
     "44017"),
    # where a patient is referred to: a food bank, a shelter, a church, a soup kitchen
    ("referred to Grace Harbor Church for a meal program", "Grace Harbor Church"),
    ("placed at Riverbend Family Shelter tonight", "Riverbend Family Shelter"),
    ("Referral: Lakeside Soup Kitchen", "Lakeside Soup Kitchen"),
    ("linked to Tillamook Valley Food Pantry", "Tillamook Valley Food Pantry"),
    ("connected to Eastgate Recovery Center", "Eastgate Recovery Center"),
    ("referred to Westbrook Community Services", "Westbrook Community Services"),
    ("enrolled at Hillcrest Community Center", "Hillcrest Community Center"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not [c for c in leaked if c.isalnum()], f"{value!r} left visible"


KEPT = [
    ("Subject 1 of 3 completed the survey.", "1 of 3"),
    ("Screening 2024 results were reviewed.", "2024"),
    ("subject to 30 days notice", "30 days"),
    ("SUBJID,SITEID,VISIT\n101-004,101,WEEK 4", "SITEID"),
    ("Reviewer: pharmacist on call", "pharmacist"),
    ("Coded by technician", "technician"),
    ("Reviewer: Pending", "Pending"),
    ("Coder: Unassigned", "Unassigned"),
    ("Reviewer: nurse on duty", "nurse"),
    ("Approved: yes", "yes"),
    ("Patient, a 54-year-old, was seen.", "54-year-old"),
    ("Patient, alert and oriented, ambulating.", "alert"),
    ("Signed: 03/14/2026", "Signed"),
    ("Tylenol Extra Strength (q6h)", "q6h"),
    ("Follow Up (e.g. labs)", "e.g"),
    ("Release Notes (v2.3.1)", "v2.3.1"),
    ("Food Bank hours are 9 to 5.", "Food Bank"),
    ("the emergency shelter was full", "shelter"),
    ("Sunday Church services", "Church"),
    ("referred to Adult Protective Services", "Protective Services"),
    ("notified Social Services", "Social Services"),
    ("Call Member Services at the number on the card.", "Member Services"),
    ("Lab Client Services will resend the report.", "Lab Client Services"),
    ('<ClinicalDocument><id extension="doc-2" root="2.16.840.1.113883.19"/>', "doc-2"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    touched = [t for s, e, t in safe_harbor.spans(text) if s < start + len(value) and e > start]
    assert not touched, f"{value!r} masked"
