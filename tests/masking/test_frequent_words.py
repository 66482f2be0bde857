"""The lexicon reads each language's most frequent words from wordfreq's data files
itself (decoding only the bands it needs): they must be wordfreq's own first words,
in its order."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import msgpack
import pytest
import wordfreq

from phigate.masking import _frequent_words
from phigate.masking._frequent_words import WordListError, frequent_words


@pytest.mark.parametrize(
    ("language", "wordlist"), [("fr", "small"), ("vi", "small"), ("en", "large")]
)
def test_the_first_words_are_wordfreqs_own(language: str, wordlist: str) -> None:
    mine = list(frequent_words(language, 5_000, wordlist))
    assert mine == list(itertools.islice(wordfreq.iter_wordlist(language, wordlist), 5_000))


def test_a_short_list_ends_where_it_ends() -> None:
    listed = wordfreq.get_frequency_list("vi", "small")
    every = sum(map(len, listed))
    assert len(list(frequent_words("vi", every + 10, "small"))) == every


def test_a_file_in_another_format_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with gzip.open(tmp_path / "small_xx.msgpack.gz", "wb") as out:
        out.write(msgpack.packb([{"format": "other", "version": 2}, ["a", "b"]]))
    monkeypatch.setattr(_frequent_words, "_data", lambda: tmp_path)
    with pytest.raises(WordListError):
        list(frequent_words("xx", 10, "small"))
