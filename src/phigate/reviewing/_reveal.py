"""Make every character of a text visible: the one escaping rule of reviewer surfaces.

A reviewer approves what they read, so nothing may read differently from what runs:
control, format and direction characters, line separators, spaces other than U+0020,
and characters that look like a quote or a semicolon are shown as escapes (`\\u02bc`,
`\\n`) and counted; long runs of spaces are shown as `⟨220 spaces⟩` so nothing hides
off to the right. The text is cut into segments so a surface that can style (HTML, a
terminal) marks the escapes, and one that cannot still prints them.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from confusable_homoglyphs import categories, confusables

from phigate.core.ignorable import is_ignorable
from phigate.identity.look_alikes import (
    other_reading,
    passes_for_ascii,
    reads_as_ascii,
    reads_in,
    script_of,
)

# Characters that pass for ASCII punctuation a statement's meaning depends on
# (quotes end literals, semicolons end statements) but are not it.
LOOK_ALIKES = frozenset(
    "\u00b4\u02b9\u02ba\u02bb\u02bc\u02bd\u02be\u02bf\u02c8\u02ca\u02cb\u02dd"
    "\u037e\u055a\u05f3\u05f4\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032"
    "\u2033\u2035\u2036\u2039\u203a\u275b\u275c\u275d\u275e\ua78b\ua78c\ufe54\uff02"
    "\uff07\uff1b\uff40\u2010\u2011\u2012\u2212\ufe63\uff0d"
)
# Letters and symbols that draw nothing although they are not marked as format.
BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
# Characters of no script of their own (digits, `_`, combining marks) go with any.
_ANY_SCRIPT = frozenset({"COMMON", "INHERITED"})
# Scripts one writing system mixes by design (Japanese, Korean): not look-alikes.
_WRITING_SYSTEMS = (
    frozenset({"HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"HAN", "HANGUL"}),
)
# The scripts of Japanese words, judged as subjects are (`夕ナ力` reads `タナカ`).
_JAPANESE = _WRITING_SYSTEMS[0]
_WORD = re.compile(r"\w+")


def mixes_scripts(scripts: set[str]) -> bool:
    """Whether letters of `scripts` together can hide one script's letter in another."""
    scripts = scripts - _ANY_SCRIPT
    return len(scripts) > 1 and not any(scripts <= system for system in _WRITING_SYSTEMS)


def _look_alike_letters(text: str) -> tuple[dict[int, str], set[str]]:
    """The letters of `text` to escape as look-alikes (index → reason), and the scripts
    its letters are in.

    Per word, by the rule subjects are judged by (phigate.identity.look_alikes), so
    real text in another script stays readable:

    - a Japanese word (Han, hiragana, katakana) with a reading in fewer or other
      scripts (`夕ナ力` reads `タナカ`) has the letters outside that reading escaped;
    - a word mixing scripts is judged against each script it is written in: if all its
      letters read in one of them (Latin first: drawn as ASCII letters, `ассерtеԁ` with
      one Latin `t` reads `accepted`), every letter of another script is escaped;
      otherwise the minority script's letters that pass for the main script's (ties:
      the main script is Latin; `Ωmega` keeps its Ω);
    - a word wholly in another script whose every letter is drawn as an ASCII letter
      (`рау` in Cyrillic reads as `pay`) is always escaped, whatever text is around it
      (`раіԁ (оплачено)`); one that reads as Latin only through small capitals (`крови`
      as `ĸᴘовᴎ`) is escaped unless another word of the text is real text in its script,
      so a Russian name or note in a literal is shown as written.

    The scripts let a reviewer view warn of a statement mixing them.
    """
    found: dict[int, str] = {}
    scripts: set[str] = set()
    if text.isascii():
        return found, {"LATIN"} if any(c.isalpha() for c in text) else scripts
    disguised: list[tuple[int, list[str]]] = []  # words read as Latin through small capitals
    written: set[str] = set()  # scripts with a word that passes for no Latin one
    for match in _WORD.finditer(text):
        word = match.group()
        by_letter = [_script(c) for c in word]
        counts = Counter(s for s in by_letter if s not in _ANY_SCRIPT)
        scripts |= set(counts)
        if counts and set(counts) <= _JAPANESE:
            reading = other_reading(word)
            if reading is not None:
                read = ", ".join(sorted(reading))
                _mark(found, match.start(), by_letter, reading, f"word that reads in {read}")
        elif mixes_scripts(set(counts)):
            _mark_mixed(found, match.start(), word, by_letter, counts)
        elif len(counts) == 1 and "LATIN" not in counts:
            if reads_as_ascii(word):
                _mark(found, match.start(), by_letter, frozenset(), "word of Latin look-alikes")
            elif _reads_as_latin(word):
                disguised.append((match.start(), by_letter))
            else:
                written |= set(counts)
    # Real text in that script (`в норме`, Russian for "normal") keeps its words that
    # read as Latin only through small capitals; a lone `крови` among Latin ones does not.
    for start, by_letter in disguised:
        _mark(found, start, by_letter, frozenset(written), "word of Latin look-alikes")
    return found, scripts


def _mark_mixed(
    found: dict[int, str], start: int, word: str, by_letter: list[str], counts: Counter[str]
) -> None:
    """Escape the look-alikes of a word mixing scripts (see `_look_alike_letters`)."""
    others = sorted(set(counts) - {"LATIN"}, key=lambda s: (-counts[s], s))
    if "LATIN" in counts and reads_as_ascii(word):
        whole = "LATIN"
    else:
        whole = next((script for script in others if reads_in(word, script)), "")
    if whole:
        _mark(found, start, by_letter, frozenset({whole}), f"{whole} word")
        return
    main = max(counts, key=lambda s: (counts[s], s == "LATIN"))
    for at, script in enumerate(by_letter):
        if script not in _ANY_SCRIPT and script != main and reads_in(word[at], main):
            found[start + at] = f"a {script} look-alike in a {main} word"


def _mark(
    found: dict[int, str], start: int, by_letter: list[str], kept: frozenset[str], word: str
) -> None:
    """Escape every letter of a word whose script is not one of `kept`."""
    for at, script in enumerate(by_letter):
        if script not in _ANY_SCRIPT and script not in kept:
            found[start + at] = f"a {script} look-alike in a {word}"


def _unlike_themselves(text: str) -> dict[int, str]:
    """The characters of `text` to escape as drawn like others within their own script
    (index → reason), by the rules subjects are judged by (phigate.identity):

    - one that is not its own normal form (NFKC): `ⅾ` (a Roman numeral), `𝗉` and `𝟷`
      (mathematical letters and digits), the Kelvin sign `K`, fullwidth `ｄ` and `１`:
      drawn as the letter they fold to, they are other bytes (`'ⅾenieⅾ'` is no `'denied'`);
    - a letter of Latin or no script that Unicode's confusables data reads as an ASCII
      one (`ɑ`, `ɡ`, `ı`);
    - a stroke that is no letter but is drawn as one next to a letter of a script that
      writes it (`―`, `─`, `—` as the katakana long-vowel mark `ー` in `ロ―ド`);
    - a combining mark on a letter drawn as an ASCII one that NFC does not compose
      into one letter with it (`i` + U+0307 is drawn as `i`; `e` + U+0301 is `é`).
    """
    found: dict[int, str] = {}
    base, marks = 0, ""
    for at, char in enumerate(text):
        if unicodedata.combining(char):
            marks += char
        else:
            base, marks = at, ""
        if char.isascii():
            continue
        reason = _unlike_itself(char)
        if reason is None and _letter_scripts(char) and _beside_writers(text, at, char):
            reason = "drawn as a letter beside letters"
        if reason is None and marks and _mark_not_composed(text[base], marks):
            reason = "a mark no letter holds, drawn into its base"
        if reason is not None:
            found[at] = reason
    return found


@functools.lru_cache(maxsize=4096)
def _unlike_itself(char: str) -> str | None:
    """Why `char` alone is drawn as another character of its script, or None."""
    normal = unicodedata.normalize("NFKC", char)
    if normal != char:
        return f"a compatibility form of {normal.strip()!r}"
    if passes_for_ascii(char):
        return "reads as an ASCII letter"
    return None


@functools.lru_cache(maxsize=4096)
def _letter_scripts(char: str) -> frozenset[str]:
    """The scripts of the letters `char`, itself no letter, is drawn as (by the
    confusables data); the katakana long-vowel mark `ー`, of no script itself, is
    written with kana and Han."""
    if char.isalnum() or unicodedata.combining(char):
        return frozenset()
    scripts: set[str] = set()
    for alike in confusables.confusables_data.get(char, ()):
        letter = str(alike["c"])
        if len(letter) == 1 and letter.isalpha():
            own = script_of(letter)
            scripts |= _JAPANESE if own in _ANY_SCRIPT else {own}
    return frozenset(scripts)


def _beside_writers(text: str, at: int, char: str) -> bool:
    """Whether a letter beside `at` is of a script that writes a letter `char` is
    drawn as (`―` beside katakana; not `—` between Latin words)."""
    beside = {
        _script(text[near])
        for near in (at - 1, at + 1)
        if 0 <= near < len(text) and text[near].isalpha()
    }
    return not beside.isdisjoint(_letter_scripts(char))


def _mark_not_composed(base: str, marks: str) -> bool:
    """Whether `marks` on `base`, a letter drawn as an ASCII one, make no one letter."""
    return reads_as_ascii(base) and len(unicodedata.normalize("NFC", base + marks)) != 1


@functools.lru_cache(maxsize=4096)
def _script(char: str) -> str:
    return str(categories.alias(char))


def _reads_as_latin(word: str) -> bool:
    """Whether every letter of `word` passes for a Latin one, a letter with marks by
    its base where Latin has it with those marks (Cyrillic `ё` as `ë`): the rule
    subjects are judged by (phigate.identity.look_alikes)."""
    return reads_in(word, "LATIN")


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
SPACE_RUN = 4  # spaces in a row inside a literal or argument before they are counted


@dataclass
class Shown:
    """A text as a reviewer sees it: pieces (text, is_escape) and what was escaped.

    Pieces are only appended (a long statement stays linear); neighbouring plain
    pieces are joined when `segments` is read.
    """

    parts: list[tuple[str, bool]] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    space_runs: list[int] = field(default_factory=list)
    scripts: set[str] = field(default_factory=set)

    @property
    def text(self) -> str:
        return "".join(part for part, _ in self.parts)

    @property
    def segments(self) -> list[tuple[str, bool]]:
        merged: list[tuple[str, bool]] = []
        for escaped, group in itertools.groupby(self.parts, key=lambda p: p[1]):
            pieces = [part for part, _ in group]
            if escaped:
                merged.extend((p, True) for p in pieces)
            else:
                merged.append(("".join(pieces), False))
        return merged

    def add(self, part: str, escape: bool = False) -> None:
        if part:
            self.parts.append((part, escape))

    def extend(self, other: Shown) -> None:
        self.parts += other.parts
        self.hidden += other.hidden
        self.space_runs += other.space_runs
        self.scripts |= other.scripts


def escape(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def why_hidden(char: str, previous: str) -> str | None:
    """Why `char` must be shown escaped (outside line layout), or None."""
    if char == "\n":
        return "line break inside a value"
    if char in LOOK_ALIKES:
        return _name(char) + " (looks like ASCII punctuation)"
    category = unicodedata.category(char)
    if category in _HIDDEN_CATEGORIES or char in BLANKS:
        return _name(char)
    if is_ignorable(char):
        return _name(char) + " (draws nothing)"
    if category == "Zs" and char != " ":
        return _name(char) + " (looks like a space)"
    if category in ("Mn", "Me") and previous.isascii() and not previous.isalnum():
        # On a quote or a space a mark changes what the reader takes it for; on a
        # letter it is how decomposed text (é as e + U+0301) is spelled.
        return _name(char) + " (combining mark on ASCII punctuation)"
    if not char.isascii() and unicodedata.normalize("NFKC", char) in "'\";`":
        return _name(char) + " (looks like ASCII punctuation)"
    return None


def _name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def reveal(text: str, *, keep_breaks: bool = False, space_run: int | None = SPACE_RUN) -> Shown:
    """`text` with every hidden or look-alike character escaped.

    `keep_breaks` keeps plain line breaks as layout (between statements, in a
    document on stdin); inside a literal, an identifier or an argument they are
    escaped, since there they change what the value is, not how it is laid out.
    Runs of at least `space_run` spaces are collapsed to a visible count.
    """
    look_alikes, scripts = _look_alike_letters(text)
    look_alikes = _unlike_themselves(text) | look_alikes
    shown = Shown(scripts=scripts)
    i, previous = 0, " "
    while i < len(text):
        char = text[i]
        if char == " " and space_run is not None:
            end = i
            while end < len(text) and text[end] == " ":
                end += 1
            if end - i >= space_run:
                shown.add(f"⟨{end - i} spaces⟩", True)
                shown.space_runs.append(end - i)
            else:
                shown.add(text[i:end])
            i, previous = end, " "
            continue
        reason = None if (char == "\n" and keep_breaks) else why_hidden(char, previous)
        if reason is None and i in look_alikes:
            reason = f"{_name(char)} ({look_alikes[i]})"
        if reason is None:
            shown.add(char)
        else:
            shown.add(escape(char), True)
            shown.hidden.append(reason)
        i, previous = i + 1, char
    return shown
