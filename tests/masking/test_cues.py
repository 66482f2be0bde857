"""A pattern searched for in the RE2 sets by its cue (`PatternSpec.cue`,
`Structure.cue`) is still found wherever it occurs: the cue is a run of the
pattern's own pieces (`_least.is_within`), so every match of the pattern holds a
match of the cue, and a text the cue does not wake holds no match of the pattern."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from phigate.masking._fastre import Regex
from phigate.masking._least import is_within
from phigate.masking._patterns import PHI_PATTERNS, SECRET_PATTERNS
from phigate.masking._shapes import PatternSpec
from phigate.masking._structure import STRUCTURES, Structure, json_values
from phigate.masking.detect import SpanFinder, _Compiled
from phigate.masking.engine import MaskingEngine
from phigate.masking.entities import LOCATION
from phigate.masking.eval import agentic, styles
from phigate.masking.eval.corpus import CorpusGenerator
from phigate.masking.eval.independent import independent_corpus
from phigate.masking.settings import MaskingSettings
from tests.masking.conftest import KEY

_CUED = [(s.regex, s.cue) for s in (*SECRET_PATTERNS, *PHI_PATTERNS) if s.cue]
_CUED += [(s.trigger, s.cue) for s in STRUCTURES if s.cue]
_IDS = [cue[:24] for _, cue in _CUED]


def test_the_patterns_that_start_at_any_word_have_cues() -> None:
    places = [s for s in PHI_PATTERNS if s.cue and s.entity == LOCATION]
    assert len(places) >= 9  # towns before a state or a country, institutions, counties
    assert len(_CUED) >= 14


@pytest.mark.parametrize(
    ("pattern", "cue", "expected"),
    [
        (r"(?P<v>\p{Lu}\w+),\s*(?:AL|AK)\b", r",\s*(?:AL|AK)\b", True),
        (r"\b(?P<v>\p{Lu}\w+ (?:Inc|LLC))\b", r" (?:Inc|LLC)\b", True),  # across a group's end
        (r"(?:ab),c", r"b,c", True),  # a group with no `|` and no repetition is its pieces
        (r"x(?:a|b),c", r"b,c", False),  # one branch is not every match
        (r"(?:ab)?,c", r"b,c", False),  # nor is an optional piece
        (r"a+,c", r"a,c", False),  # a piece and its repetition stay whole
        (r"(?i:ab,\s*cd)", r",\s*", False),  # outside its flags a piece reads otherwise
        (r"a(?i)b,c", r",c", False),  # flags for the rest: not read
        (r"a|b,c", r",c", False),  # `|` at the top: "a" holds no cue
        (r"ab\s*", r"\s*", False),  # a cue with an empty match wakes everywhere
        (r"ab", r"abc", False),
        (r"(ab", r"b", False),
    ],
)
def test_is_within(pattern: str, cue: str, expected: bool) -> None:
    assert is_within(pattern, cue) is expected


def test_a_cue_not_in_every_match_is_refused() -> None:
    with pytest.raises(ValueError, match="every match"):
        _Compiled(PatternSpec(LOCATION, r"x(?:a|b),c", cue=r"b,c"))
    with pytest.raises(ValueError, match="every match"):
        Structure(r'"(\w+)"\s*:', json_values, cue=r'"\w')  # `\w+` stays whole


def test_the_sets_search_for_the_cue() -> None:
    finder = MaskingEngine(MaskingSettings(), KEY).masker("hipaa-safe-harbor")._finder
    assert isinstance(finder, SpanFinder)
    gate = finder._gate_patterns
    for regex, cue in _CUED:
        assert cue in gate and regex not in gate, cue


def _holds(regex: Regex, cue: Regex, data: bytes) -> None:
    """Every match of the pattern, and so the text, holds a match of the cue."""
    for found in regex.spans(data):
        start, end = found[0]
        assert cue.search(data, 0) is not None, data
        inside = [f[0] for f in cue.spans(data) if start <= f[0][0] and f[0][1] <= end]
        assert inside, (data[start:end], data)


def _compiled() -> list[tuple[Regex, Regex]]:
    return [(Regex(r.encode()), Regex(c.encode())) for r, c in _CUED]


# Notes in the scripts of rounds 20a's and 20f's patterns (phigate.masking._abroad).
_ABROAD = [
    "王先生自述头痛，由赵女士陪同。",
    "성명: 이서연. 주소: (06236) 서울 강남구 테헤란로 123. 최민수 님, 박지훈(아들) 동행.",
    "Адрес: г. Казань, 420111, ул. Баумана, д. 12.",
    "[48058] 부산 해운대구 우동 1408. 김민준은 어제 내원, 이서연이 동행.",  # round 20f's
    "우 06236 서울 강남구. Domicilio en Zapopan 45010, Jal.",
]


@functools.cache
def _corpora() -> tuple[bytes, ...]:
    texts = [d.text for d in CorpusGenerator(7).documents(200)]
    texts += [d.text for d in independent_corpus(7, 200)]
    texts += [str(r["text"]) for r in styles.corpus(7, 200)]
    texts += [str(r["text"]) for r in agentic.documents(7, 200)]  # firms named for people
    texts += _ABROAD  # no generator writes these scripts
    return tuple(t.encode("utf-8", "surrogatepass") for t in texts)


@pytest.mark.parametrize(("pattern", "cue"), _CUED, ids=_IDS)
def test_the_cue_never_drops_a_match_in_the_corpora(pattern: str, cue: str) -> None:
    regex, cued = Regex(pattern.encode()), Regex(cue.encode())
    for data in _corpora():
        _holds(regex, cued, data)
        for line in data.splitlines():
            _holds(regex, cued, line)


def test_the_corpora_hold_matches_of_most_cued_patterns() -> None:
    """The check above is not empty: most of the patterns occur in the corpora."""
    occurring = [
        pattern
        for pattern, _ in _CUED
        if any(Regex(pattern.encode()).search(data, 0) for data in _corpora())
    ]
    assert len(occurring) >= len(_CUED) - 2


_PIECES = st.sampled_from(
    ["Springfield", "Lake Jacobsborough", "St. Mary's", "New York", "Ohio", "OH", "IL", "Canada",
     "France", "Riverside", "Medical Center", "MEDICAL CENTER", "General", "Mercy", "Inc.",
     "LLC", "Cook", "County", "Hauptstraße", "weg", "5", "02169", "M5V 2T6", "ON", "keoni",
     "dob", "born", "3/14/52", "Keoni Kahananui", "<", ">", "@", "k@x.org", "https", "://",
     "u", "pw", ":", "\"", "name", "12", "Elm", "Row", "Leith", "ſ", "K", "é", "ō", ", ", ",",
     " ", "  ", "\t", "\n", ".", "-", "'", "x", "9"]
)  # fmt: skip


@seed(6262)
@settings(max_examples=2000, deadline=None)
@given(st.lists(_PIECES, max_size=20).map("".join))
def test_the_cue_never_drops_a_match_on_made_up_text(text: str) -> None:
    data = text.encode()
    for regex, cued in _compiled():
        _holds(regex, cued, data)
