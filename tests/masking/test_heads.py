"""Patterns run anchored where their head occurs (`PatternSpec.head`) find exactly
what the search over the whole text finds: every match starts with the head, and
`bytes.lower` finds every place it occurs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.masking._fastre import Regex
from phigate.masking._patterns import PHI_PATTERNS, SECRET_PATTERNS
from phigate.masking._shapes import PatternSpec
from phigate.masking.detect import _Compiled
from phigate.masking.entities import PERSON
from phigate.masking.eval.corpus import CorpusGenerator
from phigate.masking.eval.independent import independent_corpus

_HEADED = [s for s in (*SECRET_PATTERNS, *PHI_PATTERNS) if s.head]


def _first_group_has_no_alternative(regex: str) -> bool:
    """Whether the group the pattern opens with has no `|` at its own level: then
    every match of the pattern starts with what the group starts with."""
    depth, i = 0, 0
    in_class = False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return True
        elif char == "|" and depth == 1:
            return False
        i += 1
    return False


def test_some_pattern_has_a_head() -> None:
    assert _HEADED


@pytest.mark.parametrize("spec", _HEADED, ids=lambda s: s.head.decode())
def test_every_match_starts_with_the_head(spec: PatternSpec) -> None:
    assert spec.regex.startswith(rf"(?i:\b{spec.head.decode()}")
    assert _first_group_has_no_alternative(spec.regex)


def test_a_head_whose_case_leaves_ascii_is_refused() -> None:
    for head in (b"pass", b"kin", b"Name", b"n\xc3\xa9"):
        with pytest.raises(ValueError, match="head"):
            _Compiled(PatternSpec(PERSON, rf"(?i:\b{head.decode()})", head=head))


def _agree(spec: PatternSpec, data: bytes) -> None:
    regex = Regex(spec.regex.encode())
    assert list(regex.spans_at(data, spec.head)) == list(regex.spans(data)), data


@pytest.mark.parametrize("spec", _HEADED, ids=lambda s: s.head.decode())
def test_anchored_at_the_head_finds_what_the_search_finds(spec: PatternSpec) -> None:
    texts = [d.text for d in CorpusGenerator(7).documents(150)]
    texts += [d.text for d in independent_corpus(7, 150)]
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        _agree(spec, data)
        for line in data.splitlines():
            _agree(spec, line)


_PIECES = st.sampled_from(
    ["name", "NAME", "Name", "nAmE", "sur", " ", "  ", "\t", "\n", "of ", "is ", '"', "“", "”",
     "O'Brien", "Nguyen-Tran", "ō", "é", "-", ".", "x", "9", "ſ", "K"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=16).map("".join))
def test_anchored_agrees_on_made_up_text(text: str) -> None:
    for spec in _HEADED:
        _agree(spec, text.encode())
