"""A value cut across sibling JSON strings (lines of an OCR page, a wrapped note,
consecutive fields) is read as its reader joins them: each piece is masked."""

from __future__ import annotations

import json

import pytest

from phigate.masking.engine import Masker

SSN = "536-22-8471"


@pytest.mark.parametrize(
    "value",
    [
        ["Called the member, SSN 536-22-", "8471, phone (415) 555-", "0199."],
        ["SSN 536-", "22-", "8471 on file"],
        {"said": "Member SSN 536-22", "then": "-8471 confirmed"},
        {"page": 2, "lines": ["note: ssn 53622", "8471 verified"]},
    ],
)
def test_a_number_cut_across_strings_is_masked(safe_harbor: Masker, value: object) -> None:
    masked, counts = safe_harbor.mask_json(value)
    shown = json.dumps(masked)
    joined = "".join(_strings(masked))
    assert "8471" not in shown and "22-8471" not in joined, masked
    assert counts.get("SSN", 0) >= 1


def test_a_name_cut_across_two_fields_is_masked(safe_harbor: Masker) -> None:
    masked, _ = safe_harbor.mask_json(["Seen today: Maria", "Garcia reports pain"])
    assert "Garcia" not in json.dumps(masked), masked


def test_strings_that_hold_nothing_across_a_seam_stay(safe_harbor: Masker) -> None:
    value = {"status": "active", "lines": ["Refill due", "in 30 days", "call back"]}
    masked, counts = safe_harbor.mask_json(value)
    assert masked == value and counts == {}


def test_a_long_array_is_read_in_windows(safe_harbor: Masker) -> None:
    """Thousands of lines: every seam read, each in a short window."""
    lines = ["routine line of text"] * 3000 + ["SSN 536-22-", "8471"] + ["end"] * 10
    masked, _ = safe_harbor.mask_json(lines)
    assert "8471" not in json.dumps(masked)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
