"""The one normal form of a subject (phigate.identity.subjects)."""

from __future__ import annotations

import pytest

from phigate.identity.subjects import SubjectError, lookup_form, normal_subject, same_subject


@pytest.mark.parametrize(
    "spelling",
    ["dana", "Dana", "DANA", " dana ", "ｄａｎａ", "Ｄａｎａ", "dana\u00a0", "\u3000dana"],
)
def test_spellings_of_one_name_are_one_subject(spelling: str) -> None:
    assert normal_subject(spelling) == "dana"


@pytest.mark.parametrize(
    "text",
    [
        "dana\n",
        "da\u200bna",  # zero-width space
        "da\u200dna",  # zero-width joiner
        "dana\u202e",  # right-to-left override
        "da\u2066na",  # isolate
        "dana\u2028",  # line separator
        "da\x00na",
        "\tdana",
        "da\ue000na",  # private use
        "da\ufeffna",  # byte-order mark
        "",
        "   ",
        "x" * 201,
    ],
)
def test_subjects_that_cannot_name_anyone_are_refused(text: str) -> None:
    with pytest.raises(SubjectError) as caught:
        normal_subject(text)
    assert text.strip() == "" or text not in str(caught.value)  # never echoed
    assert lookup_form(text) == text  # looked up as given: matches no normal subject


@pytest.mark.parametrize(
    "text", ["Straße", "ﬁ", "ǅ", "İstanbul", "Ⅻ", "ＡＢＣ１２３@Example.ORG", "a  b\u2003c"]
)
def test_the_normal_form_is_idempotent(text: str) -> None:
    once = normal_subject(text)
    assert normal_subject(once) == once
    assert same_subject(text, once)


def test_same_subject() -> None:
    assert same_subject("Dana@Example.org", "dana@example.org")
    assert not same_subject("dana", None)
    assert not same_subject("dana", "dana2")


@pytest.mark.parametrize(
    "look_alike",
    [
        "d\u0430na",  # Cyrillic а among Latin letters
        "d\u03bfna",  # Greek omicron
        "\u0430pe",  # wholly Cyrillic, every letter a Latin look-alike
        "\u0440\u0430\u0443",  # р а у: reads as `pay`
        "dana@ex\u0430mple.org",
    ],
)
def test_look_alikes_of_a_name_are_refused(look_alike: str) -> None:
    """Round 3, finding 2: a look-alike is not a second person; it is no one."""
    with pytest.raises(SubjectError):
        normal_subject(look_alike)


@pytest.mark.parametrize(
    "name",
    ["дана", "ελένη", "山田たろう", "김철수", "张伟", "josé.garcía-1", "müller", "o\u0301scar"],
)
def test_names_in_one_writing_system_are_kept(name: str) -> None:
    assert normal_subject(name)
