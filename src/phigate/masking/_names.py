"""The person-name detector: dictionaries, context and capitalisation.

A run of capitalised words is split into words; each word is a name if it is
a dictionary name that is not also a common word, or if context makes it one:
a title just before it ("Dr.", "Mrs."), a cue word ("patient", "wife", "signed
by"), or a neighbouring name in the same run ("Will Smith"). Clinical
eponyms ("Parkinson's disease") and common words are names only with context.
"""

from __future__ import annotations

from collections.abc import Iterator

import re2

from phigate.masking._wordlists import EPONYMS, NAME_CUES, TITLES, common_words, person_names

# Runs of capitalised words (with initials and hyphenated or O'Brien-style names).
_RUN = re2.compile(
    rb"\b\p{Lu}[\p{L}'\xe2\x80\x99-]*\.?(?:[ \t]+\p{Lu}[\p{L}'\xe2\x80\x99-]*\.?){0,6}"
)
_WORD = re2.compile(rb"\S+")
_CUE_WINDOW = 24

_UNKNOWN, _NAME, _AMBIGUOUS, _COMMON, _TITLE = range(5)


class NameDetector:
    """Finds person names in UTF-8 bytes; returns (start, end) spans."""

    def __init__(self, extra_common: frozenset[str] = frozenset()) -> None:
        first, last = person_names()
        common = common_words() | extra_common
        self._kind: dict[str, int] = {}
        for name in first | last:
            self._kind[name] = _AMBIGUOUS if name in common or name in EPONYMS else _NAME
        for word in common:
            self._kind.setdefault(word, _COMMON)
        for word in EPONYMS:
            self._kind.setdefault(word, _AMBIGUOUS)
        for word in TITLES:
            self._kind[word] = _TITLE

    def spans(self, data: bytes) -> Iterator[tuple[int, int]]:
        for run in _RUN.finditer(data):
            yield from self._run_spans(data, run.start(), run.end())

    def _run_spans(self, data: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
        words = [(m.start(), m.end()) for m in _WORD.finditer(data, start, end)]
        kinds = [self._word_kind(data[s:e]) for s, e in words]
        cue = _cue_before(data, start)
        is_name = _decide(kinds, cue, [data[e - 1 : e] == b"." for _, e in words])
        i = 0
        while i < len(words):
            if not is_name[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(words) and is_name[j + 1]:
                j += 1
            s, e = words[i][0], words[j][1]
            yield s, e - 1 if data[e - 1 : e] == b"." and e - s > 2 else e
            i = j + 1

    def _word_kind(self, word: bytes) -> int:
        text = word.decode("utf-8", "replace").rstrip(".").replace("\u2019", "'")
        lowered = text.lower()
        if lowered.endswith("'s"):
            lowered = lowered[:-2]
        if len(lowered) == 1:
            return _UNKNOWN  # an initial: a name only between names
        kind = self._kind.get(lowered)
        if kind is not None:
            return kind
        if text.isupper() and len(text) <= 5:
            return _COMMON  # an abbreviation (HTN, COPD) rather than a name
        return _UNKNOWN


def _cue_before(data: bytes, start: int) -> int:
    """2 after a title-like cue, 1 after a weaker cue word, 0 otherwise."""
    window = data[max(0, start - _CUE_WINDOW) : start].lower().rstrip(b" \t:,")
    last = window.rsplit(None, 1)[-1] if window.split() else b""
    last = last.strip(b".:,;(\"'")
    if last in (b"dr", b"mr", b"mrs", b"ms", b"miss", b"prof"):
        return 2
    return 1 if last in NAME_CUES else 0


def _decide(kinds: list[int], cue: int, dotted: list[bool]) -> list[bool]:
    n = len(kinds)
    is_name = [k == _NAME for k in kinds]
    # A sentence ends inside the run at a dotted word that is not an initial or a title.
    for i in range(n):
        strength = cue if i == 0 else 0
        if i > 0 and kinds[i - 1] == _TITLE:
            strength = 2
        elif i > 0 and dotted[i - 1] and kinds[i - 1] != _UNKNOWN:
            strength = 0
        if (strength == 2 and kinds[i] != _TITLE) or (strength == 1 and kinds[i] in (_UNKNOWN, _AMBIGUOUS)):
            is_name[i] = True
    # Neighbours of a name inside the run are names too, unless they are common words.
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if is_name[i] or kinds[i] not in (_UNKNOWN, _AMBIGUOUS):
                continue
            left = i > 0 and is_name[i - 1] and not (dotted[i - 1] and kinds[i - 1] != _UNKNOWN)
            right = i + 1 < n and is_name[i + 1] and not (dotted[i] and kinds[i] != _UNKNOWN)
            if left or right:
                is_name[i] = changed = True
    return is_name
