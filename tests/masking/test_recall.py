"""Recall on shapes the independent corpora showed leaking (issue 16), from examples
written here: a paper form's blanks around a value."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

FOUND = [
    ("PATIENT NAME:____Kwame Mensah-Boateng____  DOB:____03/04/1951____", "Mensah-Boateng"),
    ("PATIENT NAME:____Kwame Mensah-Boateng____  DOB:____03/04/1951____", "Kwame"),
    ("SIGNATURE: _____Adaeze Okafor_____", "Adaeze"),
    ("Last Name: Nguyen___ First: Thi Lan_____", "Thi Lan"),
]


@pytest.mark.parametrize(("text", "value"), FOUND)
def test_found(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    spans = safe_harbor.spans(text)
    assert any(s <= start and e >= start + len(value) for s, e, _ in spans), spans


def test_a_blank_ends_the_value(safe_harbor: Masker) -> None:
    text = "NAME:____Kwame Mensah____ Seen for cough"
    assert safe_harbor.mask_text(text).text == "NAME:____[PERSON]____ Seen for cough"
