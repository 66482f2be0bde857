"""The one normal form of a subject: how phigate decides two names are one person.

Separation of duties, ownership (who may run, view or cancel an action) and alias
lookups compare subjects. Compared as raw strings, `Dana@example.org`, `dana `,
full-width `ｄａｎａ` and `dana` are four people, and the weakest comparison wins. Every
door (API tokens, OIDC, chat mappings, aliases, policy subjects, stored principals)
passes a subject through `normal_subject` before it is kept or compared, so there
is exactly one copy of this rule.

A normal subject holds only allowed characters (`name_letters`: printable ASCII,
letters and marks of recommended scripts in named blocks): what is not understood
is refused, rather than what someone thought to list.
"""

from __future__ import annotations

import unicodedata

from phigate.core.ignorable import is_ignorable
from phigate.identity.look_alikes import (
    other_reading,
    passes_for_ascii,
    scripts_of,
    skeleton,
)
from phigate.identity.name_letters import first_refused

MAX_SUBJECT_CHARS = 200
# Control, format (zero-width, direction overrides), surrogate, private-use and
# unassigned characters, and line/paragraph separators: invisible or ambiguous in
# every place a subject is shown, so a subject carrying one is refused, not cleaned.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


# U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE, the Turkish capital of `i`: full case
# folding makes it `i` + U+0307, which no precomposed letter holds (and which is refused);
# folded as Turkish does, it is the `i` it is drawn as, so `ALİCE` and `İstanbul` are
# `alice` and `istanbul`, one person each, never a second one.
_TURKISH_CAPITAL_I = str.maketrans({"\u0130": "i"})

# Romanian ș and ț are written with a comma below (U+0219, U+021B and capitals); legacy
# encodings and keyboards gave the cedilla letters ş and ţ (U+015F, U+0163) for the same
# letters. NFKC keeps them apart, yet Unicode notes they were unified in practice (the
# Unicode FAQ on Romanian, and the Standard's Latin Extended-B notes), so `ştefan` and
# `ștefan` are one person: the cedilla forms fold to the comma-below ones.
_ROMANIAN_COMMA_BELOW = str.maketrans(
    {"\u015e": "\u0218", "\u015f": "\u0219", "\u0162": "\u021a", "\u0163": "\u021b"}
)

# Scripts one writing system mixes by design (Japanese, Korean); any other mix is refused.
_WRITING_SYSTEMS = (
    frozenset({"HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"HAN", "HANGUL"}),
)


class SubjectError(ValueError):
    """A subject that cannot name anyone (the message never repeats the subject)."""


def normal_subject(text: str) -> str:
    """NFKC, case-folded, trimmed, inner whitespace runs as one space; refuses any
    character outside the allowlist (`name_letters`) and look-alikes.
    Idempotent: normal_subject(normal_subject(s)) == normal_subject(s)."""
    _refuse_invisible(text)
    # NFKC → casefold → NFKC: case folding can leave text that NFKC changes again.
    compatible = (
        unicodedata.normalize("NFKC", text)
        .translate(_TURKISH_CAPITAL_I)
        .translate(_ROMANIAN_COMMA_BELOW)
    )
    folded = unicodedata.normalize("NFKC", compatible.casefold())
    _refuse_invisible(folded)
    subject = " ".join(folded.split())
    if not subject:
        raise SubjectError("a subject must not be empty")
    _refuse_not_allowed(subject)
    _refuse_look_alike(subject)
    if len(subject) > MAX_SUBJECT_CHARS:
        raise SubjectError(f"a subject must be at most {MAX_SUBJECT_CHARS} characters")
    return subject


def lookup_form(subject: str) -> str:
    """`subject` in normal form for looking something up by it. One that cannot be
    normal is kept as given: it holds a refused character, so it equals no normal
    subject and finds nothing (e.g. a wire user name with a NUL)."""
    try:
        return normal_subject(subject)
    except SubjectError:
        return subject


def same_subject(first: str | None, second: str | None) -> bool:
    """Whether two stored subjects name the same person (None matches nothing)."""
    if first is None or second is None:
        return False
    try:
        return normal_subject(first) == normal_subject(second)
    except SubjectError:
        return first == second


def drawn_alike(first: str | None, second: str | None) -> bool:
    """Whether two stored subjects are drawn the same though they are not one person:
    their normal forms differ and their skeletons (`look_alikes.skeleton`) are equal
    (`田中カナ` and `田中力ナ`, `dale` and `da1e`). Each alone is a name, so only a
    second subject tells them apart: separation of duties refuses a vote drawn as the
    requester's name, while ownership stays exact (a look-alike gains nothing)."""
    if first is None or second is None:
        return False
    try:
        one, other = normal_subject(first), normal_subject(second)
    except SubjectError:
        return False
    return one != other and skeleton(one) == skeleton(other)


def _refuse_invisible(text: str) -> None:
    for char in text:
        if unicodedata.category(char) in _REFUSED_CATEGORIES or is_ignorable(char):
            raise SubjectError(
                "a subject must not contain control, format or invisible characters "
                f"(U+{ord(char):04X})"
            )


def _refuse_not_allowed(subject: str) -> None:
    """Refuse a subject holding a character outside the allowlist, naming the
    character by code point and Unicode name (never the subject itself)."""
    refused = first_refused(subject)
    if refused is not None:
        char, why = refused
        name = unicodedata.name(char, "unassigned")
        raise SubjectError(f"a subject must not contain U+{ord(char):04X} {name}: {why}")


def _refuse_look_alike(subject: str) -> None:
    """Refuse a subject that could be read as another person's name.

    NFKC and case folding make `ｄａｎａ` and `DANA` one name, but not a Cyrillic `а`
    (U+0430) standing for a Latin `a`: `dаna` looks like `dana` and is a second
    person. A subject mixing scripts (other than the ones a writing system mixes,
    as Japanese does) is refused; so is one with a reading, by Unicode's confusables
    data, in fewer scripts than it is written in (`夕ナ力` with two Han ideographs
    reads `タナカ`) or wholly in another script (Cyrillic `аре` or `јоёӏ` for `ape`
    or `joël`): `look_alikes.other_reading`.
    """
    scripts = scripts_of(subject)
    if len(scripts) > 1 and not any(scripts <= system for system in _WRITING_SYSTEMS):
        raise SubjectError("a subject must be written in one script (it mixes look-alikes)")
    reading = other_reading(subject)
    if reading is not None:
        raise SubjectError(
            "a subject must not be a look-alike of a name written in "
            + " and ".join(script.title() for script in sorted(reading))
        )
    for char in subject:
        # The allowlist refuses these first (a Latin letter beyond ASCII must be an
        # ASCII letter with marks or a distinct letter of names, `name_letters`), and
        # `ȷ` or `ĸ`, which the confusables data misses; this stands behind it.
        if passes_for_ascii(char):
            raise SubjectError(
                f"a subject must not contain a letter that passes for an ASCII one "
                f"(U+{ord(char):04X})"
            )
