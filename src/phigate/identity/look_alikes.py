"""Whether a subject reads as another one, by Unicode's confusables data.

In the spirit of UTS #39 (whole-script and mixed-script confusables): each letter of
a subject may be read as itself or as any of its look-alikes in the confusables data
(`confusable_homoglyphs`) or in the table of Han ideographs drawn as katakana that the
data misses (`HAN_KANA_LOOK_ALIKES`, `千` for `チ`); a reading is the set of scripts such a
choice is written in. Letters are judged after NFD, so a letter with marks is judged by its
base letter (Cyrillic `ё` is `е` + U+0308, read as Latin `e` + U+0308, drawn as `ë`): the
confusables data lists base letters, not every precomposed letter with marks, and
the marks themselves belong to no script and go with any reading.

A subject is another person's name drawn again when it has a reading

- in fewer scripts than it is written in: `夕ナ力` (Han and katakana) reads `タナカ` in
  katakana alone, `へンリー` (hiragana and katakana) reads `ヘンリー`; unless the reading
  only moves letters to a script ranked lower in `_KEPT_FIRST` and each letter is in
  the highest-ranked script it may be read in among the subject's own: `田中ヒロ` reads
  `田中匕口` in Han alone and is the name kept (`田中乂イ`, whose `乂` reads as `メ`, is
  not); or
- in as many other scripts (wholly in another one, for a subject in one script):
  Cyrillic `јоёӏ` reads `joël` in Latin, `夕な力` (Han, hiragana) reads `タなカ`.

Such twins read as each other (Latin `cop`, Cyrillic `сор`), so one side must be the
name and the other the look-alike: the one written in the script first in
`_KEPT_FIRST` is kept (Latin before every other script, katakana `トニー` before Han
`卜二一`); between two scripts not listed, both are refused. A mix keeping every
script it is written in (`田中アキ`, Han `力也` whose `也` has no kana look-alike) has
no such reading and is kept. Two spellings in the same scripts (`田中カナ` and
`田中力ナ`), or a name and its reading kept as above (`田中ヒロ`, `田中匕口`), are both
kept: telling them apart needs the other name, not one subject. `skeleton` does
that where two names meet (separation of duties).
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
# Katakana drawn as a whole CJK unified ideograph, beyond the pairs of the confusables
# data (力/カ 夕/タ 口/ロ 工/エ 八/ハ 二/ニ 卜/ト 亻/イ 一/ー). Katakana were cut from
# parts of Han characters, and many of those parts are ideographs of their own: the
# table goes through every katakana letter (U+30A1-30FA) and lists the ideograph
# drawn the same, taken from
# - the Kangxi Radicals (U+2F00-2FD5) whose NFKC unified form is drawn as the letter:
#   ⼃丿 ノ, ⼉儿 ル, ⼍冖 ワ (called "wa-kanmuri" for it), ⼓勹 ク, ⼔匕 ヒ, ⼛厶 ム,
#   ⼜又 ヌ, ⼧宀 ウ ("u-kanmuri"), ⼹彐 ヨ;
# - the CJK Radicals Supplement forms the confusables data maps to an ideograph (they
#   have no NFKC form): ⺉刂 リ ("rittō"), ⺡氵 シ, ⺭礻 ネ, ⺃乚 レ, ⺾艹 サ;
# - ideographs that are the katakana's source drawn whole: 千 チ, 才 オ, 乂 メ, 丷 ソ.
# Left out, for the real names they would refuse: 井 (as the obsolete ヰ: the surname
# 井口 would read ヰロ) and the Extension B 𠂇 (as ナ: `田中カナ` would read as Han
# alone). Small kana are drawn smaller than any ideograph; hiragana are cursive and
# only へ/ヘ (in the data) is drawn as a letter of another script.
_KANA_DRAWN_AS_HAN = {
    "\u30a6": "\u5b80",  # ウ 宀
    "\u30aa": "\u624d",  # オ 才
    "\u30af": "\u52f9",  # ク 勹
    "\u30b5": "\u8279",  # サ 艹
    "\u30b7": "\u6c35",  # シ 氵
    "\u30bd": "\u4e37",  # ソ 丷
    "\u30c1": "\u5343",  # チ 千
    "\u30cc": "\u53c8",  # ヌ 又
    "\u30cd": "\u793b",  # ネ 礻
    "\u30ce": "\u4e3f",  # ノ 丿
    "\u30d2": "\u5315",  # ヒ 匕
    "\u30e0": "\u53b6",  # ム 厶
    "\u30e1": "\u4e42",  # メ 乂
    "\u30e8": "\u5f50",  # ヨ 彐
    "\u30ea": "\u5202",  # リ 刂
    "\u30eb": "\u513f",  # ル 儿
    "\u30ec": "\u4e5a",  # レ 乚
    "\u30ef": "\u5196",  # ワ 冖
}
# Both ways: each letter of the table is drawn as the other.
HAN_KANA_LOOK_ALIKES = {
    **_KANA_DRAWN_AS_HAN,
    **{han: kana for kana, han in _KANA_DRAWN_AS_HAN.items()},
}


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
    clusters = [cluster for cluster in _clusters(subject) if _letter(cluster).scripts]
    letters = [_letter(cluster) for cluster in clusters]
    readable = sorted(frozenset().union(*(letter.scripts for letter in letters)))
    for size in range(1, len(written) + 1):
        for chosen in combinations(readable, size):
            reading = frozenset(chosen)
            if reading == written or not all(letter.read_in(reading) for letter in letters):
                continue
            if size < len(written):
                if not (_drawn_down(written, reading) and _letters_kept(clusters, written)):
                    return reading
            elif not _kept_over(written, reading):
                return reading
    return None


def _drawn_down(written: frozenset[str], reading: frozenset[str]) -> bool:
    """Whether a reading in fewer scripts only moves letters to a script ranked lower
    in `_KEPT_FIRST` than the ones it drops: `田中ヒロ` read as Han `田中匕口` (not
    `夕ナ力` read as katakana `タナカ`)."""
    return _rank(written - reading) < _rank(reading)


def _letters_kept(clusters: list[str], written: frozenset[str]) -> bool:
    """Whether every letter is written in the script ranked highest among those it
    may be read in and the subject is written in: `田中メイ` (kanji with no kana
    look-alike, then katakana), not `田中乂イ` (the ideograph `乂` for the katakana
    `メ` beside the katakana `イ`). Such a subject is the name its look-alikes in
    fewer scripts are drawn as; a second name drawn the same (`田中匕口`) is told
    from it by its skeleton when it votes (`skeleton`)."""
    for cluster in clusters:
        own = frozenset({script_of(cluster[0])})
        if _rank(_letter(cluster).scripts & written) < _rank(own):
            return False
    return True


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
    for alike in _alikes(base):
        text = unicodedata.normalize("NFC", alike + marks)
        if marks and len(text) != 1:
            continue
        alike_scripts = scripts_of(text)
        if not alike_scripts:
            any_script = any_script or _could_be_subject(text)
        elif len(alike_scripts) == 1:
            scripts |= alike_scripts
    return _Letter(frozenset(scripts), any_script)


def _alikes(base: str) -> list[str]:
    """The look-alikes of one letter: the confusables data's and the Han/katakana
    table's (`HAN_KANA_LOOK_ALIKES`)."""
    alikes = [str(alike["c"]) for alike in confusables.confusables_data.get(base, ())]
    if base in HAN_KANA_LOOK_ALIKES:
        alikes.append(HAN_KANA_LOOK_ALIKES[base])
    return alikes


def _could_be_subject(text: str) -> bool:
    """Whether `text` could stand in a normal subject: allowed letters, already in
    normal form (a capital `H` is no reading of a case-folded subject)."""
    normal = unicodedata.normalize("NFKC", text.casefold())
    return normal == text and all(is_name_character(char) for char in text)


def reads_as_ascii(text: str) -> bool:
    """Whether every letter of `text` (after NFD, with its marks) is drawn as an ASCII
    letter with the same marks: itself or a look-alike in the confusables data (Cyrillic
    `р` as `p`, `ё` as `ë`), not one only a small capital draws (`в` as `ʙ`). A reviewer
    takes such a word for a Latin one; most Russian words read in Latin only through
    small capitals and are not. A text of no letters reads as none."""
    clusters = [cluster for cluster in _clusters(text) if script_of(cluster[0]) not in ANY_SCRIPT]
    return bool(clusters) and all(_drawn_as_ascii(cluster) for cluster in clusters)


@cache
def _drawn_as_ascii(cluster: str) -> bool:
    base, marks = cluster[0], cluster[1:]
    alikes = [base, *(str(alike["c"]) for alike in confusables.confusables_data.get(base, ()))]
    return any(
        alike.isascii()
        and alike.isalpha()
        and len(alike) == 1
        and (not marks or len(unicodedata.normalize("NFC", alike + marks)) == 1)
        for alike in alikes
    )


def passes_for_ascii(char: str) -> bool:
    """A non-ASCII Latin or common character that Unicode's confusables data says
    reads as ASCII: `ǀ` (U+01C0) for `l`, `ı` for `i`, `ɑ` for `a`. Within one script
    `daǀe` is a second `dale`: subjects refuse it like a Cyrillic `а`, and reviewer
    views escape it."""
    if char.isascii() or script_of(char) not in ("LATIN", "COMMON"):
        return False
    prototypes = confusables.confusables_data.get(char, ())
    return any(str(p["c"]).isascii() for p in prototypes)


def skeleton(subject: str) -> str:
    """What `subject` (a normal subject) draws, UTS #39 style: after NFD, each
    character mapped to one prototype of itself and its look-alikes (`prototype`),
    marks kept. Two subjects drawn the same have the same skeleton (`田中カナ` and
    `田中力ナ`, `dale` and `da1e`), though each alone is a name: separation of duties
    compares people by skeleton as well as by normal form. Idempotent."""
    return "".join(prototype(char) for char in unicodedata.normalize("NFD", subject))


def prototype(char: str) -> str:
    """The one character `char` and all its look-alikes map to: the smallest code
    point of its class (the look-alike pairs of the confusables data and of
    `HAN_KANA_LOOK_ALIKES`, closed transitively), among those NFD leaves whole and
    that carry no combining class, so a skeleton is its own NFD and its own skeleton.
    A character with no look-alike is its own prototype."""
    return _prototypes().get(char, char)


@cache
def _prototypes() -> dict[str, str]:
    """Each character of a look-alike class (of two or more) and its prototype.
    Classes join only single characters NFD keeps whole: a look-alike of several
    (`rn` for `m`) or one that decomposes is no letter-for-letter drawing."""
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.setdefault(char, char) != char:
            parent[char] = parent[parent[char]]
            char = parent[char]
        return char

    for first, second in _look_alike_pairs():
        parent[root(first)] = root(second)
    classes: dict[str, list[str]] = {}
    for char in parent:
        classes.setdefault(root(char), []).append(char)
    prototypes: dict[str, str] = {}
    for members in classes.values():
        chosen = min(members, key=lambda char: (unicodedata.combining(char) != 0, ord(char)))
        prototypes.update(dict.fromkeys(members, chosen))
    return prototypes


def _look_alike_pairs() -> list[tuple[str, str]]:
    """Every pair of single characters drawn the same, by the confusables data (its
    right-to-left characters come wrapped in direction marks, taken off) and by the
    Han/katakana table."""
    pairs = list(HAN_KANA_LOOK_ALIKES.items())
    for char, alikes in confusables.confusables_data.items():
        for alike in alikes:
            pairs.append((str(char), str(alike["c"]).strip("\u200e\u200f")))
    return [
        (first, second)
        for first, second in pairs
        if all(len(c) == 1 and unicodedata.normalize("NFD", c) == c for c in (first, second))
    ]
