"""The optional NER detector (spaCy's small English model) on top of the rules: what it
adds, that its offsets land on the right characters, and that it fails closed."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from phigate.masking import _ner
from phigate.masking.detect import MaskingError
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings

SETTINGS = MaskingSettings.model_validate({"profiles": {"with-ner": {"ner": True}}})


@pytest.fixture(scope="module")
def engine() -> MaskingEngine:
    return MaskingEngine(SETTINGS, os.urandom(32))


@pytest.fixture(scope="module")
def with_ner(engine: MaskingEngine) -> Masker:
    return engine.masker("with-ner")


@pytest.fixture(scope="module")
def rules_only(engine: MaskingEngine) -> Masker:
    return engine.masker("hipaa-safe-harbor")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # no title, cue or dictionary name: the rules cannot tell, the model can
        ("Seen at Cedars; Kowalczyk agreed to the plan.", "Seen at Cedars; [PERSON] agreed"),
        ("Transferred from Mercy General to Springfield.", "to [LOCATION]."),
    ],
)
def test_ner_finds_what_the_rules_miss(
    with_ner: Masker, rules_only: Masker, text: str, masked: str
) -> None:
    assert masked not in rules_only.mask_text(text).text
    assert masked in with_ner.mask_text(text).text


def test_ner_spans_land_on_characters_after_non_ascii_text(with_ner: Masker) -> None:
    text = "the café visit (½ hour) went well; Kowalczyk agreed to the plan."
    expected = "the café visit (½ hour) went well; [PERSON] agreed to the plan."
    assert with_ner.mask_text(text).text == expected


def test_states_stay_as_safe_harbor_allows(with_ner: Masker) -> None:
    assert with_ner.mask_text("She moved from Texas in the spring.").text == (
        "She moved from Texas in the spring."
    )


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_ner, "MODEL_NAMES", ("no_such_model_installed",))
    _ner._load.cache_clear()
    yield
    _ner._load.cache_clear()


def test_a_missing_model_fails_closed(no_model: None) -> None:
    with pytest.raises(MaskingError, match="no spaCy model"):
        MaskingEngine(SETTINGS, os.urandom(32)).masker("with-ner").mask_text("Kowalczyk agreed")
