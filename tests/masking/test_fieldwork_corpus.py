"""The fieldwork corpus checks its own labels: reproducible, exact, complete."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.fieldwork import KINDS, generate
from phigate.masking.eval.fieldwork.__main__ import main, to_json

PHI_TYPES = {
    "NAME", "ADDRESS", "CITY", "ZIP", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "SSN", "MRN",
    "HEALTH_PLAN", "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE", "URL", "IP", "BIOMETRIC", "ID",
    "USERNAME", "HOSPITAL", "ORGANIZATION", "PROFESSION",
}  # fmt: skip
_MONTH = (
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|"
    r"(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)"
)
_NUMERIC_DATE = re.compile(r"^(\d{8}(\d{4})?|\d{4}-\d\d-\d\d|\d{1,2}[/.-]\d{1,2}[/.-](\d\d){1,2})$")
_WORDED_DATE = re.compile(rf"^(\d{{1,2}}( de |[ -]))?({_MONTH})\b", re.IGNORECASE)
# Scanned dates may carry O for 0, l for 1, S for 5, B for 8 and a stray space.
_UNSCAN = str.maketrans({"O": "0", "l": "1", "S": "5", "B": "8", " ": None})


def _reads_as_date(value: str) -> bool:
    if _WORDED_DATE.match(value):
        return True
    numeric = re.sub(r" \d\d:\d\d$", "", value).translate(_UNSCAN)
    return _NUMERIC_DATE.match(numeric) is not None


@pytest.fixture(scope="module")
def corpus() -> list[Document]:
    return generate(4343, 600)


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    main(["--seed", "7", "--n", "60", "--out", str(first)])
    main(["--seed", "7", "--n", "60", "--out", str(second)])
    main(["--seed", "8", "--n", "60", "--out", str(other)])
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    assert len(first.read_text(encoding="utf-8").splitlines()) == 60


def test_spans_lie_inside_the_text_and_phi_spans_never_overlap(corpus: list[Document]) -> None:
    for doc in corpus:
        for start, end, _ in doc.phi + doc.decoys:
            assert 0 <= start < end <= len(doc.text), doc.kind
        spans = sorted(doc.phi)
        for before, after in itertools.pairwise(spans):
            assert before[1] <= after[0], (doc.kind, before, after)


def test_labels_cover_values_exactly(corpus: list[Document]) -> None:
    for doc in corpus:
        for start, end, label in doc.phi + doc.decoys:
            value = doc.text[start:end]
            assert value == value.strip(), (doc.kind, label, value)
            assert value[0] not in ",;:\"'" and value[-1] not in ",;:\"'", (label, value)


def test_every_date_label_reads_as_a_date(corpus: list[Document]) -> None:
    for doc in corpus:
        for start, end, label in doc.phi:
            value = doc.text[start:end]
            if label == "DATE":
                assert _reads_as_date(value), (doc.kind, value)


def test_only_ages_above_89_are_phi(corpus: list[Document]) -> None:
    spelled = {"ninety": 90, "one hundred": 100}
    for doc in corpus:
        for start, end, label in doc.phi:
            value = doc.text[start:end]
            if label == "AGE":
                assert int(value) > 89 if value.isdigit() else value.startswith(tuple(spelled))


def test_every_phi_type_and_every_kind_appears(corpus: list[Document]) -> None:
    labels = {label for doc in corpus for _, _, label in doc.phi}
    assert labels == PHI_TYPES
    assert {doc.kind for doc in corpus} == {kind.__name__ for kind in KINDS}
    assert len(KINDS) >= 20


def test_a_corpus_is_mostly_not_phi(corpus: list[Document]) -> None:
    phi_chars = sum(end - start for doc in corpus for start, end, _ in doc.phi)
    assert phi_chars < 0.4 * sum(len(doc.text) for doc in corpus)
    assert sum(1 for doc in corpus if doc.decoys) >= len(corpus) // 3


def test_a_line_is_one_json_object(corpus: list[Document]) -> None:
    line = to_json(corpus[0])
    assert "\n" not in line and line.startswith('{"kind": ')


@pytest.mark.parametrize("value", ["12345", "Monday", "v2.3.1", "555-867-5309", "2024"])
def test_the_date_check_refuses_what_is_no_date(value: str) -> None:
    assert not _reads_as_date(value)
