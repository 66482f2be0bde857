"""The JSON walker: keys are masked like values, numbers are scanned, FHIR identifiers
are masked by their shape (round 7, findings 7 to 9)."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import Operator, ProfileConfig
from tests.masking.conftest import KEY

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


def test_many_colliding_keys_keep_every_value(safe_harbor: Masker) -> None:
    """An object of thousands of SSN keys, some of their masked names already taken by
    keys that stay: every value is kept under its own name."""
    ssns = [f"536-22-{n:04d}" for n in range(1000, 4000)]
    doc: dict[str, object] = {ssn: n for n, ssn in enumerate(ssns)}
    doc.update({f"[SSN] #{n}": None for n in range(2, 50)})
    masked, counts = safe_harbor.mask_json(doc)
    assert isinstance(masked, dict) and len(masked) == len(doc)
    assert sorted(v for v in masked.values() if v is not None) == list(range(len(ssns)))
    assert counts == {"SSN": len(ssns)}
    assert not any(ssn in masked for ssn in ssns)


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


V2 = "http://terminology.hl7.org/CodeSystem/v2-0203"


@pytest.mark.parametrize(
    ("identifier", "shown"),
    [
        ({"system": "http://hl7.org/fhir/sid/us-ssn", "value": "536228471"}, "[SSN]"),
        ({"type": {"text": "Medical Record Number"}, "value": "40123456"}, "[MRN]"),
        ({"type": {"coding": [{"system": V2, "code": "MR"}]}, "value": "A7781"}, "[MRN]"),
        ({"type": {"coding": [{"system": V2, "code": "DL"}]}, "value": "D1234567"}, "[LICENSE]"),
        ({"type": {"coding": [{"system": V2, "code": "PPN"}]}, "value": "X12"}, "[LICENSE]"),
        ({"type": {"text": "Member ID"}, "value": "XZ-1"}, "[HEALTH_PLAN_ID]"),
        ({"system": "https://hospital.example/mrn", "value": "77"}, "[MRN]"),
        ({"system": "urn:oid:1.2.3", "value": 12345}, "[ID]"),
        ({"value": "abc"}, "[ID]"),
    ],
)
def test_a_fhir_identifier_value_is_masked_and_labelled(
    safe_harbor: Masker, identifier: dict[str, object], shown: str
) -> None:
    """`identifier.value` identifies the resource's subject whatever its shape; the
    `system` or `type` next to it says which identifier it is."""
    for resource in ("Patient", "Person", "RelatedPerson", "Practitioner", "Coverage", None):
        doc = {"resourceType": resource, "identifier": [identifier]}
        masked, _ = safe_harbor.mask_json(doc)
        assert masked["identifier"][0]["value"] == shown, (resource, masked)  # type: ignore[index]


def test_an_identifier_in_a_reference_is_masked(safe_harbor: Masker) -> None:
    doc = {"resourceType": "Claim", "patient": {"identifier": {"value": "40123456"}}}
    masked, counts = safe_harbor.mask_json(doc)
    assert masked == {"resourceType": "Claim", "patient": {"identifier": {"value": "[ID]"}}}
    assert counts == {"ID": 1}


def test_identifiers_of_what_is_not_a_person_are_scanned_only(safe_harbor: Masker) -> None:
    doc = {"resourceType": "Organization", "identifier": [{"value": "ORG-1"}]}
    assert safe_harbor.mask_json(doc)[0] == doc


def test_a_revealed_identifier_type_stays_shown(engine: MaskingEngine) -> None:
    """Labelled SSN and revealed to this caller: shown, as under an `ssn` key."""
    masker = engine.masker("hipaa-safe-harbor", reveal=frozenset({"SSN"}))
    doc = {"identifier": [{"system": "http://hl7.org/fhir/sid/us-ssn", "value": "536228471"}]}
    assert masker.mask_json(doc)[0] == doc


def test_a_patients_contact_photo_and_extensions_are_masked(safe_harbor: Masker) -> None:
    patient = {
        "resourceType": "Patient",
        "contact": [
            {
                "name": {"family": "Okonkwo", "given": ["Ngozi"]},
                "telecom": [{"system": "phone", "value": "415 555 0123"}],
                "address": {"line": ["9 Elm Road"], "city": "Fresno"},
            }
        ],
        "photo": [{"url": "https://img.example.org/p/8812.jpg"}],
        "extension": [{"url": "http://x.example/maidenName", "valueString": "Okonkwo"}],
    }
    shown = str(safe_harbor.mask_json(patient)[0])
    for value in ("Okonkwo", "Ngozi", "555 0123", "9 Elm Road", "Fresno", "8812.jpg"):
        assert value not in shown, shown


def test_a_dropped_key_is_empty_not_none(engine: MaskingEngine) -> None:
    settings = engine.settings.model_copy(deep=True)
    settings.profiles["drop-mrn"] = ProfileConfig(operators={"MRN": Operator.DROP})
    masker = MaskingEngine(settings, KEY).masker("drop-mrn")
    masked, _ = masker.mask_json({"by_mrn": {"40123456": 1, "40123457": 2}})
    assert masked == {"by_mrn": {"": 1, " #2": 2}}
