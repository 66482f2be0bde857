"""Patterns run anchored where their head matches (`PatternSpec.head`) find exactly
what the search over the whole text finds: the pattern is the head followed by
more, so every match starts where a match of the head starts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.masking._fastre import Regex
from phigate.masking._least import is_head
from phigate.masking._patterns import PHI_PATTERNS, SECRET_PATTERNS
from phigate.masking._shapes import PatternSpec
from phigate.masking.detect import _Compiled
from phigate.masking.entities import PERSON
from phigate.masking.eval.corpus import CorpusGenerator
from phigate.masking.eval.independent import independent_corpus

_HEADED = [s for s in (*SECRET_PATTERNS, *PHI_PATTERNS) if s.head]
_IDS = [s.head[:24] for s in _HEADED]


def test_the_large_cue_patterns_have_heads() -> None:
    assert len(_HEADED) >= 3


@pytest.mark.parametrize(
    ("pattern", "head", "expected"),
    [
        (r"(?i:\bname\s+)x+", r"(?i:\bname\s+)", True),
        (r"(?i:\bname\s+)x+", r"(?i:\bname", False),  # not a whole piece
        (r"(?i:\bname)?x", r"(?i:\bname)", False),  # its repetition goes with it
        (r"(?i:\bname)x|y", r"(?i:\bname)", False),  # "y" starts elsewhere
        (r"(?:a|b)c", r"(?:a|b)", True),
        (r"ab", r"b", False),
        (r"a?", r"a?", False),  # an empty match
        (r"\bab\b", r"\bab", True),
        (r"(a", r"(a", False),
    ],
)
def test_is_head(pattern: str, head: str, expected: bool) -> None:
    assert is_head(pattern, head) is expected


def test_a_head_not_where_matches_start_is_refused() -> None:
    with pytest.raises(ValueError, match="every match starts"):
        _Compiled(PatternSpec(PERSON, r"(?i:\bname)x|y", head=r"(?i:\bname)"))


def _agree(spec: PatternSpec, data: bytes) -> None:
    compiled = _Compiled(spec)
    searched = Regex(spec.regex.encode())
    assert list(compiled.spans(data)) == list(searched.spans(data)), data
    for pos in (0, 1, len(data) // 2):
        assert compiled.search(data, pos) == searched.search(data, pos), (data, pos)


@pytest.mark.parametrize("spec", _HEADED, ids=_IDS)
def test_anchored_at_the_head_finds_what_the_search_finds(spec: PatternSpec) -> None:
    texts = [d.text for d in CorpusGenerator(7).documents(150)]
    texts += [d.text for d in independent_corpus(7, 150)]
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        _agree(spec, data)
        for line in data.splitlines():
            _agree(spec, line)


_PIECES = st.sampled_from(
    ["name", "NAME", "Name", "ſ", "K", "sur", "pt", "Mr", "spoke with", "PASSWORD", "token", "is",
     "of", " ", "  ", "\t", "\n", ":", "=", '"', "“", "”", "'", "O'Brien", "maria", "lopez", "ō",
     "é", "-", ".", ",", "x", "9", "hunter2"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=16).map("".join))
def test_anchored_agrees_on_made_up_text(text: str) -> None:
    for spec in _HEADED:
        _agree(spec, text.encode())
