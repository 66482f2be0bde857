"""Shapes written here (round 13): a hospital named for someone whose surname is also a
common word ("Long Memorial Hospital"), and an academic hospital's "Health Sciences
Centre". Each name must be masked whole; departments and generic names stay."""

from __future__ import annotations

import pytest

from phigate.masking._institutions import _named
from phigate.masking.engine import Masker

WHOLE = [
    ("Transferred to Brooks Memorial Hospital for rehab on Friday.", "Brooks Memorial Hospital"),
    ("She was at Field Memorial Hospital until March.", "Field Memorial Hospital"),
    ("Follow-up at Stone Memorial next week.", "Stone Memorial"),
    ("Records faxed from Grace Memorial Hospital, ward 3.", "Grace Memorial Hospital"),
    ("Seen at Hamilton Health Sciences Centre on 4/2.", "Hamilton Health Sciences Centre"),
    ("LAKEHEAD HEALTH SCIENCES CENTER - RADIOLOGY", "LAKEHEAD HEALTH SCIENCES CENTER"),
    ("Employer plan via Cole and Sons, member 4471 20931 8.", "Cole and Sons"),
    ("Works as a welder at Reed, Hale and Ward since 2019.", "Reed, Hale and Ward"),
    ("Discharged to Long Group home care on Monday.", "Long Group"),
    ("Referred to Westbrook Health Science Center, Oncology", "Westbrook Health Science Center"),
]


@pytest.mark.parametrize(("text", "value"), WHOLE)
def test_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    inside = range(start, start + len(value))
    leaked = [text[i] for i in inside if text[i].isalnum() and not covered[i]]
    assert not leaked, f"{''.join(leaked)!r} of {value!r} left visible"


KEPT = [
    # generic names and departments name no one's hospital
    ("Admitted via Community Memorial Hospital transfer line.", "Community Memorial Hospital"),
    ("follow up in the Cardiology Clinic before discharge.", "Cardiology Clinic"),
    ("History of Graves, Hashimoto and Addison disease in the family.", "Hashimoto and Addison"),
    ("Attends a weekly Support Group for caregivers.", "Support Group"),
    ("the War Memorial Hospital fund pays for parking.", "War Memorial Hospital"),
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


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("Health Sciences Centre", False),
        ("Sunnybrook Health Sciences Centre", True),
        ("Community Memorial Hospital", False),
        ("Long Memorial Hospital", True),
    ],
)
def test_named(name: str, named: bool) -> None:
    # generic words alone name no hospital; a memorial's honoured name does
    assert _named(name.encode()) is named
