"""Shapes written here (round 18): outpatient sites named like a hospital ("Lakeshore
Urgent Care", "Cedar Laboratories"), a firm "& Sons" or in a European legal form ("GmbH & Co.
KG", "e.V."), a library or call centre someone works at, handles in directories, logons, chat
headings, portal senders and "created by:", and a Vietnamese street, ward and district.
Each value must be masked; departments and generic sites with no name, words after
"user is" and a registry path stay."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

MASKED = [
    ("Patient seen at Lakeshore Urgent Care on Monday.", "Lakeshore Urgent Care"),
    ("Transferred from Brookfield Birthing Center at 04:10.", "Brookfield Birthing Center"),
    ("Films from Harborview Imaging and Cedar Labs attached.", "Harborview Imaging"),
    ("Films from Harborview Imaging and Cedar Laboratories.", "Cedar Laboratories"),
    ("Referred by Oakmont Family Practice.", "Oakmont Family Practice"),
    ("Discharged to Pinecrest Rehab for two weeks.", "Pinecrest Rehab"),
    ("Employer: Hale & Sons, loading dock", "Hale & Sons"),
    ("Employer plan via Kessler GmbH & Co. KG, member 4471", "Kessler GmbH & Co. KG"),
    ("Discharged to Sonnenhof e.V. on Friday.", "Sonnenhof e.V."),
    ("Employer: Vandermolen B.V.\n", "Vandermolen B.V."),
    ("Low mood since losing her job at Quillfield Public Library.", "Quillfield Public Library"),
    ("He worked nights at Tarrow Call Center until May.", "Tarrow Call Center"),
    ("dn: uid=tkowalczyk,ou=people,dc=example,dc=org", "tkowalczyk"),
    ("sAMAccountName=rbianchi2", "rbianchi2"),
    ("4624 logon CLINIC\\mgarcia from 10.2.3.4", "mgarcia"),
    ("Her portal user is jlopez, last login Tuesday", "jlopez"),
    ("Ticket created by: kpatel\n", "kpatel"),
    ("#ed-flow\nvelkov  9:14 AM\nbed 12 is ready", "velkov"),
    ("From: dana.whitlock71 (verified)\nSubject: refill", "dana.whitlock71"),
    ("From: lphillips (verified)\nSubject: refill", "lphillips"),
    ("địa chỉ 12 đường Hai Bà Trưng, phường 6, quận 3, TP.HCM", "12 đường Hai Bà Trưng"),
    # the ward's and the district's numbers ("phường" and "quận" are their words)
    ("địa chỉ 12 đường Hai Bà Trưng, phường 6, quận 3, TP.HCM", "6"),
    ("địa chỉ 12 đường Hai Bà Trưng, phường 6, quận 3, TP.HCM", "3"),
]


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not "".join(leaked).strip(), f"{''.join(leaked)!r} of {value!r} left visible"


KEPT = [
    # a site with no name of its own is a department or a kind of place
    ("Walk-in patients go to Pediatric Urgent Care first.", "Pediatric Urgent Care"),
    ("Results are posted by Main Imaging after review.", "Main Imaging"),
    ("Referred to Family Medicine for follow up.", "Family Medicine"),
    ("the user is unable to log in since Monday", "unable"),
    ("HBs AG: negative, anti-HBs: positive", "HBs AG"),
    # a sentence ends in an abbreviation before a heading
    ("Exam: SpO2 97% RA. Labs: Hgb 11.2", "RA. Labs"),
    ("Exam: T 37.9 C. Labs: Cr 1.34", "C. Labs"),
    ("Ask the Public Library for the leaflet.", "Public Library"),
    ("open HKLM\\software\\policies in regedit", "software"),
    ("vitals  9:14 AM\nBP 120/80", "vitals"),
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
