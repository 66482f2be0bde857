"""The JSON walker: keys are masked like values, numbers are scanned (round 7,
findings 7 and 8)."""

from __future__ import annotations

from phigate.masking.engine import Masker

SSN = "536-22-8471"


def test_an_identifier_used_as_a_key_is_masked_by_its_shape(safe_harbor: Masker) -> None:
    masked, counts = safe_harbor.mask_json({"by_ssn": {SSN: {"id": 1}}, "listed": [SSN]})
    assert masked == {"by_ssn": {"[SSN]": {"id": 1}}, "listed": ["[SSN]"]}
    assert counts == {"SSN": 2}


def test_keys_with_digits_under_a_key_that_names_a_type_are_that_type(
    safe_harbor: Masker,
) -> None:
    """Eight bare digits are an MRN only after a label; `by_mrn` is that label."""
    masked, counts = safe_harbor.mask_json({"by_mrn": {"40123456": {"visits": 3}}})
    assert masked == {"by_mrn": {"[MRN]": {"visits": 3}}}
    assert counts == {"MRN": 1}


def test_masked_keys_that_collide_stay_distinct(safe_harbor: Masker) -> None:
    """Two identifiers both read `[MRN]`: neither value is dropped or merged, and a key
    that was not masked keeps its name even when a masked key would take it."""
    doc = {"by_mrn": {"40123456": 1, "[MRN]": None, "40123457": 2, "total": 3}}
    masked, _ = safe_harbor.mask_json(doc)
    assert masked == {"by_mrn": {"[MRN] #2": 1, "[MRN]": None, "[MRN] #3": 2, "total": 3}}


def test_field_names_are_not_scanned(safe_harbor: Masker) -> None:
    """Keys like `line1`, `dateOfBirth` or `Name` are names of fields, not values."""
    doc = {"address": {"line1": "x", "line2": "y"}, "dateOfBirth": None, "Name": None}
    masked, _ = safe_harbor.mask_json(doc)
    assert masked == {
        "address": {"line1": "[STREET_ADDRESS]", "line2": "[STREET_ADDRESS]"},
        "dateOfBirth": None,
        "Name": None,
    }


def test_a_number_is_scanned_as_its_text(safe_harbor: Masker) -> None:
    """A phone number or a date as an integer is the same value as the string; masked,
    it becomes a string."""
    doc = {"a": ["4155550199", 4155550199], "when": [20240115]}
    masked, counts = safe_harbor.mask_json(doc)
    assert masked == {"a": ["[PHONE]", "[PHONE]"], "when": ["[DATE]"]}
    assert counts == {"PHONE": 2, "DATE": 1}


def test_ordinary_numbers_are_kept_as_numbers(safe_harbor: Masker) -> None:
    """Counts, amounts, years, ages and ids: numbers that nothing detects stay numbers,
    and numbers under keys that say they are not PHI are not scanned at all."""
    doc = {"n": [3, 12500, 2015, 93721, 98.6, -4, 1e21], "id": 4155550199, "amount": 20240115}
    masked, counts = safe_harbor.mask_json(doc)
    assert masked == doc
    assert counts == {}
