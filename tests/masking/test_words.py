"""The values and name words a text found are looked for again with `Words` (an
Aho-Corasick automaton), which must find exactly what the RE2 alternation of them,
the longest first, found before it: the masked output may not change, only its cost."""

from __future__ import annotations

import re2
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from phigate.masking._fastre import Regex
from phigate.masking._words import Words
from phigate.masking.detect import Carried
from phigate.masking.engine import Masker


def _alternation(words: list[bytes], data: bytes) -> list[tuple[int, int]]:
    """What the masking code found before `Words`: one alternation, longest first."""
    regex = Regex(b"|".join(re2.escape(w) for w in sorted(words, key=len, reverse=True)))
    return [tuple(found[0]) for found in regex.spans(data)]


# A small alphabet, so words overlap, nest and share prefixes and suffixes often.
_WORD = st.binary(min_size=1, max_size=6).map(lambda b: bytes(97 + x % 3 for x in b))


@seed(2121)
@settings(max_examples=400, deadline=None)
@given(st.lists(_WORD, min_size=1, max_size=12, unique=True), st.lists(_WORD, max_size=20))
def test_words_find_what_the_longest_first_alternation_found(
    words: list[bytes], pieces: list[bytes]
) -> None:
    data = b"-".join(pieces) + b"".join(pieces)
    assert Words(words).spans(data) == _alternation(words, data)


def test_the_longest_word_starting_leftmost_wins_then_the_search_resumes_after_it() -> None:
    words = Words([b"ab", b"abcd", b"cdef", b"efg"])
    assert words.spans(b"xabcdefg ab") == [(1, 5), (5, 8), (9, 11)]


def test_utf8_words_are_found_as_bytes() -> None:
    words = [w.encode() for w in ("Đặng", "Étienne", "ặng E")]
    data = "M. Étienne Đặng Étienne".encode()
    assert Words(words).spans(data) == _alternation(words, data)


def test_a_window_of_a_csv_export_masks_every_repeated_value(safe_harbor: Masker) -> None:
    """Thousands of distinct values in one text (past what is looked for one by one):
    each patient the table names is masked where the prose after it repeats the name,
    which nothing else in the prose would mask (the one never in the table stays)."""
    rows = "".join(f"{i},zebul{i:04d}ton,closed\n" for i in range(3000))
    prose = " ".join(f"Saw zebul{i:04d}ton." for i in range(0, 3000, 7)) + " Saw zebul9999ton."
    masked = safe_harbor.mask_text("visit_id,patient,status\n" + rows + "\n" + prose).text
    assert masked.count("zebul") == 1 and masked.endswith(" Saw zebul9999ton.")
    assert masked.count("[PERSON]") == 3000 + 429


def test_carried_values_past_the_one_by_one_limit_are_found_in_a_later_part() -> None:
    carried = Carried()
    carried.values.add({f"QX{i:05d}".encode(): "ID" for i in range(100)})
    assert carried.values.words is not None and not carried.values.loose
    assert carried.values.words.spans(b"card QX00099, QX00100 and QX00007") == [(5, 12), (26, 33)]
