"""Ages over 89 and ZIP codes in forms the detectors missed (round 18b): an age typed
after "shes" without its apostrophe, an age in brackets after a name on a list, a
ZIP code glued to the next field's label in text taken from a PDF. An age under 90,
a dose after "IM", and a number glued to lower-case text stay visible."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

MASKED = [
    ("writing for my grandma, shes 97 now and still sharp", "97"),
    ("hes 101 and lives alone", "101"),
    ("- **Marta Quispe** (94) - readmitted after a fall", "94"),
    ("Census: Tobias Renner (103), bed 4", "103"),
    ("Dunmore Falls, OK 74103Fax 555-0100", "74103"),
    ("Glenrock, WY 82637-1102Phone 307 555 0199", "82637-1102"),
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
    ("- **Marta Quispe** (54) - readmitted", "54"),
    ("ondansetron IM 100 mg once", "100"),
    ("shes 45 and healthy", "45"),
    ("build OK 74103abc passed", "74103"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    touched = [t for s, e, t in safe_harbor.spans(text) if s < start + len(value) and e > start]
    assert not touched, f"{value!r} masked"
