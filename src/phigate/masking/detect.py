"""Detection: find entity spans in UTF-8 bytes with one RE2 set pass, then the
patterns that hit, the name detector, and the optional NER detector.

One `re2.Set` pass over the text tells which patterns occur at all; only those
run to find their spans. RE2 guarantees time linear in the input for every
pattern, so no input can make a detector backtrack.
"""

from __future__ import annotations

import functools
import itertools
import operator
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import re2

from phigate.masking._decoys import country_after_preposition, without_decoys
from phigate.masking._drug_codes import labelled_drug_code
from phigate.masking._fastre import Regex
from phigate.masking._hl7 import coded_field
from phigate.masking._layouts import LAYOUTS
from phigate.masking._least import is_head, is_within, least_bytes
from phigate.masking._names import (
    NAME_WORD,
    NameDetector,
    name_parts,
    parts_everywhere,
)
from phigate.masking._patterns import PHI_PATTERNS, SECRET_PATTERNS, PatternSpec
from phigate.masking._plan_names import payer_code, plan_column, plan_name
from phigate.masking._quiet_batch import QuietBatch, joinable
from phigate.masking._shapes import STATE_SET
from phigate.masking._span import Span as Span  # its home before it had one of its own
from phigate.masking._structure import STRUCTURES, Structure
from phigate.masking._system_times import message_id, system_id, system_number, system_time
from phigate.masking._wordlists import common_words, person_names
from phigate.masking._words import Words
from phigate.masking._x12 import party_reference
from phigate.masking.entities import (
    DATE,
    EMAIL,
    HEALTH_PLAN_ID,
    ID,
    LOCATION,
    MRN,
    PERSON,
    PHI_TYPES,
    RANK,
    URL,
    rank,
)
from phigate.masking.settings import CustomIdentifier


class MaskingError(Exception):
    """Masking failed; the action must fail closed and nothing may leave."""


class _Compiled:
    __slots__ = ("groups", "regex", "search", "spans", "spec")

    def __init__(self, spec: PatternSpec) -> None:
        self.spec = spec
        self.regex = Regex(spec.regex.encode())
        self.groups = tuple((self.regex.groupindex[g], t) for g, t in spec.groups)
        self.spans: Callable[[bytes], Iterator[list[Any]]] = self.regex.spans
        self.search: Callable[[bytes, int], list[Any] | None] = self.regex.search
        if spec.cue and not is_within(spec.regex, spec.cue):
            raise ValueError(f"not held by every match: {spec.cue!r}")
        if spec.head:
            if not is_head(spec.regex, spec.head):
                raise ValueError(f"not where every match starts: {spec.head!r}")
            head = Regex(spec.head.encode())
            after = self.regex.spans_after
            self.spans = functools.partial(after, head=head)
            self.search = lambda data, pos: next(after(data, head, pos), None)


class SpanFinder:
    """All rule-based detectors for one set of entity types, compiled once."""

    def __init__(self, types: frozenset[str], identifiers: Sequence[CustomIdentifier]) -> None:
        specs = [s for s in (*SECRET_PATTERNS, *PHI_PATTERNS) if _wanted(s, types)]
        specs.extend(_custom_specs(identifiers, types))
        self._patterns = [_Compiled(s) for s in specs]
        self._structures: list[Structure] = [*STRUCTURES, *LAYOUTS] if types & PHI_TYPES else []
        self._types = types
        # A pattern's cue stands for it where it has one (`PatternSpec.cue`): it occurs
        # wherever the pattern does.
        triggers = [c.spec.cue or c.spec.regex for c in self._patterns]
        triggers += [s.cue or s.trigger for s in self._structures]
        self._names = NameDetector() if PERSON in types else None
        # Everything `find` starts from, in one pass (see `quiet`): the triggers, then
        # the OCR confusion that makes a text a scan, a compatibility form that NFKC
        # folds to ASCII, and the word a name starts from.
        self._ocr_index = len(triggers)
        self._fold_index = len(triggers) + 1
        self._name_index = len(triggers) + 2 if self._names else -1
        starts = [
            _OCR_TOKEN.pattern,
            _FOLDABLE.pattern,
            *([NAME_WORD.pattern] if self._names else []),
        ]
        gate = triggers + [p.decode("latin-1") for p in starts]
        wide = [c.spec.wide for c in self._patterns] + [s.wide for s in self._structures]
        self._gate_patterns = gate
        self._gate = _pattern_sets(gate, wide)
        self._gate_matches = [_raw_match(gate) for _, gate in self._gate]
        self._gate_indexes = [indexes for indexes, _ in self._gate]
        # Each set with the fewest bytes a match of its triggers spans: a shorter value
        # cannot wake it, and is not handed to it (most values of a result are a few
        # bytes, and each set pass costs a call into RE2 whatever the length).
        self._gate_runs = [
            (min(least_bytes(gate[i]) for i in indexes), indexes, match)
            for indexes, match in zip(self._gate_indexes, self._gate_matches, strict=True)
        ]
        self._batch = (
            QuietBatch(
                gate,
                list(zip(self._gate_indexes, self._gate_matches, strict=True)),
                lone=(self._ocr_index, 1),  # one OCR token is no scan (`_scanned`)
            )
            if joinable(gate)
            else None
        )

    def quiet(self, data: bytes) -> bool:
        """True when `find` cannot return a span: no pattern's or structure's trigger
        occurs, no capitalised word starts the name detector, no OCR confusion makes
        the text read differently. Most values of a result (codes, digests, numbers
        as text) are answered by this one RE2 pass instead of every stage of `find`."""
        size = len(data)
        for least, _, match in self._gate_runs:  # noqa: SIM110 (a generator costs more)
            if size >= least and match(data):
                return False
        return True

    def quiet_many(self, values: Sequence[bytes]) -> list[bool]:
        """For each value, whether `find` returns no span for it, in one pass over the
        values joined where the triggers allow it (phigate.masking._quiet_batch):
        each value `quiet` passes, and each whose only trigger is OCR tokens that
        start nothing (`_blank`): most often a lone one (a digest's `ab0cd`: about
        one md5 digest in fifteen), which is no scan (`_scanned`), so `find` reads the
        text as it is and no pattern, structure or name starts from it."""
        if self._batch is None or len(values) < 2:
            return [self._blank(v) for v in values]
        return self._batch.quiet_many(self._blank, values)

    def _blank(self, data: bytes) -> bool:
        """`quiet_many` for one value: quiet, or its one trigger OCR tokens that start
        nothing. `find` reads a lone token's text as it is, and a scan's (two tokens)
        as `ocr_normal` reads it back, then starts from that reading's triggers: where
        it has none but OCR tokens, no pattern, structure or name runs."""
        if self.quiet(data):
            return True
        ocr = self._ocr_index
        if self.hits(data) != [ocr]:
            return False
        return not _scanned(data) or all(i == ocr for i in self.hits(ocr_normal(data)))

    def hits(self, data: bytes) -> list[int]:
        """What occurs in the text, as indexes into the gate in pattern order; empty when
        `quiet`. A text that is not quiet is scanned once, and `find` starts from the
        same answer. RE2 lists a set's matches in no fixed order, and which of two
        equal spans names the value depends on it: sorted, the output does not depend
        on how the patterns are grouped into sets."""
        found: list[int] = []
        size = len(data)
        for least, indexes, match in self._gate_runs:
            if size < least:
                continue  # no match of the set's triggers fits in the value
            hit = match(data)
            if hit:
                found.extend(map(indexes.__getitem__, hit))
        found.sort()
        return found

    def find(
        self, data: bytes, hits: list[int] | None = None, carried: Carried | None = None
    ) -> list[Span]:
        """Merged, non-overlapping spans sorted by start. `hits` is `hits(data)` when
        the caller has it already. `carried` is what earlier parts of the same text
        found (a long value's windows, a stream's blocks): its names and values are
        masked here too, and what this part finds is added to it."""
        if hits is None:
            hits = self.hits(data)
        if self._fold_index in hits:
            folded, offsets = fold(data)
            if offsets:  # found in the ASCII reading, masked in the original
                found = self.find(folded, None, carried)
                return [Span(offsets[s], offsets[e], t) for s, e, t in found]
        if self._ocr_index in hits and _scanned(data):
            data = ocr_normal(data)
            hits = self.hits(data)  # the scan reads differently: its triggers too
        spans: list[Span] = []
        count = len(self._patterns)
        structures = self._ocr_index
        for index in hits:
            if index < count:
                _pattern_spans(self._patterns[index], data, spans)
            elif index < structures:
                spans.extend(self._structure_spans(self._structures[index - count], data))
        spans = without_decoys(data, spans)
        if self._names is not None:
            if self._name_index in hits:  # no capitalised word: the detector finds nothing
                spans.extend(
                    Span(s, e, PERSON)
                    for s, e in self._names.spans(data)
                    if not _state_named(data, s, e) and not country_after_preposition(data, s, e)
                )
            names = [(s, e) for s, e, t in spans if t == PERSON]
            emails = [(s, e) for s, e, t in spans if t == EMAIL]
            parts = name_parts(data, names, emails)
            known = None
            if carried is not None:
                carried.parts.add(dict.fromkeys(parts, PERSON))
                parts.update(carried.parts.loose)
                known = carried.parts.words
            spans.extend(Span(s, e, PERSON) for s, e in parts_everywhere(data, parts, known))
        return _widen(data, merge(_everywhere(data, spans, carried)))

    def _structure_spans(self, structure: Structure, data: bytes) -> Iterator[Span]:
        types = self._types
        return (Span(s, e, t) for s, e, t in structure.find(data) if t in types)


def _ascii_forms() -> str:
    """RE2 ranges of every character NFKC reads as one visible ASCII character: circled
    letters ("ⓐⓘⓢⓗⓐ"), mathematical ones ("𝟓𝟑𝟔"), super- and subscripts, fullwidth
    and small forms ("５３６﹣２２"), letter-like symbols. Derived from Unicode, not
    listed by hand, so no such form is missed (a list missed the circled letters)."""
    found = [
        c
        for c in range(0x80, 0x20000)  # none lies beyond the first two planes
        if len(form := unicodedata.normalize("NFKC", chr(c))) == 1 and form.isascii()
        if form.isprintable() and not form.isspace()
    ]
    runs: list[list[int]] = []
    for c in found:
        if runs and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "".join(rf"\x{{{a:X}}}-\x{{{b:X}}}" for a, b in runs)


# Compatibility forms that NFKC reads as one ASCII character (`_ascii_forms`), and the
# ideographic space (typed with an East Asian input method, as fullwidth forms are).
_FOLDABLE = Regex(f"[\\x{{3000}}{_ascii_forms()}]".encode())


def fold(data: bytes) -> tuple[bytes, list[int]]:
    """The text with each compatibility form NFKC reads as one ASCII character folded
    to it, and for each byte offset of the folded text (and its end) the offset in
    `data`, so spans found in the folding mask the original characters. The offsets
    are empty when nothing folds."""
    # A window of a long value may cut a character: its bytes are kept as they are.
    text = data.decode("utf-8", "surrogateescape")
    out: list[bytes] = []
    offsets: list[int] = []
    pos = 0
    changed = False
    for char in text:
        raw = char.encode("utf-8", "surrogateescape")
        ascii_form = unicodedata.normalize("NFKC", char) if len(raw) > 1 else char
        if len(raw) > 1 and len(ascii_form) == 1 and ascii_form.isascii():
            out.append(ascii_form.encode())
            offsets.append(pos)
            changed = True
        else:
            out.append(raw)
            offsets.extend(range(pos, pos + len(raw)))
        pos += len(raw)
    offsets.append(pos)
    return (b"".join(out), offsets) if changed else (data, [])


# Scanned text read by OCR confuses O with 0, l or I with 1 and S with 5 ("D0B:
# O3/l4/l952", "WH1TFIELD", "HO5PITAL", "MARY'5"). Two such tokens make a text a
# scan; its tokens are read back with the likelier characters before detection
# (same length, so offsets hold). A 5 is a sign only among capitals: hex in small
# letters ("dea5beef", an IPv6 address's "ab5c") is no scan.
_OCR_TOKEN = Regex(
    rb"\b[OlI]?\d*[OlI]\d+|\b\d+[OlI][\dOlI]*\b|[A-Za-z]{2}[01][A-Za-z]{2}|[A-Z]{2}5[A-Z]{2}"
    rb"|[A-Z]'5\b"
)
_TOKEN = Regex(rb"[A-Za-z0-9]+")


def _scanned(data: bytes) -> bool:
    """Two tokens with OCR confusions make a text a scan; one is a typo or a code."""
    found = _OCR_TOKEN.spans(data)
    return next(found, None) is not None and next(found, None) is not None


def ocr_normal(data: bytes) -> bytes:
    """The text with OCR confusions inside tokens undone: letters among digits become
    digits ("O3" -> "03", "l941" -> "1941", "67B9" -> "6789"), digits among letters
    become letters ("Hospita1" -> "Hospital", "HO5PITAL" -> "HOSPITAL"), and a
    lower-case l in a word in capitals is the I it stands for ("MEDlCAL")."""
    # The tokens spliced by hand: the wrapper's `sub` builds a Match object per token
    # and costs more than the rest of detection on a scanned text.
    out: list[bytes] = []
    pos = 0
    for found in _TOKEN.spans(data):
        start, end = found[0]
        out.append(data[pos:start])
        out.append(_ocr_token(data[start:end]))
        pos = end
    out.append(data[pos:])
    return bytes(_POSSESSIVE_5.sub(rb"\1S", b"".join(out)))


# "MARY'5": the possessive's S read as a 5 stands alone after the apostrophe
_POSSESSIVE_5 = re2.compile(rb"([A-Z]')5\b")


def _ocr_token(token: bytes) -> bytes:
    digits = sum(48 <= c <= 57 for c in token)
    if len(token) < 2:
        return token
    if not digits:
        return _capitals(token)
    letters = len(token) - digits
    if letters and not token.translate(None, b"0123456789OolI"):
        return token.translate(_AS_DIGITS)
    if _inner_capitals(token, digits, letters):
        return token.translate(_AS_DIGITS)  # "1Z3", "67B9": a digit's look-alike capitals
    if letters >= 3 and letters >= 2 * digits and not token.translate(None, b"015" + _LETTERS):
        return _as_word(token, sum(97 <= c <= 122 for c in token) > letters // 2)
    return _OCR_SAINT.get(token, token)


# "5T." and "5t." are a saint's abbreviation whose S the scan read as a 5
_OCR_SAINT = {b"5T": b"ST", b"5t": b"St"}


@functools.lru_cache(maxsize=4096)
def _as_word(token: bytes, lower: bool) -> bytes:
    """The word a scan wrote with digits in it: 0 is o, 5 is s, and 1 is l or i,
    whichever makes a word or a name ("Hospita1", "n1nety", "HOSPITA1"); when neither
    does, l in lower case (the glyphs are alike, an i has its dot) and I in capitals."""
    table = _AS_LOWER if lower else _AS_UPPER
    word = token.translate(table)
    if lower and 48 <= token[0] <= 57:
        word = word[:1].upper() + word[1:]  # "0kafor": a capital read as a digit
    ones = [i for i, c in enumerate(token) if c == 49]
    if not ones or len(ones) > 3:
        return word
    known = _known_words()
    base = bytearray(word)
    for choice in itertools.product(b"li", repeat=len(ones)):
        for i, c in zip(ones, choice, strict=True):
            base[i] = c if lower and (i or not 48 <= token[0] <= 57) else c - 32
        if base.decode("latin-1").lower() in known:
            return bytes(base)
    return word


@functools.cache
def _known_words() -> frozenset[str]:
    first, last = person_names()
    return common_words() | first | last | _INSTITUTION_WORDS


_INSTITUTION_WORDS_TEXT = (
    "hospital hospitals medical clinic health healthcare center centre infirmary institute"
    " memorial regional general children's university nursing rehabilitation"
    " one two three four five six seven eight nine ten eleven twelve twenty thirty forty"
    " fifty sixty seventy eighty ninety hundred first second third fifth"
)
_INSTITUTION_WORDS = frozenset(_INSTITUTION_WORDS_TEXT.split())


def _inner_capitals(token: bytes, digits: int, letters: int) -> bool:
    """S, B or Z among digits, outnumbered by them: a digit misread ("1Z3", "67B9",
    "S55"). At the end it is a suffix ("12B", "00Z"), at the start a name ("B12")."""
    return (
        0 < letters < digits
        and (48 <= token[0] <= 57 or token[0] == 83)  # "S55": a leading S is a 5
        and 48 <= token[-1] <= 57
        and not token.translate(None, b"0123456789OolISBZ")
    )


def _capitals(token: bytes) -> bytes:
    """A word in capitals with a lower-case l among them ("MEDlCAL", "CLlNIC"): the
    scan read an I; "Ml" or "IVl" alone are too short to tell."""
    if len(token) < 4 or b"l" not in token:
        return token
    others = token.replace(b"l", b"")
    return token.replace(b"l", b"I") if others.isupper() and len(others) >= 3 else token


_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
# In a word, OCR reads l as 1 (the glyphs are alike; an i has its dot), O as 0, S as 5.
_AS_LOWER = bytes.maketrans(b"015", b"ols")
_AS_UPPER = bytes.maketrans(b"015", b"OIS")
_AS_DIGITS = bytes.maketrans(b"OolISBZ", b"0011582")


# RE2 builds one DFA per set, lazily, within the memory budget; past the budget it
# throws its states away and starts again. A set's DFA state is the combination of
# every trigger's partial match at that point of the text, so the states a text
# needs grow with the product of what its triggers see, not their sum: on text the
# set has not seen, most of the pass is spent building states. One set of all
# ~176 triggers is fastest on text seen before (the bench masks its corpus over and
# over) and slowest on text seen the first time, which is what a gateway masks:
# there it cost ~0.4-1.3 ms a document, more than every other stage together.
# Four sets of 44 build a small fraction of the states. Measured in one process on
# 3,000 new documents (independent and styles generators, seed 1001; maskers warmed
# on the tuning corpus, taking chunks in turn): ~36% more documents per CPU second
# (374 to 509 docs/s), for ~17% fewer on documents masked again (1,179 to 976 on
# the corpora of seed 8853): four DFAs' states are four times the memory a text's
# bytes walk through. Two sets of 88: +11% and -9%.
# Most of the states new text needs come from a few triggers that can start at
# almost any word (`PatternSpec.wide`: places, streets, institutions, cue words, the
# costliest ~24 of ~176, each measured alone on new text): with them in the big
# sets, every word starts partial matches that combine with every other
# trigger's. In sets of six of their own, and the other triggers in sets of ~51,
# the seven set passes over new text cost ~1.5-2x less than the four of 44, the
# same on text seen before (docs/masking.md, Speed). Custom identifiers join the
# big sets. Four structure triggers joined the small ones later (a quoted key, a
# line's first cells, two lines of cells, a code after a label: the costliest of
# their big set, left out one at a time): eight passes, ~15% less on new text. A
# value shorter than a set's least match skips it (`SpanFinder.hits`), so short
# row values do not pay for the extra passes. A pattern with a cue is in its set as
# the cue (`PatternSpec.cue`): a wide set of places and institutions then keeps
# partial matches alive from a comma or a suffix, not from every capitalised word
# (the set passes over new text ~40% less).
_SET_SIZE = 51
_NARROW_SETS = 3  # the others never take more passes: their sets grow instead
_WIDE_SET_SIZE = 6
_SET_OPTIONS = re2.Options()
_SET_OPTIONS.max_mem = 96 << 20


def _pattern_sets(
    patterns: Sequence[str], wide: Sequence[bool] = ()
) -> list[tuple[tuple[int, ...], Any]]:
    """(indexes into `patterns` of its members, compiled set) for each RE2 set: the
    patterns marked `wide` (a missing mark is False) in sets of `_WIDE_SET_SIZE`, the
    others in sets of `_SET_SIZE`, or in `_NARROW_SETS` sets when there are more
    (one more pass over every text costs more than a few more members in each set),
    each set's members in pattern order."""
    marked = [i < len(wide) and wide[i] for i in range(len(patterns))]
    narrow = [i for i, w in enumerate(marked) if not w]
    broad = [i for i, w in enumerate(marked) if w]
    size = max(_SET_SIZE, -(-len(narrow) // _NARROW_SETS))
    groups = [narrow[k : k + size] for k in range(0, len(narrow), size)]
    groups += [broad[k : k + _WIDE_SET_SIZE] for k in range(0, len(broad), _WIDE_SET_SIZE)]
    sets: list[tuple[tuple[int, ...], Any]] = []
    for group in groups:
        pattern_set = re2.Set.SearchSet(_SET_OPTIONS)
        for index in group:
            pattern_set.Add(patterns[index].encode())
        pattern_set.Compile()
        sets.append((tuple(group), pattern_set))
    return sets


def _raw_match(pattern_set: Any) -> Callable[[bytes], Any]:
    """The compiled set's own Match for bytes (an empty list when nothing occurs):
    the wrapper's Match checks for str and maps [] to None, about 0.4 µs a call,
    four calls per quiet value. The wrapper's, if a release moves the inner set."""
    inner = getattr(pattern_set, "_set", None)
    match = getattr(inner, "Match", None)
    return match if callable(match) else pattern_set.Match  # type: ignore[no-any-return]


def _wanted(spec: PatternSpec, types: frozenset[str]) -> bool:
    return spec.entity in types or any(t in types for _, t in spec.groups)


def _custom_specs(
    identifiers: Sequence[CustomIdentifier], types: frozenset[str]
) -> Iterable[PatternSpec]:
    for ident in identifiers:
        if ident.type not in types:
            continue
        if ident.pattern is not None:
            groups = (("value", ident.type),) if "(?P<value>" in ident.pattern else ()
            yield PatternSpec(ident.type, ident.pattern, groups=groups)
        if ident.terms:
            words = "|".join(re2.escape(t) for t in ident.terms)
            yield PatternSpec(ident.type, rf"(?i:\b(?:{words})\b)")


def _pattern_spans(compiled: _Compiled, data: bytes, out: list[Span]) -> None:
    """Append the pattern's spans to `out` (no generator per pattern: ~15 run a document)."""
    spec = compiled.spec
    if spec.leading is not None:
        out.extend(_leading_spans(compiled, spec.leading, data))
    elif compiled.groups:
        _group_spans(compiled, data, out)
    else:
        _matched_spans(compiled, data, out)


def _leading_spans(
    compiled: _Compiled, leading: Callable[[bytes], int], data: bytes
) -> Iterator[Span]:
    """The accepted leading words of the first group of each match; the next match is
    sought from the group's start, whose words may hold a cue of their own ("by dr
    kim", see `PatternSpec.leading`)."""
    index, entity = compiled.groups[0]
    search = compiled.search
    pos = 0
    while (found := search(data, pos)) is not None:
        start, end = found[index]
        value = data[start:end]
        length = leading(value)
        if length:
            yield Span(start, start + length, entity)
        pos = max(start, found[0][0] + 1)


def _matched_spans(compiled: _Compiled, data: bytes, out: list[Span]) -> None:
    """A pattern that masks its whole match."""
    validator = compiled.spec.validator
    entity = compiled.spec.entity
    append = out.append
    for found in compiled.spans(data):
        start, end = found[0]
        if validator is None or validator(data[start:end]):
            append(Span(start, end, entity))


def _group_spans(compiled: _Compiled, data: bytes, out: list[Span]) -> None:
    """A pattern that masks its groups; the validator judges the first group found."""
    validator = compiled.spec.validator
    append = out.append
    for found in compiled.spans(data):
        first = True
        for index, entity in compiled.groups:
            start, end = found[index]
            if start < 0:
                continue
            if first and validator is not None and not validator(data[start:end]):
                break
            first = False
            append(Span(start, end, entity))


# What belongs to a date or a name when it stands right beside one: the time of day
# after a date ("03/12/2024 14:30", "Mar 5, 2024 at 4:15 PM EST"), the weekday before it
# ("Tue, 12 Mar 2024"), the credentials after a name ("Anita Patel, MD"); a title
# before a name stays, as it says no more than the placeholder.
_TIME_AFTER = Regex(
    rb",?\s{1,2}(?:at\s|@\s?)?(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?"
    rb"(?:\s?[AaPp]\.?[Mm]\.?)?(?:\s?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|[ECMP][SD]T|hrs?)\b)?"
)
_WEEKDAYS = frozenset(
    b"mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday"
    b" saturday sunday".split()
)
_BUILD_WORDS = (b"build", b"built", b"compiled", b"commit", b"deploy", b"rollout", b"firmware")
# A software version just before a date makes it the release's date: a product and its
# version ("sched-hooks/4.2.1 (2024-03-14T10:22)", "ehr-api@3.2.1"), "v3.2.1", "version
# 3.2.1". A bare "14.03.24" may be a date, "555.123.4567" a phone: not versions.
_VERSION_BEFORE = re2.compile(
    rb"(?i:\bv|\bver(?:sion)?\.?[\s\"':=]{0,4}|[a-z][/@])\d{1,3}\.\d{1,3}(?:\.\d{1,4})?\b"
)
# The object a date is a member of, named for a build ("build": {"number": 4411,
# "timestamp": "…"}, or a YAML block "build:" over indented lines).
_BUILD_PARENT = re2.compile(
    rb'(?i:build|deploy|release)\w*"?\s*:\s*(?:\{[^{}]*|\n(?:[ \t]+[^\n]*\n)*[ \t]+[^\n]*)$'
)
_CREDENTIALS_AFTER = Regex(
    rb"(?:,?\s(?:Jr|Sr|II|III|IV)\b\.?)?"
    rb"(?:,?\s(?:MD|M\.D\.|DO|D\.O\.|RN|NP|PA-C|PA|PhD|PharmD|DDS|DPM|MBBS|FRCP|FACP|FACS|CNM"
    rb"|CRNA|FNP|FNP-C|APRN|LCSW|LPN|MSN|BSN|DNP)\b\.?)?"
)
# Particles that open a surname: "de la Cruz, Maria", "van der Berg", in capitals on
# a list ("DE LA CRUZ, Maria"), and the saint of "St. John, Mary".
_PARTICLES_BEFORE = frozenset(
    b"de del della di da dos das do van von der den du la le bin ibn al el ter ten st."
    b" saint".split()
)


# Words after which a state's name is the state: "moved from Georgia", "licensed in Virginia".
_PLACE_WORDS_BEFORE = frozenset(
    b"in from to of across near at visiting outside throughout into between and or via".split()
)
_STATES = frozenset(name.encode() for name in STATE_SET)
_FIELD_EDGES = frozenset(b'"\t^|,;:=')


def _state_named(data: bytes, start: int, end: int) -> bool:
    """A found "name" that is a state standing alone in a field ("state": "Georgia",
    ^Georgia^ in HL7) or after a word of place ("moved from Georgia"); "Dear Virginia"
    and "Georgia Smith" stay names."""
    if data[start:end] not in _STATES:
        return False
    after = data[end : end + 2].lstrip(b" ")
    if after[:1].isupper():
        return False  # "Georgia Smith"
    if start == 0 or data[start - 1] in _FIELD_EDGES:
        return True
    before = data[max(0, start - 16) : start].rsplit(None, 1)
    return bool(before) and before[-1].lower().rstrip(b",") in _PLACE_WORDS_BEFORE


# What a payer's public code under its label is found as: an id, a record or plan number.
_PAYER_CODE_TYPES = frozenset((ID, MRN, HEALTH_PLAN_ID))


def _widen(data: bytes, spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    starts = [span.start for span in spans]
    for span in spans:
        start, end, entity = span
        if entity == DATE:
            line = data[max(0, start - 24) : start].rsplit(b"\n", 1)[-1].lower()
            if _built(data, start, line) or system_time(data, start, end, spans, starts):
                continue  # when the software was built or acted, not when anyone was seen
            new_end = _extend(_TIME_AFTER, data, end)
            new_start = start - _weekday_before(data, start)
        elif entity == PERSON:
            if plan_name(data, start, end) or plan_column(data, start, end):
                continue  # a plan's product name ("Silver Plus EPO"), shared by its members
            new_end = _extend(_CREDENTIALS_AFTER, data, end)
            new_start = start - _particles_before(data, start)
        else:
            # a drug's code under its label; the id of a system's request, job or trace
            if not (
                labelled_drug_code(data, start, end)
                or (entity in (ID, URL) and system_id(data, start, end))
                or (entity == ID and party_reference(data, start, end))
                or (entity == EMAIL and message_id(data, start))
                or (entity in _PAYER_CODE_TYPES and payer_code(data, start, end))
                or (
                    entity == LOCATION
                    and (plan_name(data, start, end) or plan_column(data, start, end))
                )
                or system_number(data, start, end, spans, starts)
                or (coded_field(data, start, end) and not _found_elsewhere(data, span, spans))
            ):
                out.append(span)
            continue
        out.append(
            span if new_start == start and new_end == end else Span(new_start, new_end, entity)
        )
    return merge(out) if len(out) > 1 else out


def _found_elsewhere(data: bytes, span: Span, spans: list[Span]) -> bool:
    """Whether the value of `span` is also found at another place (a code-shaped value
    that is the patient's record number in PID-3 is theirs in OBX-3 too)."""
    value = data[span.start : span.end]
    return any(data[s:e] == value for s, e, _ in spans if s != span.start)


def _built(data: bytes, start: int, line: bytes) -> bool:
    """A date that says when software was built or released: a word of building or
    a version just before it on its line, or the build object it is a member of."""
    if any(word in line for word in _BUILD_WORDS) or _VERSION_BEFORE.search(line):
        return True
    before = data[max(0, start - 160) : start]
    lowered = before.lower()  # the search only where its words occur: most dates have none
    if not any(word in lowered for word in (b"build", b"deploy", b"release")):
        return False
    return _BUILD_PARENT.search(before) is not None


def _extend(regex: Regex, data: bytes, end: int) -> int:
    """Where a match of `regex` starting right at `end` ends, else `end`."""
    found = regex.match_end(data, end, min(len(data), end + 48))
    return end if found is None else found


def _particles_before(data: bytes, start: int) -> int:
    """The length of "de la " or "van der " just before a surname, else 0."""
    before = data[max(0, start - 12) : start]
    if not before.endswith(b" "):
        return 0
    words = before.split(b" ")[:-1]
    taken = 0
    while words and words[-1].lower() in _PARTICLES_BEFORE:
        taken += len(words.pop()) + 1
    return taken


def _weekday_before(data: bytes, start: int) -> int:
    """The length of "Tue, " or "Monday " just before a date, else 0."""
    before = data[max(0, start - 12) : start]
    word = before.rstrip(b" ,").rstrip(b".")
    last = word.rsplit(None, 1)[-1] if word.strip() else b""
    if last.lower() not in _WEEKDAYS:
        return 0
    return len(before) - (len(word) - len(last))


_MIN_REPEAT = 4
_FIND_LIMIT = 64


def _everywhere(data: bytes, spans: list[Span], carried: Carried | None = None) -> list[Span]:
    """A value found once is masked wherever it occurs: a name seen after "Patient:" is
    the same name later without a cue, and no masked value may survive elsewhere.
    With `carried`, so is a value an earlier part of the same text found."""
    local: dict[bytes, str] = {}
    for start, end, entity in spans:
        if end - start >= _MIN_REPEAT:
            local.setdefault(data[start:end], entity)
    values = local
    known = None
    if carried is not None:
        carried.values.add(local)
        values = {**carried.values.loose, **local}
        known = carried.values
    if not values and (known is None or known.words is None):
        return spans
    extra = list(spans)
    if len(values) <= _FIND_LIMIT:
        for value, entity in values.items():
            at = data.find(value)
            if value in local and data.find(value, at + 1) < 0:
                continue  # found once: the span already covers it
            while at >= 0:
                extra.append(Span(at, at + len(value), entity))
                at = data.find(value, at + 1)
    else:  # many values: one pass of an automaton of them all keeps the cost linear
        _matched(data, Words(values), values, extra)
    if known is not None and known.words is not None:
        _matched(data, known.words, known.items, extra)
    return extra


def _matched(data: bytes, words: Words, values: dict[bytes, str], out: list[Span]) -> None:
    for start, end in words.spans(data):
        out.append(Span(start, end, values.get(data[start:end], ID)))


# What one text carries from part to part, at most: past it, what later parts find
# is masked where they find it (as in a text of its own) but no longer carried on.
CARRIED_LIMIT = 4096


class Known:
    """Strings carried from part to part, each with its entity: the many in one
    automaton built once (`words`), the few found since it was built looked for one
    by one (`loose`), so a part costs no rebuilding of them all. Holds the first
    `CARRIED_LIMIT` added."""

    __slots__ = ("items", "loose", "words")

    def __init__(self) -> None:
        self.items: dict[bytes, str] = {}
        self.loose: dict[bytes, str] = {}
        self.words: Words | None = None

    def add(self, found: dict[bytes, str]) -> None:
        for value, entity in found.items():
            if len(self.items) >= CARRIED_LIMIT:
                break
            if value not in self.items:
                self.items[value] = self.loose[value] = entity
        if len(self.loose) > _FIND_LIMIT:
            self.words = Words(self.items)
            self.loose = {}


class Carried:
    """What the earlier parts of one text found, for its later parts: the words of its
    names (`name_parts`) and the values found in it (`_everywhere`), so a long text
    masked part by part is masked as if it were one. Bounded: the first
    `CARRIED_LIMIT` of each are kept (the earliest found, usually the subject's)."""

    __slots__ = ("header", "parts", "values")

    def __init__(self) -> None:
        self.parts = Known()
        self.values = Known()
        # A table header whose rows run on into the next part (`open_header`).
        self.header = b""


def merge(spans: list[Span]) -> list[Span]:
    """Union overlapping spans; the merged span takes the highest-ranked type."""
    if len(spans) < 2:
        return spans
    # Sorted by start, the longest first among equal starts, ties in their order:
    # two stable sorts on C keys instead of a Python key building a tuple per span.
    spans.sort(key=_END, reverse=True)
    spans.sort(key=_START)
    merged = [spans[0]]
    last = spans[0]
    for span in itertools.islice(spans, 1, None):
        if span[0] >= last[1]:
            merged.append(span)
            last = span
            continue
        entity = last[2]
        if entity != span[2] and _rank(entity, _UNRANKED) < _rank(span[2], _UNRANKED):
            entity = span[2]
        if span[1] > last[1] or entity != last[2]:
            last = merged[-1] = Span(last[0], max(last[1], span[1]), entity)
    return merged


_START = operator.itemgetter(0)
_END = operator.itemgetter(1)
_rank = RANK.get
_UNRANKED = rank("")  # what `rank` gives a custom type
