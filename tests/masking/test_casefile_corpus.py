"""The case-file corpus is deterministic, its labels are exact, and it covers every
PHI type and document kind."""

from __future__ import annotations

import json
import re
from functools import cache
from itertools import pairwise
from pathlib import Path

from phigate.masking.eval.casefile import MAKERS, PHI_TYPES, generate, to_jsonl
from phigate.masking.eval.casefile.__main__ import main

MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
    r"|janvye|fevriye|mas|avril|me|jen|jiyè|out|septanm|oktòb|novanm|desanm"
    r"|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada"
    r"|grudnia|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
)
DATE_FORMS = [
    re.compile(p)
    for p in (
        r"\d{1,2}/\d{1,2}/(\d{2}|\d{4})",
        r"\d{1,2}/\d{1,2}",
        r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[-+]\d{2}:\d{2})?",
        r"\d{8}(\d{4})?",
        r"\d{2}\.\d{2}\.\d{4}",
        rf"{MONTH} \d{{1,2}}, \d{{4}}",
        rf"\d{{1,2}}[ -]{MONTH}[ -]\d{{4}}",
        rf"\d{{1,2}} de {MONTH} de \d{{4}}",
        r"\d{4}年\d{1,2}月\d{1,2}日",
        r"\d{4}년 \d{1,2}월 \d{1,2}일",
    )
]


@cache
def corpus() -> tuple[dict[str, object], ...]:
    return tuple(json.loads(line) for line in to_jsonl(generate(4747, 600)).splitlines())


def spans(doc: dict[str, object], key: str) -> list[tuple[int, int, str]]:
    return [(int(s), int(e), str(t)) for s, e, t in doc[key]]  # type: ignore[attr-defined]


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["--seed", "11", "--n", "80", "--out", str(first)]) == 0
    assert main(["--seed", "11", "--n", "80", "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert to_jsonl(generate(12, 80)) != first.read_text(encoding="utf-8")


def test_spans_lie_inside_the_text_and_phi_spans_do_not_overlap() -> None:
    for doc in corpus():
        text = str(doc["text"])
        everything = sorted(spans(doc, "phi") + spans(doc, "decoys"))
        for (s1, e1, _), (s2, _e2, _) in pairwise(everything):
            assert e1 <= s2, (doc["kind"], text[s1:e1], text[s2:_e2])
        assert all(0 <= s < e <= len(text) for s, e, _ in everything)


def test_labels_cover_the_value_exactly() -> None:
    for doc in corpus():
        text = str(doc["text"])
        for start, end, label in spans(doc, "phi") + spans(doc, "decoys"):
            value = text[start:end]
            assert value == value.strip(), (label, value)
            assert value[0] not in ",;:" and value[-1] not in ",;:(", (label, value)
            assert value.count("(") == value.count(")"), (label, value)
            # A label takes the whole token: no letter or digit runs on past either end.
            before, after = text[start - 1 : start], text[end : end + 1]
            assert not before.isalnum() and not after.isalnum(), (label, before, value, after)


def test_every_date_span_reads_as_a_date() -> None:
    for doc in corpus():
        text = str(doc["text"])
        for start, end, label in spans(doc, "phi"):
            if label == "DATE":
                value = text[start:end]
                assert any(form.fullmatch(value) for form in DATE_FORMS), value


def test_ages_are_over_89_and_every_type_and_kind_appears() -> None:
    seen_types: set[str] = set()
    for doc in corpus():
        text = str(doc["text"])
        for start, end, label in spans(doc, "phi"):
            seen_types.add(label)
            digits = "".join(c for c in text[start:end] if c.isdigit())
            if label == "AGE" and digits:
                assert int(digits) > 89
    assert seen_types == set(PHI_TYPES)
    kinds = {doc["kind"] for doc in corpus()}
    assert len(kinds) == len(MAKERS) >= 20


def test_most_characters_are_not_phi() -> None:
    total = sum(len(str(doc["text"])) for doc in corpus())
    phi = sum(e - s for doc in corpus() for s, e, _ in spans(doc, "phi"))
    assert phi / total < 0.5
