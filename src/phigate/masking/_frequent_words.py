"""The most frequent words of a language, read from wordfreq's data files.

wordfreq's own `iter_wordlist` and `top_n_list` decode a language's whole list
(30,000 to 320,000 words) to hand out its first n: for the 27 languages the lexicon
takes that costs seconds.
A list is a gzipped msgpack array, a header then one array of words per frequency
band, most frequent first (wordfreq's "cB" format), so the first n words are read
here by decoding only the bands that hold them. A file in another format is an error
(the lexicon then fails, and answers with it: closed), never guessed at.
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgpack

FORMAT = {"format": "cB", "version": 1}


class WordListError(Exception):
    """A wordfreq data file this reader does not know."""


def frequent_words(language: str, n: int, wordlist: str) -> Iterator[str]:
    """The `n` most frequent words of `language` in wordfreq's `wordlist` ("small",
    "large"), most frequent first, as `wordfreq.iter_wordlist` gives them."""
    path = _data() / f"{wordlist}_{language}.msgpack.gz"
    taken = 0
    with gzip.open(path, "rb") as raw:
        unpacker: Any = msgpack.Unpacker(raw, raw=False, read_size=16_384)
        bands = unpacker.read_array_header()
        if bands < 1 or unpacker.unpack() != FORMAT:
            raise WordListError(f"{path} is not a wordfreq cB list")
        for _ in range(bands - 1):
            for word in unpacker.unpack():
                if taken >= n:
                    return
                taken += 1
                yield str(word)


def _data() -> Path:
    """wordfreq's data folder, found without importing wordfreq (its tokenizers take
    0.7 s to import and none is used here)."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise WordListError("wordfreq is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"
