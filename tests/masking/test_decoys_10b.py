"""Values that read like PHI but are not (round 10, part B): when software was built
or released, a billing code beside the service it bills, a lab test's reference
range. Each must stay visible; the PHI written the same way beside other words must
still be masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

KEPT = [
    # a date after a product's version, a deploy or inside a build object
    ("User-Agent: sched-hooks/4.2.1 (2024-03-14T10:22)", "2024-03-14T10:22"),
    ("ehr-api v3.2.1 released 2024-03-14", "2024-03-14"),
    ("Version: 3.2.1 (2024-03-14)", "2024-03-14"),
    ("last deployed 2024-03-14 10:22 UTC by ci-bot", "2024-03-14"),
    ('{"build": {"number": 4411, "timestamp": "2024-03-14T10:22"}}', "2024-03-14T10:22"),
    ("build:\n  number: 4411\n  time: 2024-03-14T10:22", "2024-03-14T10:22"),
    # a billing code and the service it bills
    ("Charged twice for 99213 (office visit).", "99213"),
    ("80053 - lab order", "80053"),
    # a reference range under a "ref" label
    ("result=5.8 mmol/L ref=3.5-5.1 flag=H", "3.5-5.1"),
    ("| test | value | ref |\n|---|---|---|\n| Hgb | 10.2 | 12.0-16.0 |", "12.0-16.0"),
    ("LDL 162 mg/dL, Ref: <100", "<100"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    touched = [t for s, e, t in safe_harbor.spans(text) if s < start + len(value) and e > start]
    assert not touched, f"{value!r} masked as {touched}"


MASKED = [
    # a patient's dates beside numbers that are no versions
    ("Call 555.123.4567 about the visit on 2024-03-14", "2024-03-14"),
    ("DOB 14.03.1948, seen 02.03.2024", "02.03.2024"),
    ('{"patient": {"name": "x", "birthDate": "1948-03-14"}}', "1948-03-14"),
    ("2024-03-14T10:22:31Z INFO api-gateway patient chart opened", "2024-03-14"),
    # a number and the record it is
    ("40123456 (visit #)", "40123456"),
    ("Encounter 40123456 (patient visit)", "40123456"),
    ("Ref: 12-3456", "12-3456"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not [c for c in leaked if c.isalnum()], f"{value!r} left visible"
