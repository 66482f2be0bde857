"""Dates that stamp a machine's act (round 11, part B): a log line's stamp, a webhook's
delivery, a calendar file's own stamps, a commit's date. Each must stay visible; the
same dates on a line that names a patient, or under a patient's key, stay masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

KEPT = [
    # a key named for a transport's act
    ('{"type": "lab.result.final", "delivered_at": "2025-02-11T08:14:55Z"}', "2025-02-11"),
    ("queuedAt=2025-02-11T08:14:55Z retries=2", "2025-02-11"),
    ('  "publishedAt": "2025-02-11T08:14:55.120Z",', "2025-02-11"),
    # an invitation file's own stamps
    ("BEGIN:VEVENT\nDTSTAMP:20250211T081455Z\nUID:77a1@sched", "20250211T081455Z"),
    ("LAST-MODIFIED:20250211T081455Z", "20250211T081455Z"),
    # a commit's header
    ("commit 9f3c2ab71d\nAuthor: ci-bot <ci@example.org>\nDate:   2025-02-11 08:14:55 +0100",
     "2025-02-11"),
    ("CommitDate: 2025-02-11T08:14:55Z", "2025-02-11"),
    # a log line about the service itself
    ("2025-02-11T08:14:55.311Z INFO  [pool-2] cache warmed in 412 ms", "2025-02-11"),
    ("[2025-02-11 08:14:55] ERROR queue consumer restarted", "2025-02-11"),
    ("11-FEB-2025 08:14 WARN [sftp-drop] retrying upload to 10.20.30.40", "11-FEB-2025"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    touched = [t for s, e, t in safe_harbor.spans(text) if s < start + len(value) and e > start]
    assert not touched, f"{value!r} masked as {touched}"


MASKED = [
    # a log line that names whose record, or someone found on it
    ("2025-02-11T08:14:55Z INFO [api] chart opened for MRN 4471902", "2025-02-11"),
    ("2025-02-11 08:14:55 WARN [idv] login failed user=dana.kowalski@example.org",
     "2025-02-11"),
    ("[2025-02-11 08:14:55] ERROR appt reminder bounced", "2025-02-11"),
    # keys and headers of a patient's events, and generic ones
    ('{"admitted_at": "2025-02-11T08:14:55Z"}', "2025-02-11"),
    ('{"ts": "2025-02-11T08:14:55Z", "dob": "1951-07-30"}', "2025-02-11"),
    ("Created: 02/11/2025 by the admitting nurse", "02/11/2025"),
    ("From: Dr. Osei\nDate: Tue, 11 Feb 2025 08:14:55 +0100\nSubject: labs", "11 Feb 2025"),
    # a date that only follows a level word, not a stamp opening the line
    ("Seen in clinic 2025-02-11 INFO given", "2025-02-11"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not [c for c in leaked if c.isalnum()], f"{value!r} left visible"


def test_long_line_is_linear(safe_harbor: Masker) -> None:
    """Many stamps on one endless line: each rule reads a bounded window."""
    text = "x " * 200_000 + " ".join(["2025-02-11T08:14:55Z INFO ok"] * 2_000)
    assert safe_harbor.spans(text)  # finishes; the dates are not at a line's start
