"""Profiles, reveals, operators, JSON and failing closed."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from phigate.masking.detect import MaskingError
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.operators import generalize
from phigate.masking.settings import CustomIdentifier, MaskingSettings, Operator, ProfileConfig
from tests.masking.conftest import KEY

NOTE = "Patient John Smith, SSN 123-45-6789, DOB 03/14/1950, password=hunter2"


def test_builtin_profiles_exist_and_unknown_fails_closed(engine: MaskingEngine) -> None:
    assert {"hipaa-safe-harbor", "secrets-only", "none"} <= set(engine.settings.profiles)
    with pytest.raises(MaskingError):
        engine.masker("no-such-profile")


def test_secrets_only_and_none(engine: MaskingEngine) -> None:
    assert engine.masker("secrets-only").mask_text(NOTE).text == NOTE.replace("hunter2", "[SECRET]")
    assert engine.masker("none").mask_text(NOTE).text == NOTE


def test_safe_harbor_counts(safe_harbor: Masker) -> None:
    result = safe_harbor.mask_text(NOTE)
    assert result.text == "Patient [PERSON], SSN [SSN], DOB 1950, password=[SECRET]"
    assert result.counts == {"PERSON": 1, "SSN": 1, "DATE": 1, "SECRET": 1}


def _settings(**profile: object) -> MaskingSettings:
    return MaskingSettings.model_validate({"profiles": {"p": profile}})


def test_reveal_to_group_and_per_execution_but_never_secrets() -> None:
    engine = MaskingEngine(_settings(reveal={"DATE": ["clinicians"]}), KEY)
    assert "03/14/1950" in engine.masker("p", groups=["clinicians"]).mask_text(NOTE).text
    assert "03/14/1950" not in engine.masker("p", groups=["billing"]).mask_text(NOTE).text
    shown = engine.masker("p", reveal=["SSN", "SECRET"]).mask_text(NOTE).text
    assert "123-45-6789" in shown and "hunter2" not in shown
    with pytest.raises(ValidationError):
        _settings(reveal={"SECRET": ["admins"]})


def test_unknown_types_in_config_are_rejected() -> None:
    with pytest.raises(ValidationError):
        _settings(operators={"NOT_A_TYPE": "redact"})
    with pytest.raises(ValidationError):
        CustomIdentifier(type="EMP", pattern="(a)\\1")  # backreference: not RE2


def test_operators() -> None:
    engine = MaskingEngine(
        _settings(operators={"SSN": "partial", "PERSON": "pseudonym", "EMAIL": "drop"}), KEY
    )
    text = engine.masker("p").mask_text("John Smith ssn 123-45-6789 mail j@x.org").text
    assert "***-**-6789" in text
    assert "PERSON_" in text and "John" not in text
    assert text.endswith("mail ")


def test_generalize_zip3_restricted_and_age() -> None:
    masker = MaskingEngine(MaskingSettings(), KEY).masker("hipaa-safe-harbor")
    assert masker.mask_text("Austin, TX 78701").text == "[LOCATION], TX 787**"
    assert masker.mask_text("Reno, NV 89001").text == "[LOCATION], NV 000**"  # 890: restricted
    assert masker.mask_text("a 97 year old").text == "a 90+ year old"


def test_generalize_zip_reads_ocr_digits_and_drops_foreign_postcodes() -> None:
    assert generalize("ZIP", "02l39") == "021**"  # l read for 1
    assert generalize("ZIP", "O2139") == "021**"
    assert generalize("ZIP", "M5V 2T6") == "[ZIP]"  # no US prefix in a Canadian code
    assert generalize("ZIP", "02139-4307") == "021**"


def test_custom_identifiers_by_pattern_and_terms() -> None:
    settings = MaskingSettings.model_validate(
        {
            "identifiers": [
                {"type": "EMPLOYEE_ID", "pattern": r"\bEMP-\d{6}\b"},
                {"type": "PROJECT", "terms": ["Bluebird", "Nightjar"]},
            ]
        }
    )
    masker = MaskingEngine(settings, KEY).masker("hipaa-safe-harbor")
    result = masker.mask_text("EMP-123456 works on nightjar")
    assert result.text == "[EMPLOYEE_ID] works on [PROJECT]"


def test_mask_json_nested_with_key_hints(safe_harbor: Masker) -> None:
    doc = {
        "patient": {"first_name": "Zbigniew", "ssn": "123456789", "dob": "1950-03-14"},
        "visits": [{"note": "Seen by Dr. Kowalczyk", "code": "E11.9", "amount": 12.5}],
        "Jane Doe": True,
    }
    masked, counts = safe_harbor.mask_json(doc)
    assert masked == {
        "patient": {"first_name": "[PERSON]", "ssn": "[SSN]", "dob": "1950"},
        "visits": [{"note": "Seen by Dr. [PERSON]", "code": "E11.9", "amount": 12.5}],
        "[PERSON]": True,
    }
    assert counts["PERSON"] == 3


def test_errors_inside_masking_surface_as_masking_error(safe_harbor: Masker) -> None:
    class Exploding:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(MaskingError):
        safe_harbor.mask_json({"ssn": Exploding()})


def test_date_objects_under_each_operator() -> None:
    for op, expected in (
        (Operator.GENERALIZE, "1950"),
        (Operator.REDACT, "[DATE]"),
        (Operator.DROP, None),
    ):
        masker = MaskingEngine(_settings(operators={"DATE": op.value}), KEY).masker("p")
        masked, _ = masker.mask_json({"dob": dt.date(1950, 3, 14)})
        assert masked == {"dob": expected}


def test_short_key_rejected() -> None:
    with pytest.raises(MaskingError):
        MaskingEngine(MaskingSettings(), b"short")


def test_profile_defaults() -> None:
    assert ProfileConfig().operator_for("SSN") is Operator.REDACT


@pytest.mark.parametrize(
    ("year", "shown"),
    [(2024, "2024"), (1937, "1937"), (1936, "1936 or earlier"), (1901, "1936 or earlier")],
)
def test_years_that_imply_an_age_over_89_are_aggregated(year: int, shown: str) -> None:
    from phigate.masking.operators import safe_harbor_year

    assert safe_harbor_year(year, today=dt.date(2026, 11, 28)) == shown
