"""`SpanFinder.quiet_many`: the values of a batch joined and scanned once must give,
for every value, the answer `quiet` gives it alone, or `True` where its one trigger
is a lone OCR token, and then `find` must find nothing (phigate.masking._quiet_batch).
Checked on random batches of digests, codes, PHI and values that sit against the
separator's edges (anchors, `\\z`, trailing words), and on the corpora's pieces."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.masking._quiet_batch import SEPARATOR, joinable
from phigate.masking.detect import SpanFinder, _scanned, ocr_normal
from phigate.masking.engine import MaskingEngine
from phigate.masking.entities import BUILTIN_TYPES
from phigate.masking.eval.corpus import CorpusGenerator
from phigate.masking.settings import CustomIdentifier, MaskingSettings
from tests.masking.conftest import KEY

_ENGINE = MaskingEngine(MaskingSettings(), KEY)
_FINDERS = [
    m._finder
    for m in (_ENGINE.masker("hipaa-safe-harbor"), _ENGINE.masker("secrets-only"))
    if m._finder is not None
]

# Values whose trigger leans on the text's start or end, or on what follows them.
_EDGES = [
    "visiting Boston",
    "from Springfield",
    "spoke with jane",
    "she is 42",
    "age 91.",
    "works as a nurse",
    "Acme Logistics",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\nMIIEv",
    "02139 Boston",
    "#A12345678",
    "12345678",
    "MSH|^~\\&|EPIC",
    "PID|1||12345",
    "name,dob,ssn,zip\nJane,1980-01-02,123-45-6789,02139",
    "a,b,c,d\ne,f,g,h",
    '"patient": "Jane Doe"',
    "Jane Okafor",
    "D0B: O3/l4/l952",
    "123-45-6789",
    "jane@example.org",
    "https://example.org/x",
    "api_key=abc123def456",
    "O1",
    "l0l",
    "",
    "\n",
    "\x00",
    " ",
    "x\n",
    "Caller: 4 5 6 7",
    "[10:02] Pt: 555 12 34",
    "one two three four five six seven",
    "al-Rashid",
    "'Okafor",
]
_HEX = st.text(alphabet="0123456789abcdef", min_size=1, max_size=40)
_MIXED = st.text(
    alphabet=st.sampled_from(list("0123456789abcdefOlIxyzABJKZ@.-_:/ ,()#|\n\t+é")),
    max_size=40,
)
_VALUE = st.one_of(_HEX, _MIXED, st.sampled_from(_EDGES), st.text(max_size=30))


def _alone(finder: SpanFinder, value: bytes) -> bool:
    """What `quiet_many` must answer for one value: `quiet`, or its one trigger OCR
    tokens: a lone one (no scan: `_scanned` needs two), or a scan whose reading back
    (`ocr_normal`) has no other trigger."""
    if finder.quiet(value):
        return True
    ocr = finder._ocr_index
    if finder.hits(value) != [ocr]:
        return False
    return not _scanned(value) or set(finder.hits(ocr_normal(value))) <= {ocr}


def _check(finder: SpanFinder, texts: list[str]) -> None:
    values = [t.encode("utf-8", "surrogatepass") for t in texts]
    answers = finder.quiet_many(values)
    assert answers == [_alone(finder, v) for v in values], texts
    for value, blank in zip(values, answers, strict=True):
        assert not blank or finder.find(value) == [], value  # what the answer promises


@settings(max_examples=1500, deadline=None)
@given(st.lists(_VALUE, max_size=40))
def test_a_batch_is_answered_as_each_value_alone(texts: list[str]) -> None:
    for finder in _FINDERS:
        _check(finder, texts)


@pytest.mark.parametrize("finder", _FINDERS)
def test_edge_values_between_digests(finder: SpanFinder) -> None:
    """Each edge value first, last and between quiet values, where a lost `^`, `$` or
    `\\z` would hide its trigger."""
    digests = [hashlib.md5(str(i).encode()).hexdigest() for i in range(1, 6)]
    for edge in _EDGES:
        _check(finder, [edge, *digests])
        _check(finder, [*digests, edge])
        _check(finder, [*digests[:2], edge, *digests[2:]])
        _check(finder, [edge, edge])


@pytest.mark.parametrize("finder", _FINDERS)
def test_the_corpus_in_batches(finder: SpanFinder) -> None:
    pieces = sorted(
        {
            w
            for d in CorpusGenerator(11).documents(60)
            for line in d.text.splitlines()
            for w in (line, *line.split())
        }
    )
    for start in range(0, len(pieces), 64):
        _check(finder, pieces[start : start + 64])


@pytest.mark.parametrize("finder", _FINDERS)
def test_a_digest_with_one_ocr_token_is_blank_and_with_two_is_detected(finder: SpanFinder) -> None:
    """`ab0cd` (two letters, 0 or 1, two letters) is an OCR token: about one md5 digest
    in fifteen holds one, and alone it starts nothing. Two make the text a scan, read
    back as `ocr_normal` reads it, and that reading's triggers start detection: a
    digest's reading has none but OCR tokens; a scanned date of birth has more."""
    one, two, none = b"5d41ab0cd2a76b9e", b"ab0cd5d41ef1ab76", b"5d41402abc4b2a76"
    scan = b"D0B: O3/l4/l952"
    assert not any(finder.quiet(v) for v in (one, two, scan)) and finder.quiet(none)
    expected = [True, True, True, finder is _FINDERS[1], True]  # secrets-only: no dates
    assert finder.quiet_many([none, one, two, scan, none]) == expected
    if finder is _FINDERS[0]:
        assert finder.find(scan) != []
    digests = [hashlib.md5(str(i).encode()).hexdigest().encode() for i in range(2000)]
    answers = finder.quiet_many(digests)
    lone = [d for d, q in zip(digests, answers, strict=True) if q and not finder.quiet(d)]
    assert len(lone) > 50  # the stream's case is exercised
    assert all(finder.find(d) == [] for d in lone)


def test_the_built_in_triggers_can_be_joined() -> None:
    """If a trigger changes into a form `joinable` has not reviewed, batching turns
    off (correct, but the stream slows down): this says so."""
    for finder in _FINDERS:
        assert finder._batch is not None


@pytest.mark.parametrize(
    "pattern",
    [r"^MRN\d+$", r"MRN\d+\z", r"\AMRN", r"(?m:^a$)|^b", r"(?m:^a(?-m:$))", r"x(?m)^y"],
)
def test_a_trigger_on_the_texts_own_ends_is_not_joined(pattern: str) -> None:
    assert not joinable([pattern])


@pytest.mark.parametrize("pattern", [r"[\^$]MRN", r"\$\d+", r"\bMRN\d+\b", r"(?m:^a,b$)", r"[$^]+"])
def test_literal_carets_and_dollars_are_no_anchors(pattern: str) -> None:
    assert joinable([pattern])


def test_an_anchored_custom_identifier_turns_batching_off_and_answers_alike() -> None:
    ident = CustomIdentifier(type="MRN", pattern=r"^Q\d{3}$")
    values = [b"Q123", b"abc", b"Q12", b"Q123"]
    for types in (frozenset(BUILTIN_TYPES), frozenset({"MRN"})):
        finder = SpanFinder(types, [ident])
        assert finder._batch is None
        assert finder.quiet_many(values) == [finder.quiet(v) for v in values]
        assert finder.quiet_many(values)[0] is False
    # Why: joined, the trigger no longer holds where it held alone.
    assert finder.quiet(SEPARATOR.join([b"abc", b"Q123"])) is True


@pytest.mark.parametrize("then", [[], [b"one value"]])
def test_priming_too_few_values_forgets_the_last_batch(then: list[bytes]) -> None:
    """`Masker.prime` keeps only the last batch: a later call, even one that primes
    nothing, replaces it, so another result's values are never known quiet here."""
    masker = MaskingEngine(MaskingSettings(), KEY).masker("hipaa-safe-harbor")
    masker.prime([b"\xfe\x99-\t\xa6", b"quiet words"])
    assert masker.known_quiet
    masker.prime(then)
    assert masker.known_quiet == frozenset()
