"""The front-desk corpus is well formed: deterministic, exact spans, every type and kind present."""

from __future__ import annotations

import datetime
import itertools
import re
from functools import cache
from pathlib import Path

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.frontdesk import KINDS, generate, to_json
from phigate.masking.eval.frontdesk.__main__ import main

PHI_TYPES = {
    "NAME", "ADDRESS", "CITY", "ZIP", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "SSN", "MRN",
    "HEALTH_PLAN", "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE", "URL", "IP", "BIOMETRIC", "ID",
    "USERNAME", "HOSPITAL", "ORGANIZATION", "PROFESSION",
}  # fmt: skip

_NUMERIC_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%d-%b-%Y", "%b %d %Y", "%B %d, %Y",
                    "%Y%m%d", "%d.%m.%Y", "%d/%m/%Y")  # fmt: skip
_LOCAL_MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "tl": "Enero Pebrero Marso Abril Mayo Hunyo Hulyo Agosto Setyembre Oktubre Nobyembre Disyembre",
}
_LOCAL_PATTERNS = (
    re.compile(r"(?P<d>\d{1,2})\. (?P<m>\w+) (?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2}) (?:de )?(?P<m>\w+) (?:de )?(?P<y>\d{4})"),
    re.compile(r"(?P<m>\w+) (?P<d>\d{1,2}), (?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2}) tháng (?P<m>\d{1,2}) năm (?P<y>\d{4})"),
)
_WORD_AGES = {"ninety": 90, "one hundred": 100}
_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@cache
def _corpus() -> tuple[Document, ...]:
    return tuple(generate(4545, 600))


def _month(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    for names in _LOCAL_MONTHS.values():
        if word in names.split():
            return names.split().index(word) + 1
    return None


def _parses_as_date(value: str) -> bool:
    for fmt in _NUMERIC_FORMATS:
        try:
            datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return True
    for pattern in _LOCAL_PATTERNS:
        found = pattern.fullmatch(value)
        month = _month(found["m"]) if found else None
        if found and month:
            datetime.date(int(found["y"]), month, int(found["d"]))
            return True
    return False


def _age(value: str) -> int:
    if value.isdigit():
        return int(value)
    for tens, base in _WORD_AGES.items():
        if value == tens:
            return base
        for i, one in enumerate(_ONES, start=1):
            if value in (f"{tens}-{one}", f"{tens} and {one}"):
                return base + i
    raise AssertionError(f"age {value!r} is neither digits nor words")


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert main(["--seed", "11", "--n", "70", "--out", str(first)]) == 0
    main(["--seed", "11", "--n", "70", "--out", str(second)])
    main(["--seed", "12", "--n", "70", "--out", str(other)])
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    assert len(first.read_text(encoding="utf-8").splitlines()) == 70


def test_spans_lie_inside_the_text_and_never_overlap() -> None:
    for doc in _corpus():
        spans = sorted([*doc.phi, *doc.decoys])
        for start, end, _ in spans:
            assert 0 <= start < end <= len(doc.text), (doc.kind, start, end)
        for (_, end, _), (start, _, _) in itertools.pairwise(spans):
            assert end <= start, (doc.kind, doc.text[start - 20 : start + 20])


def test_every_phi_type_and_every_kind_appears_in_600_documents() -> None:
    docs = _corpus()
    assert {t for doc in docs for _, _, t in doc.phi} == PHI_TYPES
    assert {doc.kind for doc in docs} == set(KINDS)
    assert len(KINDS) >= 20


def test_labels_cover_the_value_exactly() -> None:
    for doc in _corpus():
        for start, end, label in [*doc.phi, *doc.decoys]:
            value = doc.text[start:end]
            assert value == value.strip() and value, (doc.kind, label, value)
        for start, end, label in doc.phi:
            value = doc.text[start:end]
            # Punctuation around a value stays outside its label; "+1" and "(415)" belong to it.
            opens = "+(" if label in ("PHONE", "FAX") else ""
            assert value[0].isalnum() or value[0] in opens, (doc.kind, label, value)
            assert value[-1].isalnum(), (doc.kind, label, value)
            if label == "DATE":
                assert _parses_as_date(value), (doc.kind, value)
            if label == "AGE":
                assert _age(value) > 89, (doc.kind, value)


def test_most_characters_are_not_phi_and_decoys_are_common() -> None:
    docs = _corpus()
    phi_chars = sum(end - start for doc in docs for start, end, _ in doc.phi)
    assert phi_chars < 0.5 * sum(len(doc.text) for doc in docs)
    assert sum(1 for doc in docs if doc.decoys) > len(docs) / 3


def test_json_lines_carry_the_documented_fields() -> None:
    doc = _corpus()[0]
    line = to_json(doc)
    assert line.startswith('{"kind": ') and '"phi": [[' in line and '"decoys": [' in line
