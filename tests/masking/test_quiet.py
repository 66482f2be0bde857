"""The row masker's fast path: a value the finder calls quiet is passed unscanned, so
`quiet` must never be true where `find` would find a span. Checked on random strings
(digests, codes, digit runs, capitalised words, OCR look-alikes) and on every line
and word of the tuning and independent corpora, for every built-in profile."""

from __future__ import annotations

import functools
import hashlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.masking._fastre import Regex
from phigate.masking.detect import _WIDE_SET_SIZE, SpanFinder
from phigate.masking.engine import _BARE_ZIP, Masker, MaskingEngine
from phigate.masking.entities import PERSON, ZIP
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
def test_the_wide_triggers_take_small_sets_and_the_rest_three(finder: SpanFinder) -> None:
    """Each trigger in exactly one RE2 set; those that can start at almost any word
    (`wide`) in small sets of their own, the others in at most three: each further
    set is one more pass over every text, and a big set holding the wide triggers
    builds DFA states for combinations of every trigger's partial matches, slow on
    text it has not seen (docs/masking.md, Speed)."""
    wide = {i for i, c in enumerate(finder._patterns) if c.spec.wide}
    count = len(finder._patterns)
    wide |= {count + i for i, s in enumerate(finder._structures) if s.wide}
    members = [i for indexes, _ in finder._gate for i in indexes]
    assert sorted(members) == list(range(len(finder._gate_patterns)))
    small = [indexes for indexes, _ in finder._gate if set(indexes) <= wide]
    big = [indexes for indexes, _ in finder._gate if not set(indexes) & wide]
    assert len(small) + len(big) == len(finder._gate)
    assert all(len(indexes) <= _WIDE_SET_SIZE for indexes in small)
    assert 1 <= len(big) <= 3
    assert (len(wide) >= 20) == (PERSON in finder._types)


def _each_alone(finder: SpanFinder, data: bytes) -> list[int]:
    """The gate's triggers that occur in `data`, each searched for by itself."""
    return [i for i, r in enumerate(_alone(finder)) if r.search(data) is not None]


@functools.cache
def _alone(finder: SpanFinder) -> list[Regex]:
    return [Regex(p.encode()) for p in finder._gate_patterns]


@pytest.mark.parametrize("finder", _FINDERS)
def test_the_sets_report_what_each_trigger_finds_alone(finder: SpanFinder) -> None:
    """How the triggers are grouped into sets changes no answer: on every line of
    the corpora and every line of them, `hits` lists exactly the triggers that match
    there by themselves."""
    texts = [d.text for d in CorpusGenerator(7).documents(60)]
    texts += [d.text for d in independent_corpus(7, 60)]
    for line in itertools.chain(texts, *(t.splitlines() for t in texts)):
        data = line.encode("utf-8", "surrogatepass")
        assert finder.hits(data) == _each_alone(finder, data), line
