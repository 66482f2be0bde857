"""The hand-off corpus is checked on its own terms: exact, deterministic, complete labels."""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from pathlib import Path

import pytest

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.handoff import KINDS, PHI_TYPES, generate
from phigate.masking.eval.handoff.__main__ import main

N = 600

_MONTHS = (
    "january february march april may june july august september october november december "
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre "
    "januar februar märz april mai juni juli august september oktober november dezember "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
)
_MONTH_WORDS = set(_MONTHS.split()) | {w[:3] for w in _MONTHS.split()[:12]}
_ORDINAL_WORDS = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"thirtieth)\b"
)
_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NUMBER_WORDS = {
    **{w: i for i, w in enumerate(_DIGITS)},
    "oh": 0,
}


@pytest.fixture(scope="module")
def corpus() -> list[Document]:
    return generate(4242, N)


def _valid(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _is_date(text: str) -> bool:
    """Some written form of a day: numeric in several orders, or a month name and a day."""
    low = text.lower()
    if m := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)(t[\d:]+z)?", low):
        return _valid(int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(19|20)\d\d(\d\d)(\d\d)", low):
        return _valid(int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?", low):
        a, b = int(m[1]), int(m[2])
        return _valid(a, b) or _valid(b, a)
    words = set(re.findall(r"[a-zäéèûô]+", low))
    has_day = bool(re.search(r"\b\d{1,2}(st|nd|rd|th)?\b", low) or _ORDINAL_WORDS.search(low))
    return bool(words & _MONTH_WORDS) and has_day


def _is_old_age(text: str) -> bool:
    if text.isdigit():
        return int(text) > 89
    return text.startswith(("ninety", "one hundred"))


def _phone_digits(text: str) -> int:
    spoken = [w for w in re.split(r"[\s,]+", text) if w in _NUMBER_WORDS]
    return len(re.findall(r"\d", text)) or len(spoken)


_CHECKS = {
    "DATE": _is_date,
    "AGE": _is_old_age,
    "SSN": lambda t: re.fullmatch(r"\d{3}[- ]?\d{2}[- ]?\d{4}", t) is not None,
    "EMAIL": lambda t: re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", t) is not None,
    "PHONE": lambda t: _phone_digits(t) >= 10,
    "FAX": lambda t: _phone_digits(t) >= 10,
    "ZIP": lambda t: (
        re.fullmatch(r"\d{5}(-?\d{4})?|[A-Z]\d[A-Z] \d[A-Z]\d|[A-Z]{1,2}\d{1,2} \d[A-Z]{2}", t)
        is not None
    ),
    "IP": lambda t: ipaddress.ip_address(t) is not None,
    "URL": lambda t: t.startswith("https://") and " " not in t,
    "USERNAME": lambda t: re.fullmatch(r"[a-z0-9._]+", t) is not None,
}


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    for path, seed in ((a, "7"), (b, "7"), (c, "8")):
        assert main(["--seed", seed, "--n", "80", "--out", str(path)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    first = json.loads(a.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"kind", "text", "phi", "decoys"}


def test_spans_lie_inside_the_text_and_never_overlap(corpus: list[Document]) -> None:
    for doc in corpus:
        spans = sorted(doc.phi + doc.decoys)
        for (s1, e1, _), (s2, _, _) in itertools.pairwise(spans):
            assert e1 <= s2, (doc.kind, doc.text[s1:e1])
        for start, end, _ in spans:
            value = doc.text[start:end]
            assert 0 <= start < end <= len(doc.text)
            assert value == value.strip() and value[0] not in ",;:." and value[-1] not in ",;:"


def test_every_phi_type_and_every_kind_appears(corpus: list[Document]) -> None:
    assert {t for doc in corpus for _, _, t in doc.phi} == PHI_TYPES
    assert {doc.kind for doc in corpus} == set(KINDS)
    assert len(KINDS) >= 20


@pytest.mark.parametrize("entity", sorted(_CHECKS))
def test_labels_cover_exactly_the_value(corpus: list[Document], entity: str) -> None:
    values = [d.text[s:e] for d in corpus for s, e, t in d.phi if t == entity]
    assert values
    bad = [v for v in values if not _CHECKS[entity](v)]
    assert not bad, bad[:5]


def test_decoy_ages_are_at_most_89_and_most_text_is_not_phi(corpus: list[Document]) -> None:
    ages = [d.text[s:e] for d in corpus for s, e, k in d.decoys if k == "age"]
    assert ages and all(int(a) <= 89 for a in ages)
    phi_chars = sum(e - s for d in corpus for s, e, _ in d.phi)
    assert phi_chars < 0.5 * sum(len(d.text) for d in corpus)
