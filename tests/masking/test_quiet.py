"""The row masker's fast path: a value the finder calls quiet is passed unscanned, so
`quiet` must never be true where `find` would find a span. Checked on random strings
(digests, codes, digit runs, capitalised words, OCR look-alikes) and on every line
and word of the tuning and independent corpora, for every built-in profile."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.masking.detect import SpanFinder
from phigate.masking.engine import _BARE_ZIP, Masker, MaskingEngine
from phigate.masking.entities import ZIP
from phigate.masking.eval.corpus import CorpusGenerator
from phigate.masking.eval.independent import independent_corpus
from phigate.masking.settings import MaskingSettings
from tests.masking.conftest import KEY

_ENGINE = MaskingEngine(MaskingSettings(), KEY)
_MASKERS = [_ENGINE.masker(p) for p in ("hipaa-safe-harbor", "secrets-only")]
_FINDERS = [m._finder for m in _MASKERS if m._finder is not None]

_HEX = st.text(alphabet="0123456789abcdef", min_size=1, max_size=64)
_DIGITY = st.text(alphabet="0123456789" * 6 + "abcdefOlI-/.: ", min_size=1, max_size=40)
_MIXED = st.text(
    alphabet=st.sampled_from(list("0123456789abcdefxyzABCJKMZ@.-_:/ ,()#+éßЖ")),
    max_size=60,
)
_ANY = st.text(st.characters(codec="utf-8"), max_size=60)


def _agrees(finder: SpanFinder, text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    hits = finder.hits(data)
    assert finder.quiet(data) == (not hits), text
    assert hits == sorted(hits), text  # pattern order, whatever order RE2's sets give
    if not hits:
        assert finder.find(data) == [], text
    else:  # the masker hands `find` the gate's answer instead of scanning again
        assert finder.find(data, hits) == finder.find(data), text


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_HEX, _DIGITY, _MIXED, _ANY))
def test_quiet_values_have_no_spans(text: str) -> None:
    for finder in _FINDERS:
        _agrees(finder, text)


def _pieces(texts: list[str]) -> list[str]:
    """Each text whole, line by line and word by word: the sizes of column values."""
    out: set[str] = set()
    for text in texts:
        lines = text.splitlines()
        out.update([text, *lines, *itertools.chain.from_iterable(s.split() for s in lines)])
    return sorted(out)


@pytest.mark.parametrize("finder", _FINDERS)
def test_quiet_agrees_with_find_on_the_corpora(finder: SpanFinder) -> None:
    docs = CorpusGenerator(7).documents(120) + independent_corpus(7, 120)
    pieces = _pieces([d.text for d in docs])
    quiet = 0
    for piece in pieces:
        _agrees(finder, piece)
        quiet += finder.quiet(piece.encode("utf-8", "surrogatepass"))
    assert 0 < quiet < len(pieces)  # the check ran both ways


@pytest.mark.parametrize("masker", _MASKERS, ids=lambda m: m.profile)
def test_digests_pass_unchanged_and_mostly_unscanned(masker: Masker) -> None:
    assert masker._finder is not None
    digests = [hashlib.md5(str(i).encode()).hexdigest() for i in range(1, 501)]
    quiet = sum(masker._finder.quiet(d.encode()) for d in digests)
    assert quiet > 0.8 * len(digests)
    assert [masker.mask_text(d).text for d in digests] == digests


def test_a_value_with_phi_is_not_quiet() -> None:
    finder = _MASKERS[0]._finder
    assert finder is not None
    for text in ("123-45-6789", "Jane Okafor", "jane@example.org", "D0B: O3/l4/l952"):
        assert not finder.quiet(text.encode()), text
        assert finder.find(text.encode()), text


def _classified_by_every_stage(masker: Masker, text: str) -> str | None:
    """`classify_value` without the quiet pass: what the sampled column must vote."""
    stripped = text.strip()
    if not stripped or len(stripped) > 200:
        return None
    if ZIP in masker.types and _BARE_ZIP.fullmatch(stripped) is not None:
        return ZIP
    data = stripped.encode("utf-8", "surrogatepass")
    spans = masker._find(data, stripped)
    if len(spans) == 1 and spans[0].end - spans[0].start >= 0.8 * len(data):
        return spans[0].entity
    return None


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_HEX, _DIGITY, _MIXED, _ANY, st.integers().map(str)))
def test_a_sampled_value_is_classified_as_by_every_stage(text: str) -> None:
    """A quiet value is classified as no entity at one RE2 pass (a result's first rows
    are sampled on every run of a prepared statement): the answer must not change."""
    for masker in _MASKERS:
        assert masker.classify_value(text) == _classified_by_every_stage(masker, text), text


@pytest.mark.parametrize("finder", _FINDERS)
def test_the_built_in_triggers_take_four_set_passes(finder: SpanFinder) -> None:
    """The triggers in at most four RE2 sets: each further set is one more pass over
    every text, and one set of all of them builds DFA states for combinations of
    every trigger's partial matches, slow on text it has not seen (docs/masking.md)."""
    assert 1 <= len(finder._gate) <= 4
