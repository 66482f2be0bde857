"""Every text of the golden corpus still gets exactly its recorded classification.

`golden/classifications.json` (written by `tests/sql/golden_corpus.py`) holds, for
about 1,400 statements from the tests, the docs, the demo and the adversarial
grammar, every field the classifier gives. A rewrite of the walk must not change
one of them; a deliberate change of classification regenerates the file, and
the diff shows every text it affects.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .golden_corpus import GOLDEN, demo_catalog, record


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


def test_the_corpus_covers_every_class(golden: dict[str, Any]) -> None:
    risks = {entry["plain"]["risk"] for entry in golden.values()}
    assert risks >= {"read", "write", "export", "ddl", "privilege", "admin", "unknown"}
    assert len(golden) > 1000


def test_every_text_keeps_its_classification(golden: dict[str, Any]) -> None:
    catalog = demo_catalog()
    changed = [text for text, expected in golden.items() if record(text, catalog) != expected]
    assert not changed, f"{len(changed)} texts changed classification, first: {changed[:3]!r}"
