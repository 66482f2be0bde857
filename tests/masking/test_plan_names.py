"""A health plan's product name and its payer's public codes (round 18b): a plan's
name read as a person's, a payer id, a pharmacy benefit's BIN and PCN stay visible;
the member's own id beside them, and a group number, stay masked. A drug's code in
brackets after its label stays visible too."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

KEPT = [
    ("IN1|1|Silver Plus EPO|5142", "Silver Plus EPO"),
    ("Plan name: Medicare Advantage HMO", "Medicare Advantage HMO"),
    ("Payer ID: 87726", "87726"),
    ('{"payer_id": "60054", "status": "accepted"}', "60054"),
    ("RxBIN: 610014  PCN: MEDDPRIME", "610014"),
    ("BIN 004336 PCN ADV", "ADV"),
    ('member_id=W221227100 plan="Harbor Dental PPO"', "Harbor Dental PPO"),
    # a drug's code in brackets after its label
    ("the formulary lists the wrong NDC (0093-7146-56) for it", "0093-7146-56"),
]  # fmt: skip


def _touched(masker: Masker, text: str, value: str) -> list[str]:
    start = text.index(value)
    return [t for s, e, t in masker.spans(text) if s < start + len(value) and e > start]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    assert not _touched(safe_harbor, text, value), f"{value!r} masked"


MASKED = [
    ("Pt: Maria Gonzalez, plan Gold PPO 1500", "Maria Gonzalez"),
    ("Plan: Silver Plus EPO  Member ID: W884123901", "W884123901"),
    ("Payer ID: 87726  Subscriber ID: XQH448812907", "XQH448812907"),
    ("INSURANCE GROUP NO: GRP-67119", "GRP-67119"),
    # a payer named for its founder is a firm, not a plan type
    ("PRIOR AUTHORIZATION REQUEST - Okafor Mutual Health Plan", "Okafor"),
    ("Payer claim #: 3350624787224", "3350624787224"),
    ('member_id=W221227100 plan="Harbor Dental PPO"', "W221227100"),
    ("Patient callback (0093-7146-56)", "0093-7146-56"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not [c for c in leaked if c.isalnum()], f"{value!r} left visible"
