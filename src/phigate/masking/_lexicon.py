"""Whether a line of text reads as words of some human language.

The masker reads text; text it cannot read (a note reversed, rot13'd, Caesar- or
Atbash-shifted, its letters interleaved, written in a code nobody listed) passes it
untouched. A list of such codes never closes: this module is the rule that does not
wait for the next one. A line's words are the runs of Latin letters of three or
more (identifiers split at camelCase, `_` and `-`); the line reads as no language
when it has `MIN_TOKENS` or more of them and fewer than `MIN_KNOWN` of them are words
of a language (`known_words`), or `MAX_UNKNOWN_RUN` unknown ones stand in a row.

Chunks that mix letters and digits (hashes, base64, ids, versions) are no words and
are skipped; other scripts (Chinese, Cyrillic, Arabic) have no Latin words and are
never judged. Letters interleaved with a fixed character (`p.a.t.i.e.n.t`, or single
letters spaced out) are unknown words whatever they spell: no language writes so.
"""

from __future__ import annotations

import array
import bisect
import functools
import re
import unicodedata

from phigate.masking._wordlists import EPONYMS, common_words, person_names

# A line with fewer words is not judged: a heading, a log prefix, a short label.
MIN_TOKENS = 6
# The share of words of a language below which a line reads as none.
MIN_KNOWN = 0.4
# Unknown words in a row past which a line reads as none even when padded with words.
MAX_UNKNOWN_RUN = 8
# The most frequent words of each language taken (wordfreq orders them by frequency).
WORDS_PER_LANGUAGE = 30_000
ENGLISH_WORDS = 200_000
# Words of three or four letters are taken from each language's most frequent only:
# in 27 languages' long lists nearly every short string is some word ("saw", "nau",
# "tin" and "rep" backwards), and prose's short words are its most frequent.
SHORT = 4
SHORT_WORDS_PER_LANGUAGE = 3_000
# wordfreq's languages written in Latin letters.
LATIN_LANGUAGES = tuple(
    [
        "ca",
        "cs",
        "da",
        "de",
        "en",
        "es",
        "fi",
        "fil",
        "fr",
        "hu",
        "id",
        "is",
        "it",
        "lt",
        "lv",
        "ms",
        "nb",
        "nl",
        "pl",
        "pt",
        "ro",
        "sh",
        "sk",
        "sl",
        "sv",
        "tr",
        "vi",
    ]
)

# Clinical shorthand that no general word list holds.
_ABBREVIATIONS = """
abd abx adl afib aki ams bid bmp bpm bun cabg cad cbc chf ckd cmp copd cpap crp cva cxr
dka dnr dvt ecg ekg esrd etoh gerd gtt hba hgb hpi hrs htn icu inr iv ivf lft lle lmp lue
mrsa nkda npo nsaid nstemi ntg pcp pea pmh prn psh qhs qid ros rue sob ssi stemi tid tsh
uri uti vss wbc yom yof yo prbc ptt pcn hctz asa apap bipap sbp dbp spo hgba nph
"""

# The words of code, shells and logs that no dictionary holds: a program's source or
# a traceback read through `cat` is text too.
_TECHNICAL = """
api argv args async attr auth bool buf cfg cmd config const cpu ctx def dict dir elif env
errno exe func getattr html http https init isinstance json kubectl kwargs len lib lvl
malloc msg mysql namespace nginx noqa npm param params pid pkg postgres psql repr rpc
setenv setattr sql src stderr stdin stdout str struct sudo sys tcp tmp tty udp uid uri
url usr utf uuid var www xml yaml yml kube helm terraform regex stacktrace traceback
"""

# Python's own engine: these patterns have no nested repeats (linear), and re2's
# binding costs a microsecond a call, six times the work here.
_CHUNK = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W\d_]+")
# A piece of an identifier: a capitalised word, a run of capitals, or lower case.
_PIECE = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|[a-z]+|[^\W\d_]+")
_DIGIT = re.compile(r"[0-9]")
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"[0-9A-Fa-f:.-]+")
_URL = re.compile(r"[\"'(<]?(?:[a-z][a-z0-9+.-]*://|www\.)", re.IGNORECASE)
# What the masker wrote (`[NAME]`, `NAME_3f2a1b0c9d8e`): read, so understood.
_MARKER = re.compile(r"\[[A-Z_]+\]|\b[A-Z][A-Z_]*_[0-9a-f]{8,}\b|\[withheld: [^\]]*\]")


class Lexicon:
    """A set of words kept as their sorted 64-bit hashes: 8 bytes a word where a set of
    strings takes about 80 (a collision is one in 2**64 / 10**6)."""

    def __init__(self, words: set[str]) -> None:
        self._hashes = array.array("q", sorted({hash(w) for w in words}))

    def __len__(self) -> int:
        return len(self._hashes)

    def __contains__(self, word: str) -> bool:
        h = hash(word)
        at = bisect.bisect_left(self._hashes, h)
        return at < len(self._hashes) and self._hashes[at] == h


@functools.cache
def known_words() -> Lexicon:
    """Lower-cased words of the Latin-script languages wordfreq knows (each language's
    most frequent; English, the language of code and logs, deeper), accent-folded too,
    with phigate's common words, the name gazetteers and clinical shorthand. Loaded
    once, on first use."""
    from wordfreq import iter_wordlist  # heavy: only when an answer is first judged

    words: set[str] = set()
    for language in LATIN_LANGUAGES:
        size = ENGLISH_WORDS if language == "en" else WORDS_PER_LANGUAGE
        for n, word in enumerate(iter_wordlist(language, "best")):
            if n >= size:
                break
            if len(word) > SHORT or n < SHORT_WORDS_PER_LANGUAGE:
                words.add(word)
    _drop_caches()
    first, last = person_names()
    words.update(w for w in first | last | EPONYMS if len(w) > SHORT)
    words.update(common_words(), _ABBREVIATIONS.split(), _TECHNICAL.split())
    words.update([_folded(w) for w in words if not w.isascii()])
    return Lexicon({w for w in words if len(w) >= 3})


def _drop_caches() -> None:
    """wordfreq keeps every list it read (all its words, tens of MB): the words kept
    here are all this gateway needs of them."""
    import wordfreq

    for name in ("get_frequency_list", "get_frequency_dict", "top_n_list"):
        getattr(wordfreq, name).cache_clear()


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def reads_as_no_language(line: str) -> bool:
    """Whether `line` has `MIN_TOKENS` or more words too few of which are words of a
    language (or a long run of unknown ones in a row)."""
    known = [_is_known(t) for t in _tokens(line)]
    if len(known) < MIN_TOKENS:
        return False
    if sum(known) < MIN_KNOWN * len(known):
        return True
    run = 0
    for k in known:
        run = 0 if k else run + 1
        if run >= MAX_UNKNOWN_RUN:
            return True
    return False


def _is_known(token: str) -> bool:
    if token == "":
        return True  # a marker the masker wrote
    words = known_words()
    lowered = token.lower()
    return lowered in words or _folded(lowered) in words


def _tokens(line: str) -> list[str]:
    """The line's words in order; "" for a marker; an interleaved chunk as one
    unknown word per four letters it holds."""
    if not line.isascii():
        line = unicodedata.normalize("NFC", line)
    tokens: list[str] = []
    singles = 0
    for chunk in _CHUNK.findall(line):
        if _MARKER.fullmatch(chunk) or (_MARKER.search(chunk) and len(chunk) < 40):
            tokens.append("")
            continue
        letters = _LETTERS.findall(chunk)
        if len(letters) == 1 and len(letters[0]) == 1 and len(chunk) <= 2:
            singles += 1  # letters spaced out: "p a t i e n t"
            continue
        tokens += _spaced(singles)
        singles = 0
        tokens += _chunk_tokens(chunk, letters)
    return tokens + _spaced(singles)


def _spaced(singles: int) -> list[str]:
    return ["\x00"] * (singles // 4) if singles >= 4 else []


def _chunk_tokens(chunk: str, letters: list[str]) -> list[str]:
    if _interleaved(chunk):
        return ["\x00"] * max(1, sum(map(len, letters)) // 4)
    if _URL.match(chunk) or (_DIGIT.search(chunk) and _random(chunk)):
        return []  # an address; a hash, an id, base64, a version: no words
    return [p for run in letters for p in _PIECE.findall(run) if len(p) >= 3 and _latin(p)]


def _latin(piece: str) -> bool:
    """Latin letters (Basic to Extended-B, and Vietnamese's Extended Additional): other
    scripts are not judged."""
    return piece.isascii() or all(ord(c) < 0x250 or 0x1E00 <= ord(c) < 0x1F00 for c in piece)


def _random(chunk: str) -> bool:
    """Letters and digits mixed as no word is: two runs of digits or more, a long
    chunk, or letters of hexadecimal only. (`gur1 cngvrag1`, a digit after each word,
    is still read.)"""
    return len(chunk) >= 16 or len(_DIGITS.findall(chunk)) >= 2 or _HEX.fullmatch(chunk) is not None


def _interleaved(chunk: str) -> bool:
    """Four or more letters each followed by one same character that is no letter:
    `p.a.t.i.e.n.t`, `p1a1t1i1e1n1t` (an initialism, `U.S.A.`, has three)."""
    if len(chunk) < 7:
        return False
    letters, gaps = chunk[0::2], chunk[1::2]
    return (
        len(set(gaps)) == 1
        and not gaps[0].isalpha()
        and not gaps[0].isspace()
        and all(c.isalpha() for c in letters)
    )
