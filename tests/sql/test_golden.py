"""Every text of the golden corpus still gets exactly its recorded classification.

`golden/classifications/*.jsonl` (written by `tests/sql/golden_corpus.py`) holds, for
about 2,000 statements from the tests, the docs, the demo and the adversarial
grammar, every field the classifier gives. A rewrite of the walk must not change
one of them; a deliberate change of classification regenerates the file, and
the diff shows every text it affects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .golden_corpus import GOLDEN, demo_catalog, dump, load, record


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return load()


def test_the_corpus_covers_every_class(golden: dict[str, Any]) -> None:
    risks = {entry["plain"]["risk"] for entry in golden.values()}
    assert risks >= {"read", "write", "export", "ddl", "privilege", "admin", "unknown"}
    assert len(golden) > 1000


def test_every_text_keeps_its_classification(golden: dict[str, Any]) -> None:
    catalog = demo_catalog()
    changed = [text for text, expected in golden.items() if record(text, catalog) != expected]
    assert not changed, f"{len(changed)} texts changed classification, first: {changed[:3]!r}"


def test_the_golden_files_are_exactly_what_recording_writes(
    golden: dict[str, Any], tmp_path: Path
) -> None:
    """Recording the same records again gives the same bytes, so a diff shows only changes."""
    dump(golden, tmp_path)
    written = {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir())}
    stored = {p.name: p.read_bytes() for p in sorted(GOLDEN.iterdir())}
    assert written == stored


def test_no_golden_file_outgrows_the_repository_limit() -> None:
    """The repository flags files over 2 MB; one file per risk class stays well under."""
    sizes = {p.name: p.stat().st_size for p in GOLDEN.glob("*.jsonl")}
    assert len(sizes) == 7
    assert max(sizes.values()) < 2_000_000, sizes
