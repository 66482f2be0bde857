"""Whether a subject reads as another one, by Unicode's confusables data.

In the spirit of UTS #39 (whole-script and mixed-script confusables): each letter of
a subject may be read as itself or as any of its look-alikes in the confusables data
(`confusable_homoglyphs`); a reading is the set of scripts such a choice is written
in. Letters are judged after NFD, so a letter with marks is judged by its base letter
(Cyrillic `ё` is `е` + U+0308, read as Latin `e` + U+0308, drawn as `ë`): the
confusables data lists base letters, not every precomposed letter with marks, and
the marks themselves belong to no script and go with any reading.

A subject is another person's name drawn again when it has a reading

- in fewer scripts than it is written in: `夕ナ力` (Han and katakana) reads `タナカ` in
  katakana alone, `へンリー` (hiragana and katakana) reads `ヘンリー`; or
- in as many other scripts (wholly in another one, for a subject in one script):
  Cyrillic `јоёӏ` reads `joël` in Latin, `夕な力` (Han, hiragana) reads `タなカ`.

Such twins read as each other (Latin `cop`, Cyrillic `сор`), so one side must be the
name and the other the look-alike: the one written in the script first in
`_KEPT_FIRST` is kept (Latin before every other script, katakana `トニー` before Han
`卜二一`); between two scripts not listed, both are refused. A mix keeping every
script it is written in (`田中アキ`, Han `力也` whose `也` has no kana look-alike) has
no such reading and is kept. Two spellings in the same scripts (`田中カナ` and
`田中力ナ`) are both kept: telling them apart needs the other name, not one subject.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import combinations

from confusable_homoglyphs import categories, confusables

from phigate.identity.name_letters import is_name_character

# Characters of no script of their own (digits, `@`, `.`, combining marks) go with any.
ANY_SCRIPT = frozenset({"COMMON", "INHERITED"})
# Of two twins (subjects in as many scripts that read as each other), the one whose
# own scripts hold the one listed first is kept: Latin (ASCII ids, most subjects),
# then kana, whose letters make Japanese names where the Han ideographs drawn the
# same make no word.
_KEPT_FIRST = ("LATIN", "KATAKANA", "HIRAGANA")


@dataclass(frozen=True)
class _Letter:
    """The scripts one letter may be read in: its own and its look-alikes' ones;
    `any_script` when a look-alike has no script (`一` is drawn as `ー`)."""

    scripts: frozenset[str]
    any_script: bool

    def read_in(self, scripts: frozenset[str]) -> bool:
        return self.any_script or not self.scripts.isdisjoint(scripts)


def script_of(char: str) -> str:
    """The Unicode script of `char` (as the confusables package names it)."""
    return str(categories.alias(char))


def scripts_of(text: str) -> frozenset[str]:
    """The scripts `text` is written in, leaving out those of no script."""
    return frozenset(script_of(char) for char in text) - ANY_SCRIPT


def other_reading(subject: str) -> frozenset[str] | None:
    """The scripts of a reading of `subject` (a normal subject) that draws another
    person's name, or None when it has none (see the module docstring)."""
    written = scripts_of(subject)
    if not written or written == {"LATIN"}:
        return None  # the reference script: its look-alikes are refused, not it
    letters = [_letter(cluster) for cluster in _clusters(subject)]
    letters = [letter for letter in letters if letter.scripts]
    readable = sorted(frozenset().union(*(letter.scripts for letter in letters)))
    for size in range(1, len(written) + 1):
        for chosen in combinations(readable, size):
            reading = frozenset(chosen)
            if reading == written or not all(letter.read_in(reading) for letter in letters):
                continue
            if size < len(written) or not _kept_over(written, reading):
                return reading
    return None


def reads_in(text: str, script: str) -> bool:
    """Whether every letter of `text` (after NFD, with its marks) may be read as a
    letter of `script`: itself or a look-alike in the confusables data. A text of no
    letters reads in none. Reviewer views ask this of single characters and words."""
    letters = [_letter(cluster) for cluster in _clusters(text)]
    lettered = [letter for letter in letters if letter.scripts]
    wanted = frozenset({script})
    return bool(lettered) and all(letter.read_in(wanted) for letter in lettered)


def _kept_over(written: frozenset[str], reading: frozenset[str]) -> bool:
    """Whether a subject is the name kept over its twin, a reading in as many other
    scripts: the one of the two whose own scripts (those the other lacks) hold the
    script listed first in `_KEPT_FIRST`; of two twins in scripts not listed, neither."""
    return _rank(written - reading) < _rank(reading - written)


def _rank(scripts: frozenset[str]) -> int:
    listed = [_KEPT_FIRST.index(script) for script in scripts if script in _KEPT_FIRST]
    return min(listed, default=len(_KEPT_FIRST))


def _clusters(subject: str) -> list[str]:
    """`subject` after NFD as letters, each with the marks of no script after it (a
    mark of a script, as Cyrillic U+0483 TITLO, is a letter of that script)."""
    clusters: list[str] = []
    for char in unicodedata.normalize("NFD", subject):
        if clusters and script_of(char) == "INHERITED":
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


@cache
def _letter(cluster: str) -> _Letter:
    """A letter (with its marks) and the scripts of its look-alikes.

    A look-alike in a script counts even where the subject rules refuse it (Latin
    small capital `ᴋ` for Cyrillic `к`: `јаск` is drawn as `jack`); one of no script
    counts only where it could stand in a subject (`ー` for `一`, not the mathematical
    `𝛌` for Greek `λ`). A letter with marks reads as a look-alike of its base only
    where that script has one letter for the look-alike with the same marks (Cyrillic
    `ё` as Latin `ë`, hiragana `べ` as katakana `ベ`; not `й` as a small capital `ᴎ`
    with a breve, which no script writes). A character of no script (a mark, `ー`) is
    a letter of no scripts."""
    base, marks = cluster[0], cluster[1:]
    own = script_of(base)
    if own in ANY_SCRIPT:
        return _Letter(frozenset(), any_script=True)
    scripts = {own}
    any_script = False
    for alike in confusables.confusables_data.get(base, ()):
        text = unicodedata.normalize("NFC", str(alike["c"]) + marks)
        if marks and len(text) != 1:
            continue
        alike_scripts = scripts_of(text)
        if not alike_scripts:
            any_script = any_script or _could_be_subject(text)
        elif len(alike_scripts) == 1:
            scripts |= alike_scripts
    return _Letter(frozenset(scripts), any_script)


def _could_be_subject(text: str) -> bool:
    """Whether `text` could stand in a normal subject: allowed letters, already in
    normal form (a capital `H` is no reading of a case-folded subject)."""
    normal = unicodedata.normalize("NFKC", text.casefold())
    return normal == text and all(is_name_character(char) for char in text)
