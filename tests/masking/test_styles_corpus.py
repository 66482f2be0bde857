"""The independent style corpus: deterministic, exact spans, every style and type present."""

from __future__ import annotations

import importlib.util
import json
import random
import re
from datetime import date
from itertools import pairwise
from pathlib import Path
from types import ModuleType

import pytest

from phigate.masking.eval import styles
from phigate.masking.eval.styles import PHI_TYPES, STYLES, corpus, main
from phigate.masking.eval.styles.prose import spelled, spoken_date, spoken_digits

BENCH = Path(__file__).resolve().parents[2] / "bench" / "mask_vs_presidio.py"


@pytest.fixture(scope="module")
def docs() -> list[dict[str, object]]:
    return corpus(seed=5, n=600)


def _spans(doc: dict[str, object], key: str) -> list[tuple[int, int, str]]:
    items = doc[key]
    assert isinstance(items, list)
    return [(item["start"], item["end"], item["type"]) for item in items]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mask_vs_presidio", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_same_seed_writes_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"]
    for path, seed in zip(paths, ("9", "9", "10"), strict=True):
        assert main(["--seed", seed, "--n", "45", "--out", str(path)]) == 0
    first, second, other = (path.read_bytes() for path in paths)
    assert first == second
    assert first != other
    assert len(first.splitlines()) == 45


def test_spans_are_exact_in_bounds_and_phi_does_not_overlap(docs: list[dict[str, object]]) -> None:
    for doc in docs:
        text = doc["text"]
        assert isinstance(text, str)
        phi, decoys = _spans(doc, "phi"), _spans(doc, "decoys")
        for start, end, _ in phi + decoys:
            assert 0 <= start < end <= len(text)
            assert text[start:end].strip(), (doc["kind"], start, end)
        ordered = sorted(phi + decoys)
        for (_, end, _), (start, _, _) in pairwise(ordered):
            assert end <= start, doc["kind"]


def test_every_style_is_produced_equally(docs: list[dict[str, object]]) -> None:
    counts = {kind: sum(1 for d in docs if d["kind"] == kind) for kind in STYLES}
    assert set(counts) == {d["kind"] for d in docs}
    assert min(counts.values()) >= 600 // len(STYLES)


def test_every_phi_type_and_the_safe_harbor_decoys_appear(docs: list[dict[str, object]]) -> None:
    phi_types = {t for d in docs for _, _, t in _spans(d, "phi")}
    decoy_types = {t for d in docs for _, _, t in _spans(d, "decoys")}
    assert phi_types == PHI_TYPES
    assert {
        "STATE",
        "COUNTRY",
        "YEAR",
        "AGE",
        "EPONYM",
        "DRUG",
        "SYNTAX",
        "RESOURCE_TYPE",
    } <= decoy_types
    assert not {"STATE", "COUNTRY", "YEAR"} & phi_types


def test_numeric_ages_split_at_ninety(docs: list[dict[str, object]]) -> None:
    """Safe Harbor: ages over 89 are PHI, younger ages are not."""
    seen = {"phi": 0, "decoys": 0}
    for doc in docs:
        text = str(doc["text"])
        for key in seen:
            for start, end, kind in _spans(doc, key):
                if kind == "AGE" and text[start:end].isdigit():
                    seen[key] += 1
                    assert (int(text[start:end]) > 89) == (key == "phi")
    assert seen["phi"] > 0 and seen["decoys"] > 0


def test_structured_styles_are_well_formed(docs: list[dict[str, object]]) -> None:
    for doc in docs:
        text = str(doc["text"])
        if doc["kind"] == "fhir_r4":
            assert json.loads(text)["resourceType"] in {"Bundle", "Patient"}
        elif doc["kind"] == "hl7v2":
            segments = [s for s in re.split(r"\r\n|\r|\n", text) if s]
            assert segments[0].startswith("MSH|^~\\&|")
            assert all(re.fullmatch(r"[A-Z][A-Z0-9]{2}", s[:3]) for s in segments)
        elif doc["kind"] == "app_log":
            for line in text.splitlines():
                if line.startswith("{"):
                    assert "user" in json.loads(line)


def test_the_bench_loader_reads_the_file(tmp_path: Path) -> None:
    out = tmp_path / "styles.jsonl"
    main(["--seed", "3", "--n", "30", "--out", str(out)])
    loaded = _bench().load_jsonl(str(out))
    expected = corpus(seed=3, n=30)
    assert [d.text for d in loaded] == [d["text"] for d in expected]
    assert [d.phi for d in loaded] == [_spans(d, "phi") for d in expected]
    assert [d.decoys for d in loaded] == [_spans(d, "decoys") for d in expected]


def test_spoken_forms_read_as_a_caller_says_them() -> None:
    assert spoken_digits("(617) 555-0123") == "six one seven, five five five, zero one two three"
    assert spelled("O'Brien") == "O-B-R-I-E-N"
    said = spoken_date(date(1942, 3, 3), random.Random(0))
    assert said in {"March third, nineteen forty-two", "the third of March, nineteen forty-two"}
    assert spoken_date(date(2005, 12, 31), random.Random(1)).endswith("two thousand five")
    assert styles.__doc__ is not None and "Safe Harbor" in styles.__doc__
