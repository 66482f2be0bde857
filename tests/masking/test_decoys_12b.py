"""Decoys over-masked (round 12, part B): a drug's NDC after its label, three digits
after "bed" (a room's number), the stamp of mail a machine sent. Each must stay visible; the same
shapes that say whose they are stay masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

KEPT = [
    # a national drug code after its label, in its three ten-digit shapes and the
    # eleven-digit one billing writes
    ("Dispensed 30 tabs, NDC 0093-7146-56, lot 4471", "0093-7146-56"),
    ("ndc: 12345-678-90 (generic)", "12345-678-90"),
    ("NDC# 50090-2875-0 filled", "50090-2875-0"),
    ("Med rec: stopped 2024; NDC 00219-9032-46 dispensed.", "00219-9032-46"),
    ("drug_ndc=60505-0141-01 qty=30", "60505-0141-01"),
    # three digits after "bed" are the room's number: anyone at the desk reads it
    ("Bed 202  Castillo, Elizabeth  MR# 2291465", "202"),
    ("Unit: Cardiology, Bed 760", "760"),
    # mail a machine sent: its Date header stamps the sending
    ("From: no-reply@portal.example.org\nTo: pat@example.com\n"
     "Date: Tue, 11 Feb 2025 08:14:55 +0100\nSubject: Your statement is ready", "11 Feb 2025"),
    ("Date: Wed, 12 Mar 2025 10:04:55 -0700\nFrom: Scheduling <notifications@clinic.example>\n"
     "Subject: Reminder", "12 Mar 2025"),
    ("From: MAILER-DAEMON@mx.example.org\nDate: 11 Feb 2025 08:14:55 +0000", "11 Feb 2025"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    touched = [t for s, e, t in safe_harbor.spans(text) if s < start + len(value) and e > start]
    assert not touched, f"{value!r} masked as {touched}"


MASKED = [
    # the same digits under a record's label, or a phone's
    ("MRN 0093-7146-56 on the wristband", "0093-7146-56"),
    ("call 555-123-4567 about the NDC refill", "555-123-4567"),
    # a bed with its unit says where one patient lies
    ("Bed 7C-12: pt resting", "7C-12"),
    ("Bed 4B-36 Talbot 73M", "4B-36"),
    ("bed 12: new admit, NPO", "12"),
    ("Bay 7C  Okafor 81F", "7C"),
    # mail a person sent keeps its date masked, and so does a machine's mail body
    ("From: Dr. Osei <k.osei@clinic.example>\nDate: Tue, 11 Feb 2025 08:14:55 +0100",
     "11 Feb 2025"),
    ("From: no-reply@portal.example.org\nSubject: appt\n\nYour visit on 11 Feb 2025 is set",
     "11 Feb 2025"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = [
        (s, e) for s, e, _ in safe_harbor.spans(text) if s <= start and e >= start + len(value)
    ]
    assert covered, f"{value!r} left visible"
