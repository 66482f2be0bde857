"""The agentic evaluation corpus: reproducible, exactly labelled, complete in styles and types."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from itertools import pairwise
from pathlib import Path
from types import ModuleType

import pytest

from phigate.masking.eval.agentic import PHI_TYPES, STYLES, documents
from phigate.masking.eval.agentic.__main__ import main

SEEDS = [1, 4711, 90210]
BENCH = Path(__file__).resolve().parents[2] / "bench" / "mask_vs_presidio.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mask_vs_presidio", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _spans(doc: dict[str, object], key: str) -> list[tuple[int, int, str]]:
    items = doc[key]
    assert isinstance(items, list)
    return [(int(s["start"]), int(s["end"]), str(s["type"])) for s in items]


def test_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    main(["--seed", "77", "--n", "120", "--out", str(first)])
    main(["--seed", "77", "--n", "120", "--out", str(second)])
    main(["--seed", "78", "--n", "120", "--out", str(other)])
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


@pytest.mark.parametrize("seed", SEEDS)
def test_spans_are_exact_and_phi_spans_do_not_overlap(seed: int) -> None:
    for doc in documents(seed, 340):
        text = str(doc["text"])
        phi, decoys = _spans(doc, "phi"), _spans(doc, "decoys")
        for start, end, _ in phi + decoys:
            value = text[start:end]
            assert 0 <= start < end <= len(text), doc
            assert value == value.strip() and value, (value, doc["kind"])
        ordered = sorted(phi + decoys)
        for (_, end, _), (start, _, _) in pairwise(ordered):
            assert end <= start, (doc["kind"], text)


def test_every_style_is_produced() -> None:
    kinds = {doc["kind"] for doc in documents(3, len(STYLES))}
    assert kinds == set(STYLES)
    assert len(STYLES) >= 10


@pytest.mark.parametrize("seed", SEEDS)
def test_every_phi_type_appears_in_600_documents(seed: int) -> None:
    found = Counter(t for doc in documents(seed, 600) for _, _, t in _spans(doc, "phi"))
    assert set(found) == set(PHI_TYPES)


@pytest.mark.parametrize("seed", SEEDS)
def test_what_safe_harbor_keeps_is_never_labelled_phi(seed: int) -> None:
    """A state, a country, a year alone and an age of 89 or less are decoys, never PHI."""
    for doc in documents(seed, 340):
        text = str(doc["text"])
        for start, end, kind in _spans(doc, "phi"):
            assert kind not in {"STATE", "COUNTRY", "YEAR"}
            if kind == "AGE":
                assert int(text[start:end]) >= 90
        for start, end, kind in _spans(doc, "decoys"):
            if kind == "AGE":
                assert int(text[start:end]) <= 89


def test_the_bench_loads_the_corpus(tmp_path: Path) -> None:
    out = tmp_path / "agentic.jsonl"
    main(["--seed", "5", "--n", "200", "--out", str(out)])
    loaded = _bench().load_jsonl(str(out))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(loaded) == len(records) == 200
    for doc, record in zip(loaded, records, strict=True):
        assert doc.text == record["text"]
        assert doc.phi == _spans(record, "phi")
        assert doc.decoys == _spans(record, "decoys")
