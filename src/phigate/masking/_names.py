"""The person-name detector: dictionaries, context and capitalisation.

Capitalised words are found in one RE2 pass and grouped into runs (words
separated only by spaces). Each word is a name if it is a dictionary name that
is not also a common word, or if context makes it one: a title just before it
("Dr.", "Mrs."), a cue word ("patient", "wife", "signed by"), or a neighbouring
name in the same run ("Will Smith"). Clinical eponyms ("Parkinson's disease")
and common words are names only with context.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Iterator

import re2

from phigate.masking._addresses import region
from phigate.masking._fastre import Regex
from phigate.masking._places import regions
from phigate.masking._shapes import STATE_NAMES
from phigate.masking._wordlists import (
    EPONYMS,
    NAME_CUES,
    TITLES,
    common_words,
    hospital_unit,
    person_names,
)
from phigate.masking._words import Words

# RE2's \b is ASCII-only, so a word start is spelled out to catch "Đặng" and "Étienne".
# The word excludes a trailing dot, so "Dr.Smith" is two words: the dot left for the next match.
# An underscore may come before a name: a form's blank ("SIGNATURE: ____Adaeze").
# Arabic and other surnames may start with a lower-case particle: "al-Rashid", "el-Sayed",
# "bin-Khalid", "d'Almeida".
# U+FFFD stands inside a word for a letter whose byte was no UTF-8 (Latin-1 data served
# as UTF-8 writes "Gonçalves" as "Gon\ufffdalves"): the word runs on through it.
_WORD = Regex(
    rb"(?:^|[^\p{L}\p{N}'\xe2\x80\x99-])((?:(?:al|el|bin|bint|ben|ibn|abu|ould|ait|d)[-'])?"
    rb"\p{Lu}[\p{L}\x{fffd}'\xe2\x80\x99-]*)"
)
NAME_WORD = _WORD  # every name span starts from one (`SpanFinder.quiet` relies on it)
# The same matches without the group: RE2 finds a group with a second pass over the
# match that costs as much as the search itself. The word starts one character in,
# or at 0 when `^` matched; only a non-ASCII first character asks `_WORD`.
_WORD_WHOLE = Regex(
    rb"(?:^|[^\p{L}\p{N}'\xe2\x80\x99-])(?:(?:al|el|bin|bint|ben|ibn|abu|ould|ait|d)[-'])?"
    rb"\p{Lu}[\p{L}\x{fffd}'\xe2\x80\x99-]*"
)
# Lowercase particles inside a name: "Maria de la Garza", "Ludwig van Beethoven".
_PARTICLES = frozenset(
    b"de del della di da dos das do van von der den du la le bin ibn al el ter ten y".split()
)
_CUE_WINDOW = 24
_TITLE_CUES = frozenset((b"dr", b"mr", b"mrs", b"ms", b"miss", b"prof"))
_CUES = frozenset(NAME_CUES)
_CACHE_LIMIT = 200_000

# Words just after a single unknown word that make it the subject of a sentence.
_AFTER_CUES = frozenset(
    b"is was reports reported presents presented states stated denies ambulated asked called"
    b" says said has had arrived returned complains notes agrees declined's 's"
    b" will would can called calls wants wanted needs needed came went told asked feels felt"
    b" thinks thought lives lived works worked understands understood".split()
)

_CREDENTIALS = frozenset(
    b"MD DO RN NP PA PA-C PhD PharmD RPh LPN CNA LCSW MSW DDS DPM OD CNM CRNA FNP APRN MBBS"
    b" FACP FACS MPH DNP BSN MSN PT OT SLP RD LMFT".split()
)

# An age and sex just after a word: "Mbeki (66M)", "Okafor, 58F", "Lee 71 y/o".
_AGE_SEX = re2.compile(rb"(?:\s?\(|,\s?)\d{1,3}\s?(?:[MF]\b|y/?o\b|yo[MF]\b)|\s\d{1,3}[MF]\b")

# A hospital's services as Spanish letters head them ("Servicio de Neumología",
# "Departamento de Medicina Interna", "Unidad de Cuidados Intensivos"): the heading
# words and the endings of specialties (-logía, -iatría, -cirugía), in either spelling.
_SERVICE = re2.compile(
    r"^(?:servicio|departamento|unidad|secci[oó]n|medicina|interna|urgencias|cuidados"
    r"|intensivos)$|(?:log[ií]a|iatr[ií]a|cirug[ií]a|grafía|scop[ií]a)$"
)
# Endings of generic drug names (USAN stems): -pril, -sartan, -olol, -statin, -xaban ...
_DRUG_ENDINGS = re2.compile(
    r"(?:pril|sartan|olol|alol|statin|prazole|azole|cillin|mycin|floxacin|cycline|dipine|tidine"
    r"|afil|mab|tinib|parin|xaban|gatran|gliptin|gliflozin|glutide|formin|triptan|setron"
    r"|lukast|terol|sonide|olone|asone|azepam|azolam|barbital|caine|profen|fenac|navir|vudine"
    r"|semide|thiazide|codone|morphone|relin|vastatin|oxetine|aline|ipramine|triptyline|apine"
    r"|idone|peridol|zodone|trel|amide|conazole|mectin|tretin|lizumab|ciclovir|fungin|farin"
    r"|parin|ulin|oxine|isone|pentin|adol|ophen|grel|pram|propion|faxine|pidem|aprine|xicam"
    r"|roxen|sulosin|steride|purinol|acetam|amate|igine|pezil|mantine|dilol|tiazem|lactone"
    r"|goxin|darone|izide|glitazone|axone|alexin|antoin|clovir|mivir|oquine|exate|limus"
    r"|sporine|enolate|poetin|grastim|azine|usate|ulose|ciferol|alamin|otine|loxone|proate"
    r"|ytoin|clofen|nidine|lazine|sorbide|imibe|ibrate|icillin|zepam|phine|anyl|pirone|vir"
    r"|pamil|glycerin|chicine|ostat|epine|inirole|ipexole|carbamol|epatide|piride|ercept"
    r"|oxifen|rozole|amine|izine|yzine|argine|adine|tussin)$"
)


# States and provinces: "Georgia", "Victoria", "Pradesh" alone are far more often the
# place than a person; like eponyms, names only after a title or next to a name. Words
# that are surnames too ("Washington", "Hidalgo") stay names.
def _region_words() -> frozenset[str]:
    """Whole one-word regions that are no surname ("Georgia", "Bavaria"), and the other
    words of longer ones that are no name at all ("Pradesh", not the "Edward" of
    Prince Edward Island)."""
    first, last = person_names()
    states = {p.lower() for p in STATE_NAMES.split("|")}
    places = [p.lower().replace("-", " ") for p in (*states, *regions())]
    whole = {p for p in places if " " not in p and p not in last}
    whole = {p for p in whole if p in states or p not in first}  # Brittany, Victoria: names
    parts = {w for p in places if " " in p for w in p.split() if w not in first | last}
    return frozenset(w for w in whole | parts if len(w) > 3)


@functools.cache
def _whole_regions() -> frozenset[bytes]:
    """Regions named in several words, one of which is a name ("Nuevo León", "San Luis
    Potosí", "Castilla y León"): the US states, the provinces, and the states of Mexico
    and provinces of Spain from Faker's address providers, in lower case."""
    names = {p.lower() for p in STATE_NAMES.split("|")} | set(regions())
    for locale in ("es_MX", "es_ES"):
        provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        names.update(str(s[-1] if isinstance(s, tuple) else s).lower() for s in provider.states)
    return frozenset(n.encode() for n in names if " " in n)


@functools.cache
def _region_starts() -> frozenset[bytes]:
    """The first words of `_whole_regions`."""
    return frozenset(name.split()[0] for name in _whole_regions())


def _region_prefix(data: bytes, words: list[tuple[int, int]]) -> int:
    """How many of a run's first words name a region in several words, else 0."""
    whole = _whole_regions()
    first = data[words[0][0] : words[0][1]].lower()
    if first not in _region_starts():
        return 0  # no region in several words starts with it: one look-up, no slices
    for count in range(len(words), 1, -1):
        if data[words[0][0] : words[count - 1][1]].lower() in whole:
            return count
    return 0


_UNKNOWN, _NAME, _AMBIGUOUS, _COMMON, _TITLE, _CUE, _EPONYM = range(7)
_NEVER_NAMES = frozenset((_COMMON, _TITLE, _CUE))  # a run of only these names no one

# Words that label a form's fields; a given name somewhere, never after "Patient".
_FORM_LABELS = ("age", "sex", "gender", "dob", "race", "height", "weight")


class NameDetector:
    """Finds person names in UTF-8 bytes; yields (start, end) spans."""

    def __init__(self, extra_common: frozenset[str] = frozenset()) -> None:
        first, last = person_names()
        common = common_words() | extra_common
        self._kind: dict[str, int] = {}
        for name in first | last:
            self._kind[name] = _AMBIGUOUS if name in common or name in EPONYMS else _NAME
        for word in common:
            self._kind.setdefault(word, _COMMON)
        for word in EPONYMS | (_region_words() - common):
            self._kind[word] = _EPONYM  # a name only after a title or next to a name
        for word in _FORM_LABELS:
            if self._kind.get(word) in (None, _NAME, _AMBIGUOUS):
                self._kind[word] = _COMMON  # "Patient Age: 93" names no one called Age
        for word in TITLES:
            self._kind[word] = _TITLE
        for cue in NAME_CUES:
            if self._kind.get(cue.decode()) != _NAME:
                self._kind[cue.decode()] = _CUE
        self._cache: dict[bytes, int] = {}
        self._lost: dict[str, int] | None = None

    def spans(self, data: bytes) -> list[tuple[int, int]]:
        """The names' spans in order: a list, appended to run by run (a generator per
        run costs more than the run's own work in most texts)."""
        runs = self._runs(data)
        out: list[tuple[int, int]] = []
        forced = False
        last = len(runs) - 1
        for i, run in enumerate(runs):
            inverted = i < last and len(run) == 1 and self._last_first(data, run, runs[i + 1])
            self._run_spans(data, run, out, 2 if forced or inverted else 0)
            forced = inverted
        return out

    def _runs(self, data: bytes) -> list[list[tuple[int, int]]]:
        """Capitalised words grouped into runs (words joined by blanks, a dot or particles)."""
        runs: list[list[tuple[int, int]]] = []
        token = _Token()
        for start, end in _words(data):
            after = data[end : end + 1]
            if after.isdigit():
                continue  # "AB12": letters run into digits, an identifier rather than a name
            if token.random(data, start):
                continue  # "tok_3f9aZ1Ob_BuJqdg": a run of a random id, no one's name
            if end - start == 1 and data[start - 1 : start] == b"/" and _unit_before(data, start):
                continue  # "mmol/L L", "U/L H": a unit's last letter, then the result's flag
            if after == b"_" and _setting_name(data, start, end):
                continue  # "MAX_Value", "RETRY_Count": a setting's name, not a person's
            # (a gap wider than _JOIN_GAP never joins: checked before the call)
            if (
                runs
                and start - runs[-1][-1][1] <= _JOIN_GAP
                and _joins(data, runs[-1][-1][1], start)
            ):
                runs[-1].append((start, end))
            else:
                runs.append([(start, end)])
        return runs

    def _last_first(
        self, data: bytes, run: list[tuple[int, int]], after: list[tuple[int, int]]
    ) -> bool:
        """ "Nguyen, Thi" / "KOWALCZYK, Anna": a surname, a comma, a given name; one of
        them is a dictionary name and neither is a common word, title or eponym."""
        gap = data[run[-1][1] : after[0][0]]
        if len(run) != 1 or gap not in (b", ", b",", b",  "):
            return False
        kinds = (self._word_kind(data[run[0][0] : run[0][1]]),
                 self._word_kind(data[after[0][0] : after[0][1]]))  # fmt: skip
        if _NAME in kinds:  # "Brown, Rose": one dictionary name makes the other one too
            return all(k in (_NAME, _UNKNOWN, _AMBIGUOUS) for k in kinds)
        return kinds == (_UNKNOWN, _UNKNOWN) and _cell(data, run[0][0], after[-1][1])

    def _run_spans(
        self, data: bytes, words: list[tuple[int, int]], out: list[tuple[int, int]], forced: int
    ) -> None:
        """Append the run's names to `out`."""
        if len(words) == 1:
            self._word_spans(data, words[0], out, forced)
            return
        regional = _region_prefix(data, words)
        if regional:  # Nuevo León, San Luis Potosí: a region, though a name is in it
            if regional < len(words):  # "Castilla y León   Country": a form's next label
                self._run_spans(data, words[regional:], out, 0)
            return
        word_kind = self._word_kind
        kinds = [word_kind(data[s:e]) for s, e in words]
        if all(k in _NEVER_NAMES for k in kinds):
            return
        dotted = [data[e : e + 1] == b"." for _, e in words]
        cue = _cue_before(data, words[0][0]) if kinds[0] in (_UNKNOWN, _AMBIGUOUS) else 0
        cue = max(cue, forced)
        if not cue and kinds[-1] == _UNKNOWN and not dotted[-1] and words[-1][1] - words[-1][0] > 1:
            cue = _cue_after(data, words[-1][1])
        is_name = _decide(kinds, cue, dotted)
        i = 0
        while i < len(words):
            if not is_name[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(words) and is_name[j + 1]:
                j += 1
            s, e = words[i][0], words[j][1]
            out.append(
                (s, e + 1 if dotted[j] and e - words[j][0] == 1 else e)
            )  # "J." keeps its dot
            i = j + 1

    def _word_spans(
        self, data: bytes, word: tuple[int, int], out: list[tuple[int, int]], forced: int
    ) -> None:
        """`_run_spans` for a run of one word, two runs in three: `_decide` for one word
        spelled out, without the lists a longer run needs."""
        start, end = word
        kind = self._word_kind(data[start:end])
        if kind == _NAME:
            pass
        elif kind == _EPONYM:
            if forced != 2:
                return  # a name only after a title or next to a name
        elif kind in (_UNKNOWN, _AMBIGUOUS):
            cue = max(_cue_before(data, start), forced)
            if not cue and kind == _UNKNOWN and data[end : end + 1] != b"." and end - start > 1:
                cue = _cue_after(data, end)
            if not cue:
                return
        else:
            return  # a common word, a title or a cue
        out.append((start, end + 1 if end - start == 1 and data[end : end + 1] == b"." else end))

    def _word_kind(self, word: bytes) -> int:
        kind = self._cache.get(word)
        if kind is None:
            kind = self._lookup(word)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = kind
        return kind

    def _lookup(self, word: bytes) -> int:
        text = word.decode("utf-8", "replace").rstrip(".").replace("\u2019", "'")
        lowered = text.lower()
        if lowered.endswith("'s"):
            lowered = lowered[:-2]
        if len(lowered) == 1:
            return _UNKNOWN  # an initial: a name only between names
        if text.isupper() and (region(text) or hospital_unit(text)):
            return _COMMON  # MA, NSW, QC: a state or a province; NICU: a unit; no names
        kind = self._kind.get(lowered)
        if kind is not None:
            return kind
        if "\ufffd" in lowered:  # a letter lost: a dictionary word it may be, else a name
            return self._lost_letters().get(lowered, _UNKNOWN)
        if "-" in lowered and any(p in EPONYMS for p in lowered.split("-")):
            return _EPONYM  # Guillain-Barré, Wolff-Parkinson-White
        if "-" in lowered and self._double_barrelled(lowered.split("-")):
            return _NAME  # Smith-Jones, GARCÍA-LÓPEZ: a name of names
        if _DRUG_ENDINGS.search(lowered) is not None:
            return _COMMON  # Apixaban, Metoprolol: a drug, named like no one
        if _SERVICE.search(lowered) is not None:
            return _COMMON  # Servicio de Cardiología: a hospital's service, no one's name
        if text.isupper() and len(text) <= 5:
            return _COMMON  # an abbreviation (HTN, COPD) rather than a name
        return _UNKNOWN

    def _lost_letters(self) -> dict[str, int]:
        """The dictionary's words with each letter beyond ASCII written U+FFFD, as a
        text decoded from Latin-1 bytes shows them ("gon\ufffdalves"), built once."""
        if self._lost is None:
            lost: dict[str, int] = {}
            for word, kind in self._kind.items():
                if not word.isascii():
                    lost.setdefault("".join(c if c.isascii() else "\ufffd" for c in word), kind)
            self._lost = lost
        return self._lost

    def _double_barrelled(self, parts: list[str]) -> bool:
        """Parts of a hyphenated word that make it a surname: one a name, none a common
        word ("Follow-Up", "X-Ray"), a place, an eponym or a particle ("al-Qaeda")."""
        kinds = [self._kind.get(p) for p in parts]
        return (
            _NAME in kinds
            and all(len(p) >= 3 for p in parts)
            and all(k in (_NAME, _AMBIGUOUS, None) for k in kinds)
        )


# The characters of an identifier token, and its parts' separators.
_ID_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ID_REACH = 128  # how far a token is read each side of a word: bounded work per word
_DIGIT_INSIDE = re2.compile(rb"[A-Za-z][0-9]+[A-Za-z]")


class _Token:
    """Whether a capitalised word sits in a random identifier, judged once per token
    (the words of one token share its answer: linear in a long token)."""

    def __init__(self) -> None:
        self._end = -1
        self._random = False

    def random(self, data: bytes, start: int) -> bool:
        if start >= self._end:
            self._end, self._random = _random_token(data, start)
        return self._random


def _random_token(data: bytes, at: int) -> tuple[int, bool]:
    """The end of the `[A-Za-z0-9_-]` token around `at`, and whether it is a random
    identifier (`_shifts`: "8AZxrGd53s", "FAjtFysH"). One with a digit, `_` or `-` is
    when digits stand between letters, or a `_`/`-` separated part shifts three times
    or more, or all parts four times; one word is when it shifts three times or more.
    Names and field names shift at most twice a part ("DeLaCruz", "MRN12345",
    "Garcia-Lopez", "Smith_John_MRI"); a random base62 or base64url run rarely so."""
    start, end = at, at
    while start > 0 and at - start < _ID_REACH and data[start - 1] in _ID_CHARS:
        start -= 1
    while end < len(data) and end - at < _ID_REACH and data[end] in _ID_CHARS:
        end += 1
    token = data[start:end]
    if token.isalpha():  # one word: "VanDerBerg" shifts twice, no name three times
        plain = token.istitle() or token.isupper()  # most words: no shift to count
        return end, not plain and _shifts(token) >= 3
    if _DIGIT_INSIDE.search(token) is not None:
        return end, True  # "CF5vuaf", "x9Kq": digits inside a word, no name's or field's
    shifts = [_shifts(part) for part in token.replace(b"-", b"_").split(b"_")]
    return end, max(shifts) >= 3 or sum(shifts) >= 4


def _shifts(part: bytes) -> int:
    """How often `part` turns from letters to digits or back, from a small letter to a
    capital ("DeLaCruz": twice), or from capitals to a small letter ("FAj"); a name's
    capital before small letters ("Garcia") is no shift."""
    return sum(_shift(part, i) for i in range(1, len(part)))


def _shift(part: bytes, i: int) -> bool:
    before, char = part[i - 1], part[i]
    if (48 <= before <= 57) != (48 <= char <= 57):
        return True  # a letter and a digit
    if 97 <= before <= 122:
        return 65 <= char <= 90  # a hump: "aB"
    return 97 <= char <= 122 and i > 1 and 65 <= part[i - 2] <= 90  # "ABc"


def _unit_before(data: bytes, letter: int) -> bool:
    """Whether the slash before the letter at `letter` follows a letter or a digit: a
    unit of measure ("mmol/L", "mEq/L", "U/L"), not a signature's " /S/ Jane"."""
    return letter >= 2 and data[letter - 2 : letter - 1].isalnum()


def _words(data: bytes) -> Iterator[tuple[int, int]]:
    """The capitalised words of the text: `_WORD`'s group, found without capturing it."""
    for found in _WORD_WHOLE.spans(data):
        start, end = found[0]
        lead = data[start]
        if lead >= 0x80:  # "’Đặng", or a text opening on "Étienne": RE2 says where
            exact = _WORD.search(data, start)
            assert exact is not None and exact[0] == found[0]
            yield exact[1][0], exact[1][1]
        elif start == 0 and (65 <= lead <= 90 or 97 <= lead <= 122):
            yield 0, end  # the text opens on the word (or on its particle, "al-")
        else:
            yield start + 1, end


def name_parts(
    data: bytes, names: list[tuple[int, int]], emails: list[tuple[int, int]]
) -> set[bytes]:
    """The words of the names found in a text (lower case), and the parts of its
    e-mails' local names ("jane.okafor@"): what `parts_everywhere` looks for."""
    parts: set[bytes] = set()
    for start, end in names:
        parts.update(_name_words(data[start:end].lower().split()))
    for start, end in emails:
        local = data[start:end].split(b"@", 1)[0].lower()
        parts.update(_name_words(local.replace(b"_", b".").replace(b"-", b".").split(b".")))
    return parts


def names_everywhere(
    data: bytes, names: list[tuple[int, int]], emails: list[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """Where the words of a name found once occur again in any case ("OKONKWO, ADAEZE"
    in a header, "Adaeze" in the note), and the parts of an e-mail's local name
    ("jane.okafor@"): the address names its owner, and so does every "Okafor"."""
    return parts_everywhere(data, name_parts(data, names, emails))


_PARTS_ONE_BY_ONE = 64


def parts_everywhere(
    data: bytes, parts: Iterable[bytes], known: Words | None = None
) -> Iterator[tuple[int, int]]:
    """Where these name words (lower case), and the words `known` matches (a long
    text's carried names, built once), occur as words in `data`, in any case. Many
    words are found in one pass (`Words`), not one each."""
    parts = list(parts)
    if not parts and known is None:
        return
    lowered = data.lower()
    if len(parts) > _PARTS_ONE_BY_ONE:
        yield from _words_matched(data, lowered, Words(parts))
    else:
        for part in parts:
            at = lowered.find(part)
            while at >= 0:
                end = at + len(part)
                if _word_edge(lowered, at - 1) and _word_edge(lowered, end):
                    yield _with_initials(data, at, end)
                at = lowered.find(part, end)
    if known is not None:
        yield from _words_matched(data, lowered, known)


def _words_matched(data: bytes, lowered: bytes, words: Words) -> Iterator[tuple[int, int]]:
    for at, end in words.spans(lowered):
        if _word_edge(lowered, at - 1) and _word_edge(lowered, end):
            yield _with_initials(data, at, end)


def _with_initials(data: bytes, start: int, end: int) -> tuple[int, int]:
    """A known name with the initials written beside it: "T. Zwelake", "Zwelake T.",
    "Zwelake, T.A." - an initial alone is no name, but next to one it is its part."""
    while (
        start >= 3
        and _INITIAL_BEFORE.fullmatch(data[start - 3 : start])
        and _word_edge(data, start - 4)
    ):
        start -= 3
    found = _INITIALS_AFTER.match_end(data, end, len(data))
    return start, found if found is not None else end


_INITIAL_BEFORE = Regex(rb"[A-Z]\. ")
_INITIALS_AFTER = Regex(rb"(?:,? [A-Z]\.(?:[A-Z]\.)*)")


def _name_words(words: list[bytes]) -> Iterator[bytes]:
    common = common_words()
    for word in words:
        word = word.strip(b".,'")
        if len(word) >= 4 and word.isalpha() and word.decode() not in common:
            yield word


def _word_edge(data: bytes, index: int) -> bool:
    return index < 0 or index >= len(data) or not (data[index : index + 1].isalnum())


_JOIN_GAP = 15  # a dot and 14 bytes: the widest gap `_joins` may accept


def _joins(data: bytes, start: int, end: int) -> bool:
    """Whether two capitalised words are one run: blanks between them, a dot
    ("Dr.Smith", "J. Smith"), or name particles ("de la"). A tab separates fields:
    "Jane Doe<TAB>Atlanta" is a name and a town."""
    gap = data[start:end]
    if gap[:1] == b".":
        gap = gap[1:]
        if not gap:
            return True
    if b"\t" in gap:
        return False
    if 0 < len(gap) <= 3 and not gap.strip(b" "):
        return True
    if len(gap) > 14 or gap[:1] != b" " or gap[-1:] != b" ":
        return False
    words = gap.split()
    return 0 < len(words) <= 3 and all(w in _PARTICLES for w in words)


_CELL_EDGES = frozenset(b"|\t\n\r")


def _cell(data: bytes, start: int, end: int) -> bool:
    """Whether "Last, First" fills a cell of a list or table: a separator (or a line
    edge) on both sides, blanks aside ("| Mbeki, Thabo |", a tab-separated census)."""
    before = data[max(0, start - 4) : start]
    after = data[end : end + 4]
    if before.endswith(b"  ") or before.endswith(b". "):
        before = b""  # columns aligned with blanks, a numbered list
    if after.startswith(b"  "):
        after = b""
    before, after = before.rstrip(b" "), after.lstrip(b" ")
    return (not before or before[-1] in _CELL_EDGES) and (not after or after[0] in _CELL_EDGES)


def _cue_before(data: bytes, start: int) -> int:
    """2 after a title-like cue, 1 after a weaker cue word, 0 otherwise."""
    window = data[max(0, start - _CUE_WINDOW) : start].lower().rstrip(b" \t:,")
    parts = window.rsplit(None, 1)
    last = parts[-1].strip(b".:,;(\"'") if parts else b""
    if last in _TITLE_CUES:
        return 2
    # a signature at the start of a line: "-- Bao", "-Bao" (not "Service - Loaded")
    line = data[max(0, start - 4) : start].rsplit(b"\n", 1)
    dash = len(line) == 2 and line[1].strip() in (b"-", b"--")
    if last in _CUES or dash or window.endswith((b"this is", b"name is")):
        return 1
    return 0


def _cue_after(data: bytes, end: int) -> int:
    """1 when the next word makes the run the subject of a sentence ("X reports") or a
    signer ("Okafor, RN")."""
    after = data[end : end + 16]
    if after[:2] == b", " and after[2:].split(b" ", 1)[0].rstrip(b".,;") in _CREDENTIALS:
        return 1
    if after[1:4].lstrip(b" (")[:1].isdigit() and _AGE_SEX.match(after) is not None:
        return 1  # "Mbeki (66M)", "Mbeki, 66 y/o": a person in a list
    parts = after.split(None, 1)
    return 1 if parts and after[:1] == b" " and parts[0] in _AFTER_CUES else 0


def _decide(kinds: list[int], cue: int, dotted: list[bool]) -> list[bool]:
    n = len(kinds)
    is_name = [k == _NAME for k in kinds]
    for i in range(n):
        strength = cue if i == 0 or (i == n - 1 and cue == 1 and n == 1) else 0
        if i > 0 and kinds[i - 1] == _TITLE:
            strength = 2
        elif i > 0 and kinds[i - 1] == _CUE:
            strength = 1
        elif i > 0 and kinds[i - 1] == _UNKNOWN == kinds[i] and not dotted[i - 1]:
            strength = 1  # two unknown capitalised words in a row read as a full name
        weak_ok = strength == 1 and kinds[i] in (_UNKNOWN, _AMBIGUOUS)
        if (strength == 2 and kinds[i] != _TITLE) or weak_ok:
            is_name[i] = True
    # Neighbours of a name inside the run are names too, unless they are common
    # words or a sentence ends between them (a dotted word that is not an initial).
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if is_name[i] or kinds[i] not in (_UNKNOWN, _AMBIGUOUS, _EPONYM):
                continue
            left = i > 0 and is_name[i - 1] and not (dotted[i - 1] and kinds[i - 1] != _UNKNOWN)
            right = i + 1 < n and is_name[i + 1] and not (dotted[i] and kinds[i] != _UNKNOWN)
            if left or right:
                is_name[i] = changed = True
    return is_name


_SNAKE_PART = re2.compile(rb"[A-Za-z]+")


def _setting_name(data: bytes, start: int, end: int) -> bool:
    """A word in capitals that starts a snake_case name whose next part is a
    dictionary word ("MAX_Value", "TIMEOUT_ms"); "Smith_John_MRI.pdf" still reads as
    a name, and so does "SMITH_John"."""
    if data[end : end + 1] != b"_" or data[start - 1 : start] == b"_" or end - start < 2:
        return False
    if not data[start:end].isupper():
        return False
    part = _SNAKE_PART.match(data, end + 1)
    return part is not None and part.group().decode().lower() in common_words()
