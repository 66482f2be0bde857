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
import itertools
import threading
import unicodedata
from collections.abc import Iterable, Iterator

import re2

from phigate.masking._frequent_words import frequent_words
from phigate.masking._wordlists import EPONYMS, common_words, person_names
from phigate.masking.entities import BUILTIN_TYPES

# A line with fewer words is not judged: a heading, a log prefix, a short label.
MIN_TOKENS = 6
# The share of words of a language below which a line reads as none.
MIN_KNOWN = 0.4
# Unknown words in a row past which a line reads as none even when padded with words.
MAX_UNKNOWN_RUN = 8
# The most frequent words of each language taken (wordfreq orders them by frequency):
# English, the language of code, logs and clinical shorthand, from its large list;
# the others from their small lists, whose first words are the same.
ENGLISH_WORDS = 60_000
WORDS_PER_LANGUAGE = 15_000
# Words of three or four letters are taken from each language's most frequent only:
# in 27 languages' lists nearly every short string is some word ("saw", "nau",
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

# Distinct chunks (text between spaces) whose judgement is kept: about 3 MB.
CHUNKS_CACHED = 16_384

# RE2, like every pattern of the masker's (linear in what an upstream sends); each
# chunk's judgement is kept (`CHUNKS_CACHED`), so its calls are few.
_LETTERS = re2.compile(r"\pL+")
# A piece of an identifier: a capitalised word, a run of capitals, or lower case.
_PIECE = re2.compile(r"[A-Z]+[a-z]*|[a-z]+")
_DIGIT = re2.compile(r"[0-9]")
# A capitalised word in pig latin: its first letters moved behind it, then "ay".
_PIG_LATIN = re2.compile(r"[a-z]+[A-Z][a-z]{0,2}ay")
_DIGITS = re2.compile(r"[0-9]+")
# A run of letters and digits: an id, or a word, between a chunk's separators.
_RUN = re2.compile(r"[\pL0-9]+")
# Base64's own marks: `=` padding at its end, `+` between its letters and digits.
_BASE64_TELL = re2.compile(r"[A-Za-z0-9]=+[\"',;]*$|[A-Za-z0-9]\+[A-Za-z0-9]")
_HEX = re2.compile(r"[0-9A-Fa-f:.-]+")
_URL = re2.compile(r"(?i)[\"'(<]?(?:[a-z][a-z0-9+.-]*://|www\.)")
# What the masker writes, exactly: its entity types' placeholders (`[SSN]`) and
# pseudonyms (`PERSON_3f2a1b0c9d8e`), its other placeholders, its withheld notes. Any
# other capitals in brackets (`[NVFUN]`) are words to judge, never markers.
_WRITTEN = sorted(BUILTIN_TYPES | {"VALUE", "WITHHELD", "MASKED", "BYTES", "BINARY"})
_TYPES = "|".join(_WRITTEN)
_MARKER = re2.compile(rf"\[(?:{_TYPES})\]|\b(?:{_TYPES})_[0-9a-f]{{12}}\b|\[withheld: [^\]]*\]")


class Lexicon:
    """A set of words kept as their sorted 64-bit hashes: 8 bytes a word where a set of
    strings takes about 80 (a collision is one in 2**64 / 10**6). Words are hashed as
    they are read, so their strings never pile up (freed at once, their memory goes
    back to the system)."""

    def __init__(self, words: Iterable[str]) -> None:
        hashes = array.array("q", (hash(w) for w in words if len(w) >= 3))
        self._hashes = array.array("q", sorted(set(hashes)))

    def __len__(self) -> int:
        return len(self._hashes)

    def __contains__(self, word: str) -> bool:
        h = hash(word)
        at = bisect.bisect_left(self._hashes, h)
        return at < len(self._hashes) and self._hashes[at] == h


_LOADING = threading.Lock()


def preload() -> None:
    """Load the words in the background (when a connection that judges its answers is
    built, at gateway start) so no answer waits on them."""
    if _loaded.cache_info().currsize == 0:
        threading.Thread(target=known_words, name="lexicon", daemon=True).start()


def known_words() -> Lexicon:
    """Lower-cased words of the Latin-script languages wordfreq knows (each language's
    most frequent; English, the language of code and logs, deeper), accent-folded too,
    with phigate's common words, the name gazetteers and clinical shorthand. Loaded
    once (`preload` at start, else on first use)."""
    with _LOADING:
        return _loaded()


@functools.cache
def _loaded() -> Lexicon:
    first, last = person_names()
    names = (w for w in first | last | EPONYMS if len(w) > SHORT)
    ours = itertools.chain(common_words(), _ABBREVIATIONS.split(), _TECHNICAL.split())
    return Lexicon(_with_folded(itertools.chain(_languages(), names, ours)))


def _languages() -> Iterator[str]:
    for language in LATIN_LANGUAGES:
        english = language == "en"
        size = ENGLISH_WORDS if english else WORDS_PER_LANGUAGE
        listed = frequent_words(language, size, "large" if english else "small")
        yield from itertools.islice(listed, SHORT_WORDS_PER_LANGUAGE)
        yield from (w for w in listed if len(w) > SHORT)


def _with_folded(words: Iterable[str]) -> Iterator[str]:
    """Each word, and an accented one without its accents too."""
    for word in words:
        yield word
        if not word.isascii():
            yield _folded(word)


# What NFKD splits off Latin letters, their accents: dropped by `str.translate`.
_ACCENTS: dict[int, None] = dict.fromkeys(
    [*range(0x300, 0x370), *range(0x1DC0, 0x1E00), *range(0x20D0, 0x2100), *range(0xFE20, 0xFE30)]
)


def _folded(text: str) -> str:
    """`text` without accents ("é" to "e"; Vietnamese's stacked ones too)."""
    return unicodedata.normalize("NFKD", text).translate(_ACCENTS)


def reads_as_no_language(line: str) -> bool:
    """Whether `line` has `MIN_TOKENS` or more words too few of which are words of a
    language (or a long run of unknown ones in a row: judged as soon as seen, so a
    line of gibberish is not read to its end)."""
    if len(line) < MIN_LETTERS:
        return False  # too short to hold MIN_TOKENS words
    words = known = run = 0
    for k in _known(line):
        words += 1
        known += k
        run = 0 if k else run + 1
        if run >= MAX_UNKNOWN_RUN:
            return True
    return words >= MIN_TOKENS and known < MIN_KNOWN * words


# Each word yields at most one token per three letters (an interleaved or spaced-out
# one per four): a shorter line cannot hold MIN_TOKENS.
MIN_LETTERS = 3 * MIN_TOKENS


def _known(line: str) -> Iterator[bool]:
    """For each of the line's words in order, whether it is a word of a language (a
    marker the masker wrote is); letters spaced out as one unknown word per four."""
    if not line.isascii():
        line = unicodedata.normalize("NFC", line).translate(_lookalikes())
    singles = 0
    for chunk in line.split():
        words = _chunk_known(chunk)
        if words is None:
            singles += 1  # letters spaced out: "p a t i e n t"
            continue
        yield from [False] * (singles // 4)
        singles = 0
        yield from words
    yield from [False] * (singles // 4)


# What a look-alike letter is read as: a letter of Latin script in no dictionary, so
# the word holding it is unknown.
_UNJUDGED = "\u01c2"


@functools.cache
def _lookalikes() -> dict[int, str]:
    """Letters that look Latin but lie outside the alphabet judged (`_latin`): small
    capitals ("ᴘᴀᴛɪᴇɴᴛ"), circled, mathematical and other styled letters. Each is read
    as `_UNJUDGED`, so their words are unknown: fail closed, rather than a line of them
    never judged. Fullwidth letters, written in East Asian text, are read as ASCII."""
    table: dict[int, str] = {}
    for c in range(0x250, 0x20000):
        char = chr(c)
        if 0x1E00 <= c < 0x1F00 or not (char.isalpha() or char.isalnum() or _styled(char)):
            continue
        name = unicodedata.name(char, "")
        form = unicodedata.normalize("NFKC", char)
        if name.startswith("FULLWIDTH LATIN"):
            table[c] = form
        elif "LATIN" in name or (form.isascii() and form.isalpha()):
            table[c] = _UNJUDGED
    return table


def _styled(char: str) -> bool:
    """A letter drawn as a symbol (circled "ⓐ" is no letter to Unicode)."""
    return unicodedata.category(char) == "So" and "LATIN" in unicodedata.name(char, "")


# Punctuation around a plain word.
_AROUND = ".,;:!?()\"'"


@functools.lru_cache(maxsize=CHUNKS_CACHED)
def _chunk_known(chunk: str) -> tuple[bool, ...] | None:
    """Whether each word of one chunk (text between spaces) is known; None for a single
    letter. Text repeats its chunks ("the", "patient", a log's field names): each is
    judged once (a dictionary look-up is a third of the work, the regexes the rest)."""
    word = chunk.strip(_AROUND)
    if word.isalpha():  # a plain word (most are): no marker, address, code or gap
        if len(word) == 1:
            return None if len(chunk) <= 2 else ()
        return tuple(_is_known(p) for p in _pieces(word) if len(p) >= 3 and _latin(p))
    if ("[" in chunk or "_" in chunk) and _MARKER.search(chunk):
        return _around_markers(chunk)
    letters = _LETTERS.findall(chunk)
    if len(letters) == 1 and len(letters[0]) == 1 and len(chunk) <= 2:
        return None
    return tuple(map(_is_known, _chunk_tokens(chunk, letters)))


def _around_markers(chunk: str) -> tuple[bool, ...]:
    """A chunk holding the masker's markers: each marker is read, the letters around
    them (`Nvfun[X]`, `Zhecul[PERSON]`) are judged as words of their own."""
    rest = [c for c in _MARKER.sub(" ", chunk).split() if _LETTERS.search(c)]
    return (True, *itertools.chain.from_iterable(_chunk_known(c) or () for c in rest))


def _is_known(word: str) -> bool:
    if word == "\x00":
        return False  # letters interleaved
    words = known_words()
    lowered = word.lower()
    return lowered in words or (not lowered.isascii() and _folded(lowered) in words)


def _chunk_tokens(chunk: str, letters: list[str]) -> list[str]:
    if _interleaved(chunk):
        return ["\x00"] * max(1, sum(map(len, letters)) // 4)
    address = ("://" in chunk or "www." in chunk.lower()) and _URL.match(chunk)
    if address:
        return []
    words = _letters_apart_from_ids(chunk) if _DIGIT.search(chunk) else letters
    if words is None:
        return []  # a hash, an id, base64, a version: no words
    return [p for run in words for p in _pieces(run) if len(p) >= 3 and _latin(p)]


def _letters_apart_from_ids(chunk: str) -> list[str] | None:
    """The letters of a chunk with digits that lie outside its ids; None when the chunk
    is one id (a hash, base64, a version). A long chunk is judged by its runs of letters
    and digits, not as a whole: words joined by `/`, `_` or `-` with numbers among them
    (`Cngvrag/Nvfun/obea/18/Zne/1939`) are words, however long the chunk; a chunk most
    of whose letters share a run with digits, or that has base64's `=` or `+`, is one."""
    if len(chunk) < 16 or _HEX.fullmatch(chunk) or _BASE64_TELL.search(chunk):
        return None if _random(chunk) else _LETTERS.findall(chunk)
    runs = _RUN.findall(chunk)
    mixed = sum(sum(map(str.isalpha, r)) for r in runs if _DIGIT.search(r))
    if 2 * mixed >= sum(map(str.isalpha, chunk)):
        return None
    words = (r for r in runs if not (_DIGIT.search(r) and _random(r)))
    return [w for r in words for w in _LETTERS.findall(r)]


def _pieces(run: str) -> list[str]:
    """An identifier's parts (`getPatientName`, `HTTPServer`); a run with letters
    beyond ASCII is cut only where a lower-case letter meets a capital (`_PIECE`'s
    ASCII classes would cut "přijata" at its "ř")."""
    if run.islower() or run.istitle():
        return [run]
    if run.isascii():
        if _PIG_LATIN.fullmatch(run):
            return [run]  # one word moved, not two: "urphyMay" is no "urphy" and "May"
        return [p for found in _PIECE.findall(run) for p in _capitals(found)]
    cuts = [i for i in range(1, len(run)) if run[i - 1].islower() and run[i].isupper()]
    return [run[a:b] for a, b in itertools.pairwise([0, *cuts, len(run)])]


def _capitals(piece: str) -> list[str]:
    """A run of capitals before a capitalised word is two pieces: `HTTPServer` is
    "HTTP" and "Server" (RE2 has no look-ahead to cut there)."""
    caps = len(piece) - len(piece.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if 2 <= caps < len(piece):
        return [piece[: caps - 1], piece[caps - 1 :]]
    return [piece]


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
