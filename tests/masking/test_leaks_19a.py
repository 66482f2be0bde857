"""Leaks found by family in round 19a: logins in exports' columns and after the label
of who entered or verified a result, dates and facilities in French, Vietnamese,
Tagalog and Portuguese notes, national health cards, an appointment's iCalendar
times, the last four of an SSN on an employer's form, Vietnamese and Philippine
postal codes. Words beside them, a calendar file's own stamp and months without a
day stay visible."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

MASKED = [
    # logins: a column named as directory exports name it, a cue of who did it
    ("Login ID\tDept\tEnabled\nkpatel\tRadiology\tTRUE\nmrodrig2\tBilling\tFALSE", "kpatel"),
    ("sAMAccountName,Title\ndchen,Nurse\nagarcia,Clerk", "agarcia"),
    ("Network ID;Dept;Last logon\nwbrenner;Lab;2026-01-04\nsolu;ED;2026-01-05", "wbrenner"),
    ("Glucose 105 mg/dL (H). Verified by: lchen 03/14/2026 10:22", "lchen"),
    ("Potassium 4.1  Entered: rsingh  Released: tbrown", "rsingh"),
    ("Case 00418 opened. Agent: jwalters. Customer called back.", "jwalters"),
    ("Owner alias: kmorris", "kmorris"),
    ("Caller: rfarouk\nRequested for: mlopez_rn\nPriority: 3", "mlopez_rn"),
    ("Caller: rfarouk\nRequested for: mlopez_rn\nPriority: 3", "rfarouk"),
    # firms on a manifest or a bill, practices named for their specialty
    ("Destination: Marlow Pike Home Infusion", "Marlow Pike Home Infusion"),
    ("pickup from Tamsin Medical Supply at 09:30", "Tamsin Medical Supply"),
    ("deliver to Quillon Health Partners by noon", "Quillon Health Partners"),
    ("Refill shipped by Corvane Eye Care", "Corvane Eye Care"),
    # dates in a day's local forms
    ("Admise le 14 mars 2026 au service.", "14 mars 2026"),
    ("Revue le 1er août 2025.", "1er août 2025"),
    ("Aufnahme am 14. März 2026 wegen Sturz.", "14. März 2026"),
    ("Na-admit noong Marso 14, 2026 dahil sa lagnat.", "Marso 14, 2026"),
    ("Nhập viện ngày 14 tháng 3 năm 2026 vì sốt.", "14 tháng 3 năm 2026"),
    ("Tái khám 2 tháng 4, 2026.", "2 tháng 4, 2026"),
    # facilities by their leading word
    ("transférée au CHU de Rennes pour bilan", "Rennes"),
    ("nhập viện tại Bệnh viện Chợ Rẫy hôm qua", "Bệnh viện Chợ Rẫy"),
    ("khám tại Phòng khám Đa khoa Hòa Hảo", "Phòng khám Đa khoa Hòa Hảo"),
    ("dinala sa Ospital ng Maynila kahapon", "Ospital ng Maynila"),
    ("inilipat sa Pagamutan ng Lungsod ng Quezon", "Pagamutan ng Lungsod ng Quezon"),
    # national health cards
    ("PhilHealth PIN: 12-345678901-2", "12-345678901-2"),
    ("Cartão SUS: 898 0012 3456 7890", "898 0012 3456 7890"),
    ("Cartão do SUS 700501234567896", "700501234567896"),
    ("Số thẻ BHYT: DN4797932112345", "DN4797932112345"),
    ("Mutuelle n° 4471928830", "4471928830"),
    # an appointment's times
    ("BEGIN:VEVENT\nDTSTART;TZID=America/New_York:20260314T090000\nEND:VEVENT", "20260314T090000"),
    ("BEGIN:VEVENT\nDTEND:20260314T093000Z\nEND:VEVENT", "20260314T093000Z"),
    # the last four of an SSN
    ("Employee SSN (last 4): 6789", "6789"),
    ("SSN-4: 4821", "4821"),
    ("Social Security # (last four): 1234", "1234"),
    ("SSN ending in 4821", "4821"),
    # postal codes of Vietnam and the Philippines
    ("Quận 1, TP. Hồ Chí Minh 700000", "700000"),
    ("số 8 phố Huế, Hà Nội 100000, Việt Nam", "100000"),
    ("Mã bưu chính: 11000", "11000"),
    ("Brgy. Malinta, Lungsod ng Valenzuela 1440", "1440"),
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
    ("BEGIN:VCALENDAR\nDTSTAMP:20260301T120000Z\nEND:VCALENDAR", "20260301T120000Z"),
    ("Culture verified by pharmacist on rounds", "pharmacist"),
    ("Domain Name,Expires\nexample.org,2027\nexample.net,2028", "example.org"),
    ("Tech: none", "none"),
    ("la planète mars est rouge", "mars"),
    ("Tagalog: Marso ang buwan ng tag-init", "Marso"),
    ("took 14 tablets of ibuprofen", "14"),
    ("Consult Pediatric Radiology for the films", "Pediatric Radiology"),
    ("Caller: Patient", "Patient"),
    ("[00:00:27] CALLER: seventy-six, yes ma'am, still driving", "seventy-six"),
    ("SUS score 82 after the usability test", "SUS score"),
    ("Chuyển tháng 3 sang tháng 4", "tháng 3"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    touched = [t for s, e, t in safe_harbor.spans(text) if s < start + len(value) and e > start]
    assert not touched, f"{value!r} masked"
