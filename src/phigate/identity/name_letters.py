"""The characters a subject may hold: an allowlist, not a list of known bad things.

Lists of refused characters (invisible ones, Latin look-alikes with an ASCII
prototype) failed on the cases nobody listed: Latin small capitals `ᴅᴀɴᴀ`, Cherokee
`ᎠᎪᏁᎪ`, a musical symbol drawn blank after `dana`. So a normal subject may hold only
what is understood, in the spirit of UTS #39's "Highly Restrictive" profile and its
Identifier_Status=Allowed data:

- printable ASCII (U+0020–U+007E): identity providers sign ids such as
  `auth0|5f1c`, `system:serviceaccount:ci:bot` or `dana@example.org`, and every
  ASCII character is drawn distinctly in every place a subject is shown;
- letters of the recommended scripts of UAX #31 (Table 5), and only in the Unicode
  blocks named in `ALLOWED_BLOCKS` below: Latin beyond ASCII only in Latin-1 Supplement,
  Latin Extended-A/B and Latin Extended Additional (not IPA Extensions U+0250–02AF or
  the Phonetic Extensions U+1D00–1DBF, where small capitals live), Greek and Cyrillic
  only in their basic blocks; no Cherokee (its capitals are drawn as Latin ones);
- combining marks only on a letter of their own script, at most `_MARKS_PER_LETTER`
  on one letter (more for the scripts that stack them).

Two rules keep a Latin letter from passing for an ASCII one without listing
look-alikes (Unicode's confusables data has no ASCII prototype for `ȷ` or `ĸ`):

- a Latin letter beyond ASCII is an ASCII letter with marks (its NFD decomposition:
  `é`, `ü`, `ñ`) or one of `DISTINCT_LATIN`, letters of their own that real names
  use; every other one (`ȷ` dotless j, `ĸ` kra, `ı` dotless i, `ƅ`) is refused;
- a Combining Diacritical Mark (U+0300–036F) stays only where NFC composes it with
  its letter into one precomposed letter (`o` + U+0301 is `ó`): one that cannot
  compose (`i` + U+0307 COMBINING DOT ABOVE, drawn as a plain `i`) is refused.

Everything else is refused: symbols (S*), digits other than 0–9, punctuation and
spaces beyond ASCII, format, control, private-use and unassigned code points. Python's
`unicodedata` has general categories but no scripts, hence the table of blocks
(Unicode Blocks.txt names, ranges as in Unicode 14, the version Python's
`unicodedata` implements; a code point unassigned there is category Cn and refused).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from typing import NamedTuple

from phigate.core.ignorable import is_ignorable

_PRINTABLE_ASCII = (0x20, 0x7E)
_LETTER_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo"})
_MARK_CATEGORIES = frozenset({"Mn", "Mc"})
_MARKS_PER_LETTER = 2
# Combining Diacritical Marks (U+0300–036F) are of no script of their own (Inherited):
# they go on letters of these scripts (`i̇` of `İstanbul`, case-folded, is i + U+0307).
_INHERITED = "Inherited"
_TAKES_INHERITED = frozenset({"Latin", "Greek", "Cyrillic"})
# Scripts whose syllables stack marks (a Tibetan consonant with two subjoined ones and
# a vowel sign; a Myanmar medial, vowel and tone): how many one letter may carry.
_STACKING = {"Tibetan": 4, "Myanmar": 4, "Khmer": 3}


class Block(NamedTuple):
    """A Unicode block (Blocks.txt) whose letters and marks a subject may hold."""

    first: int
    last: int
    script: str


# Sorted by first code point. Hiragana and Katakana share one script here: Japanese
# writes one word in both, and their voiced-sound marks go on either.
ALLOWED_BLOCKS = (
    Block(0x0041, 0x007A, "Latin"),  # Basic Latin letters (A–Z, a–z; ASCII anyway)
    Block(0x00C0, 0x00FF, "Latin"),  # Latin-1 Supplement letters (× and ÷ are Sm)
    Block(0x0100, 0x017F, "Latin"),  # Latin Extended-A
    Block(0x0180, 0x024F, "Latin"),  # Latin Extended-B
    Block(0x0300, 0x036F, _INHERITED),  # Combining Diacritical Marks
    Block(0x0370, 0x03FF, "Greek"),  # Greek and Coptic
    Block(0x0400, 0x04FF, "Cyrillic"),  # Cyrillic
    Block(0x0530, 0x058F, "Armenian"),  # Armenian
    Block(0x0590, 0x05FF, "Hebrew"),  # Hebrew
    Block(0x0600, 0x06FF, "Arabic"),  # Arabic
    Block(0x0780, 0x07BF, "Thaana"),  # Thaana
    Block(0x0900, 0x097F, "Devanagari"),  # Devanagari
    Block(0x0980, 0x09FF, "Bengali"),  # Bengali
    Block(0x0A00, 0x0A7F, "Gurmukhi"),  # Gurmukhi
    Block(0x0A80, 0x0AFF, "Gujarati"),  # Gujarati
    Block(0x0B00, 0x0B7F, "Oriya"),  # Oriya
    Block(0x0B80, 0x0BFF, "Tamil"),  # Tamil
    Block(0x0C00, 0x0C7F, "Telugu"),  # Telugu
    Block(0x0C80, 0x0CFF, "Kannada"),  # Kannada
    Block(0x0D00, 0x0D7F, "Malayalam"),  # Malayalam
    Block(0x0D80, 0x0DFF, "Sinhala"),  # Sinhala
    Block(0x0E00, 0x0E7F, "Thai"),  # Thai
    Block(0x0E80, 0x0EFF, "Lao"),  # Lao
    Block(0x0F00, 0x0FFF, "Tibetan"),  # Tibetan
    Block(0x1000, 0x109F, "Myanmar"),  # Myanmar
    Block(0x10A0, 0x10FF, "Georgian"),  # Georgian
    Block(0x1100, 0x11FF, "Hangul"),  # Hangul Jamo
    Block(0x1200, 0x137F, "Ethiopic"),  # Ethiopic
    Block(0x1780, 0x17FF, "Khmer"),  # Khmer
    Block(0x1E00, 0x1EFF, "Latin"),  # Latin Extended Additional
    Block(0x3005, 0x3005, "Han"),  # 々 IDEOGRAPHIC ITERATION MARK (佐々木), alone of its block
    Block(0x3041, 0x309F, "Japanese kana"),  # Hiragana
    Block(0x30A0, 0x30FF, "Japanese kana"),  # Katakana (ー U+30FC; ・ is Po, refused)
    Block(0x3100, 0x312F, "Bopomofo"),  # Bopomofo
    Block(0x3400, 0x4DBF, "Han"),  # CJK Unified Ideographs Extension A
    Block(0x4E00, 0x9FFF, "Han"),  # CJK Unified Ideographs
    Block(0xAC00, 0xD7AF, "Hangul"),  # Hangul Syllables
    Block(0x20000, 0x2A6DF, "Han"),  # CJK Unified Ideographs Extension B
    Block(0x2A700, 0x2EBEF, "Han"),  # CJK Unified Ideographs Extensions C, D, E, F
    Block(0x30000, 0x3134F, "Han"),  # CJK Unified Ideographs Extension G
)
_FIRSTS = [block.first for block in ALLOWED_BLOCKS]
# Latin letters that are no ASCII letter with marks, yet letters of their own in the
# alphabets of real names (German, Danish and Norwegian, Icelandic, Polish, Croatian,
# Maltese, Sámi), in both cases: each is drawn unlike any ASCII letter. Not `æ` and
# `œ`: Unicode's confusables data reads them as `ae` and `oe`.
DISTINCT_LATIN = frozenset("ßẞøØðÐþÞłŁđĐħĦŋŊ")
# Letters of allowed blocks that draw no letter of their own: ARABIC TATWEEL only
# stretches the joint between two letters (`مـحمد` is `محمد`), as IDNA2008 disallows it.
_NOT_LETTERS = frozenset({"\u0640"})


def block_script(char: str) -> str | None:
    """The script of the allowed block holding `char` (None: in no allowed block)."""
    code = ord(char)
    index = bisect_right(_FIRSTS, code) - 1
    if index < 0 or code > ALLOWED_BLOCKS[index].last:
        return None
    return ALLOWED_BLOCKS[index].script


def is_name_character(char: str) -> bool:
    """Whether `char` may stand in a subject at all (marks also need a letter first,
    into which NFC composes a Combining Diacritical Mark: `first_refused`)."""
    if _PRINTABLE_ASCII[0] <= ord(char) <= _PRINTABLE_ASCII[1]:
        return True
    if is_ignorable(char) or char in _NOT_LETTERS:  # Hangul fillers are letters (Lo)
        return False
    category = unicodedata.category(char)
    allowed = _LETTER_CATEGORIES | _MARK_CATEGORIES
    script = block_script(char)
    if script == "Latin" and not _is_latin_name_letter(char):
        return False
    return category in allowed and script is not None


def _is_latin_name_letter(char: str) -> bool:
    """Whether a letter of a Latin block is ASCII, an ASCII letter with marks (NFD) or a
    distinct letter names use: anything else (`ȷ`, `ĸ`) may be read as ASCII."""
    if char.isascii() or char in DISTINCT_LATIN:
        return True
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    return (
        base.isascii()
        and base.isalpha()
        and marks != ""
        and all(unicodedata.category(mark) in _MARK_CATEGORIES for mark in marks)
    )


def first_refused(subject: str) -> tuple[str, str] | None:
    """The first character of `subject` the allowlist refuses and why, or None.

    Marks are checked against the letter they follow: a mark on nothing, on
    punctuation or on a letter of another script, or one too many on one letter, is
    refused (a stack of marks draws over its neighbours)."""
    base: str | None = None  # script of the letter marks would go on
    marks = 0
    for char in subject:
        if not is_name_character(char):
            return char, _why_not(char)
        if unicodedata.category(char) not in _MARK_CATEGORIES:
            letter = unicodedata.category(char) in _LETTER_CATEGORIES
            base, marks = (block_script(char) if letter else None), 0
            continue
        marks += 1
        if base is None or not _goes_on(block_script(char), base):
            return char, "a combining mark must follow a letter of its own script"
        if marks > _STACKING.get(base, _MARKS_PER_LETTER):
            return char, "too many combining marks on one letter"
    return _first_uncomposed_mark(subject)


def _first_uncomposed_mark(subject: str) -> tuple[str, str] | None:
    """A Combining Diacritical Mark that NFC leaves standing after its letter: it has
    no precomposed letter, so nothing says how it is drawn (`i` + U+0307 is drawn as
    the `i` it already is; `ALİCE` case-folded would be a second `alice`)."""
    for char in unicodedata.normalize("NFC", subject):
        if block_script(char) == _INHERITED:
            return char, "a combining mark must compose with its letter into one letter"
    return None


def _goes_on(mark_script: str | None, base: str) -> bool:
    if mark_script == _INHERITED:
        return base in _TAKES_INHERITED
    return mark_script == base


def _why_not(char: str) -> str:
    category = unicodedata.category(char)
    if category.startswith("S"):
        return "symbols are not part of names"
    if category == "Nd":
        return "only the digits 0-9 are allowed"
    if category[0] in "CZ" or is_ignorable(char):
        return "invisible, control, separator and unassigned characters are not allowed"
    if char in _NOT_LETTERS:
        return "it draws nothing of its own"
    if block_script(char) == "Latin" and category[0] == "L":
        return (
            "a Latin letter beyond ASCII must be an ASCII letter with marks (é, ü, ñ) or "
            "a distinct letter of names (ß, ø, ð, þ, ł, đ, ħ, ŋ); others may read as ASCII"
        )
    if category[0] in "LM":
        return "it is not a letter of a script allowed in subjects (see docs/configuration.md)"
    return "only ASCII punctuation and spaces are allowed"
