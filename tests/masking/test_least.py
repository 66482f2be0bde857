"""The least match length read from RE2 syntax (phigate.masking._least): the finder
skips a set's pass over a value shorter than every match of its triggers, so the
reading must never be more than a match RE2 can find."""

from __future__ import annotations

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.masking._least import least_bytes
from phigate.masking.detect import SpanFinder
from phigate.masking.engine import MaskingEngine
from phigate.masking.eval.corpus import CorpusGenerator
from phigate.masking.eval.independent import independent_corpus
from phigate.masking.settings import MaskingSettings
from tests.masking.conftest import KEY

_ENGINE = MaskingEngine(MaskingSettings(), KEY)
_FINDERS = [
    f for f in (_ENGINE.masker(p)._finder for p in ("hipaa-safe-harbor", "secrets-only")) if f
]


@pytest.mark.parametrize(
    ("pattern", "least"),
    [
        ("abc", 3),
        ("a|bc", 1),
        ("a*b+c?", 1),
        (r"\d{3}-\d{2,}", 6),
        (r"x{,3}", 5),  # RE2 reads `{,3}` as four literal characters
        (r"\b(?:Mr|Mrs)\.?\s+\p{Lu}\p{Ll}+\b", 5),
        (r"(?i:(?P<v>ab)c)(?:d|)", 3),
        (r"(?m:^\s*$)", 0),
        (r"[[:alpha:]]x", 2),
        (r"[]a]\x{FF}\x41\pL\P{Greek}", 5),
        (r"(?i)ab", 2),
        (r"a+?b{2}?", 3),
        (r"\Qabc\E", 0),  # not read: no skipping on its account
        (r"(a", 0),
        (r"a)", 0),
    ],
)
def test_least_bytes_reads_the_syntax(pattern: str, least: int) -> None:
    assert least_bytes(pattern) == least


_SHORT = st.text(
    alphabet=st.sampled_from(list("0123456789abcxyzABCXYZ@.-_:/ ,()#+éßЖ\t\n")), max_size=14
)
_PATTERNS = st.sampled_from([p for f in _FINDERS for p in f._gate_patterns])


@settings(max_examples=2000, deadline=None)
@given(_PATTERNS, _SHORT)
def test_no_match_is_shorter_than_the_least(pattern: str, text: str) -> None:
    data = text.encode()
    found = re2.compile(pattern.encode()).search(data)
    if found is not None:
        assert found.end() - found.start() >= least_bytes(pattern), (pattern, text)


def _windows(texts: list[str], most: int) -> set[bytes]:
    """Every word, and every run of at most `most` bytes starting at a word's first
    byte: the sizes of short column values."""
    out: set[bytes] = set()
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        out.update(data.split())
        starts = [0] + [i + 1 for i, b in enumerate(data) if b in b" \t\n,;:("]
        for start in starts:
            out.update(data[start : start + n] for n in range(1, most + 1))
    return out


@pytest.mark.parametrize("finder", _FINDERS)
def test_a_skipped_set_would_have_found_nothing(finder: SpanFinder) -> None:
    """Each set run over every short piece of the corpora, including those `hits`
    skips for their length: the skipped ones wake none of its triggers, and `hits`
    lists what the sets report run on everything."""
    docs = CorpusGenerator(7).documents(60) + independent_corpus(7, 60)
    most = max(least for least, _, _ in finder._gate_runs)
    skipped = 0
    for piece in sorted(_windows([d.text for d in docs], most + 1)):
        every: list[int] = []
        for least, indexes, match in finder._gate_runs:
            hit = list(match(piece) or ())
            if len(piece) < least:
                skipped += 1
                assert hit == [], (piece, [indexes[i] for i in hit])
            every.extend(indexes[i] for i in hit)
        assert finder.hits(piece) == sorted(every), piece
    assert skipped > 0  # the check ran on skipped pieces


def test_the_wide_sets_need_more_than_a_code() -> None:
    """The point of it: a one- or two-byte value (a sex, a state) skips the small
    sets of the triggers that can start at any word."""
    finder = _FINDERS[0]
    wide = {i for i, c in enumerate(finder._patterns) if c.spec.wide}
    small = [least for least, indexes, _ in finder._gate_runs if set(indexes) <= wide]
    assert small and min(small) >= 3
