"""Round 19a of the promises-only attack: the people side of round 17's fixes (subjects
judged by their readings in Unicode's confusables data; what reviewers see of
look-alike words).

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held are ordinary tests.
"""

from __future__ import annotations

import pytest

from phigate.core.errors import InvalidRequestError
from phigate.identity.principal import PrincipalKind
from phigate.identity.subjects import SubjectError, normal_subject
from tests.conftest import Harness
from tests.support.state import token_store


async def _approves_for(harness: Harness, person: str, spelling: str, claim: int) -> bool:
    """Whether a data-owner identity made out to `spelling` approves a write of an
    agent that acts for `person` (a refusal to make the identity counts as the promise
    holding: the spelling is not one person's name)."""
    agent_token, _ = token_store(harness.gateway).create(
        subject=f"agent-{claim}",
        kind=PrincipalKind.AGENT,
        groups=("agents",),
        on_behalf_of=person,
    )
    asked = await harness.client.post(
        "/v1/actions",
        headers={"Authorization": f"Bearer {agent_token}"},
        json={"connection": "ehr", "sql": f"UPDATE claims SET status = 'paid' WHERE id = {claim}"},
    )
    assert asked.status_code == 202, asked.text
    assert asked.json()["approval"]["eligible_groups"] == ["data-owners"]
    approval_id = asked.json()["approval"]["id"]
    try:
        token_text, _ = token_store(harness.gateway).create(
            subject=spelling, kind=PrincipalKind.HUMAN, groups=("data-owners",)
        )
    except (ValueError, InvalidRequestError):
        return False
    voted = await harness.client.post(
        f"/v1/approvals/{approval_id}/approve",
        headers={"Authorization": f"Bearer {token_text}"},
        json={"comment": "ok"},
    )
    return voted.status_code == 200 or harness.gateway.approval(approval_id).state != "pending"


# ── 1. Han ideographs drawn as katakana that the confusables data does not pair ──
# Round 17 (finding 3) refused `夕ナ力` for `タナカ` by reading each letter through
# Unicode's confusables data, which pairs only 力/カ 夕/タ 口/ロ 工/エ 八/ハ 二/ニ 卜/ト
# 亻/イ 一/ー. The CJK Unified Ideographs that are the very components katakana were
# cut from are drawn the same and are not in the data: 彐 (U+5F50) as ヨ, 千 (U+5343)
# as チ, 匕 (U+5315) as ヒ, 乂 (U+4E42) as メ, 才 (U+624D) as オ, 厶 (U+53B6) as ム,
# 儿 (U+513F) as ル. Every one is in the subject allowlist (CJK Unified Ideographs).
KANA_DRAWN_BY_HAN = [
    ("\u30c1\u30e8", "\u5343\u5f50"),  # チヨ (Chiyo) as 千彐, wholly Han
    ("\u30d2\u30ed", "\u5315\u53e3"),  # ヒロ (Hiro) as 匕口, wholly Han
    ("\u30e1\u30a4", "\u4e42\u4ebb"),  # メイ (Mei) as 乂亻, wholly Han
    ("\u30e8\u30b7", "\u5f50\u30b7"),  # ヨシ (Yoshi) as 彐シ
    ("\u30aa\u30b5\u30e0", "\u624d\u30b5\u53b6"),  # オサム (Osamu) as 才サ厶
    ("\u30eb\u30df", "\u513f\u30df"),  # ルミ (Rumi) as 儿ミ
]


@pytest.mark.parametrize(("person", "spelling"), KANA_DRAWN_BY_HAN)
async def test_a_han_ideograph_the_data_misses_is_not_a_second_person(
    harness: Harness, person: str, spelling: str
) -> None:
    """docs/configuration.md: one normal form per person; a subject with a reading in
    fewer scripts, or wholly in another script, than it is written in is refused, so
    `夕ナ力` cannot pass for `タナカ`. The reading (identity/look_alikes.py `_letter`)
    only knows the pairs in `confusable_homoglyphs`' data, and the data lacks most of
    the ideographs katakana were made from: `千彐` (two ideographs) is drawn as `チヨ`,
    `匕口` as `ヒロ`, `彐シ` as `ヨシ`. Each is a valid subject; as a data owner it
    approves the write of the agent acting for the katakana person: the person approves
    her own agent's request under a second name."""
    assert not await _approves_for(harness, person, spelling, 11)


def test_held_the_paired_ideographs_are_refused() -> None:
    """The control of finding 1: ideographs the data pairs with katakana (夕 力 口 二
    卜 八) are refused whether the whole subject is Han or mixed with kana."""
    for spelling in ("\u5915\u30ca\u529b", "\u53e3\u30d0\u30fc\u30c8", "\u535c\u4e8c\u4e00"):
        with pytest.raises(SubjectError):
            normal_subject(spelling)


async def test_held_the_katakana_person_herself_cannot_approve(harness: Harness) -> None:
    """The control of finding 1: the katakana person (here `チヨ`, as the half-width
    `ﾁﾖ` NFKC makes full-width) does not approve her own agent's write."""
    assert not await _approves_for(harness, "\u30c1\u30e8", "\uff81\uff96", 12)


# ── what reviewers see of look-alike words ──────────────────────────────────
async def _review(harness: Harness, sql: str) -> dict[str, object]:
    """The review part of the REST approval view of `sql` sent by the agent: the one
    view every reviewer surface (console, Slack, Teams, CLI) renders."""
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    view = await harness.client.get(f"/v1/approvals/{approval_id}", headers=harness.auth("alice"))
    assert view.status_code == 200, view.text
    review: dict[str, object] = view.json()["action"]["review"]
    return review


def _escaped(review: dict[str, object], letter: str) -> bool:
    """Whether the reviewer's statement shows `letter` as an escape and counts it."""
    statement = str(review["statement"])
    return f"\\u{ord(letter):04x}" in statement and letter not in statement


async def test_held_a_cyrillic_word_of_latin_look_alikes_is_escaped(harness: Harness) -> None:
    """The control of finding 2: Cyrillic `рау` in a literal is escaped and counted."""
    review = await _review(harness, "UPDATE claims SET status = '\u0440\u0430\u0443' WHERE id = 21")
    assert _escaped(review, "\u0440"), review
    assert review["hidden"] == 3, review


# Cyrillic words drawn as Latin ones with a diaeresis: the subject rule reads ё (U+0451)
# and ї (U+0457) after NFD as Latin ë and ï (round 17, finding 1), the reviewer's view
# does not; nor the Cyrillic ё alone in a Latin word.
DIAERESIS_WORDS = [
    ("\u0458\u043e\u0451\u04cf", "\u0451"),  # ј о ё ӏ  reads joël
    ("\u0440\u0430\u0457\u0501", "\u0457"),  # р а ї ԁ  reads païd
    ("jo\u0451l", "\u0451"),  # Latin j o l and a Cyrillic ё: reads joël
]


@pytest.mark.parametrize(("word", "letter"), DIAERESIS_WORDS)
async def test_a_cyrillic_look_alike_with_a_diaeresis_is_escaped_for_reviewers(
    harness: Harness, word: str, letter: str
) -> None:
    """docs/security.md: every letter that passes for one of another script is shown as
    an escape and counted: in a word mixing scripts the minority's look-alikes, and a
    word wholly of Latin look-alikes (Cyrillic `рау` for `pay`). The reviewer's rule
    (reviewing/_reveal.py `_reads_as_latin`/`_alike`) is the one round 17 replaced for
    subjects: it asks the confusables data about each precomposed letter, which lists
    `е` and `і` but not `ё` and `ї`. So `'јоёӏ'` (reads `joël`) and `'joёl'` are shown
    as written, uncounted, in the console, Slack, Teams and the CLI."""
    review = await _review(harness, f"UPDATE claims SET status = '{word}' WHERE id = 22")
    assert _escaped(review, letter), review


# A word mostly in Cyrillic look-alikes with one Latin letter that has no Cyrillic twin
# (`m`, `t`): the main script of the word is Cyrillic, so only Latin letters that pass
# for Cyrillic ones would be escaped, and the Cyrillic impostors are shown as written.
MAJORITY_IMPOSTORS = [
    ("\u0441\u04cf\u0430\u0456m\u0455", "\u0441"),  # с ӏ а і m ѕ  reads claims
    ("\u0430\u0441\u0441\u0435\u0440t\u0435\u0501", "\u0430"),  # ассерtеԁ reads accepted
    ("\u03c1\u03b1\u03b9d", "\u03c1"),  # Greek ρ α ι and a Latin d: reads paid
]


@pytest.mark.parametrize(("word", "letter"), MAJORITY_IMPOSTORS)
async def test_look_alikes_that_outnumber_the_latin_letters_are_escaped(
    harness: Harness, word: str, letter: str
) -> None:
    """docs/security.md: what a reviewer reads is what runs; letters that pass for
    another script's are escaped. `_look_alike_letters` takes the script with most
    letters in a mixed word as its main one and escapes only the other script's letters
    that pass for the main script's. Write `accepted` with one real Latin `t` among
    seven Cyrillic look-alikes: the main script is Cyrillic, `t` is no Cyrillic
    look-alike, and nothing is escaped: the reviewer reads `'accepted'`."""
    review = await _review(harness, f"UPDATE claims SET status = '{word}' WHERE id = 23")
    assert _escaped(review, letter), review


# Han ideographs drawn as katakana, the pairs Unicode's confusables data lists: refused
# as subjects since round 17 (finding 3), shown as written in a reviewer's statement.
KANA_WORDS = [
    ("\u5915\u30ca\u529b", "\u5915"),  # 夕ナ力 reads タナカ
    ("\u53e3\u30d0\u30fc\u30c8", "\u53e3"),  # 口バート reads ロバート
]


@pytest.mark.parametrize(("word", "letter"), KANA_WORDS)
async def test_a_han_ideograph_drawn_as_kana_is_escaped_for_reviewers(
    harness: Harness, word: str, letter: str
) -> None:
    """docs/security.md: every letter that passes for one of another script is escaped,
    by Unicode's script and confusables data. `mixes_scripts` treats Han with kana as
    one writing system, so a Japanese word is never examined: `'夕ナ力'` (the data pairs
    夕/タ and 力/カ) is shown as `タナカ` would be, uncounted, in every reviewer view;
    the subject rule refuses the same spelling as a person's name."""
    review = await _review(harness, f"UPDATE claims SET status = '{word}' WHERE id = 24")
    assert _escaped(review, letter), review


async def test_a_russian_word_beside_it_does_not_unescape_a_look_alike_word(
    harness: Harness,
) -> None:
    """docs/security.md: a word wholly of Latin look-alikes (Cyrillic `рау` for `pay`) is
    escaped; a word of its own in another script (a Russian name in a literal) stays
    readable. `_look_alike_letters` goes further than the page says: once any word of
    the same text (a literal) is in that script and reads as no Latin word, no
    look-alike word of that script is escaped. A bilingual status `'paid (оплачено)'`
    whose `paid` is Cyrillic `раіԁ` is shown as written, uncounted, in every reviewer
    view; the status it writes is not `paid`."""
    status = "\u0440\u0430\u0456\u0501 (\u043e\u043f\u043b\u0430\u0447\u0435\u043d\u043e)"
    review = await _review(harness, f"UPDATE claims SET status = '{status}' WHERE id = 25")
    assert _escaped(review, "\u0440"), review


# ── attacks on one person's name that held ─────────────────────────────────
ONE_PERSON = [
    ("AL\u0130CE", "alice"),  # Turkish capital İ
    ("I\u0307stanbul", "istanbul"),  # I + COMBINING DOT ABOVE composes to İ
    ("STRAU\u1e9e", "strauss"),  # capital sharp s
    ("\u015etefan", "\u0219tefan"),  # cedilla Ş for comma-below ș
    ("\uff24\uff41\uff4e\uff41", "dana"),  # full-width
    ("\u041f\u0435\u0308\u0442\u0440", "\u043f\u0451\u0442\u0440"),  # Пё (decomposed) тр
    ("dana\u00a0ops", "dana ops"),  # no-break space
]


@pytest.mark.parametrize(("spelling", "person"), ONE_PERSON)
def test_held_case_and_compatibility_spellings_are_one_person(spelling: str, person: str) -> None:
    """Case folds (Turkish İ, ẞ), compatibility forms and decomposed marks are one
    person's name, never a second one."""
    assert normal_subject(spelling) == normal_subject(person)


LOOK_ALIKE_SPELLINGS = [
    "\u0408\u043e\u0451\u04cf",  # Јоёӏ, capital Ј: joël
    "\u03a1\u0391\u03aa\u03a3",  # ΡΑΪΣ folds to ραϊσ: reads païo
    "\u1d05\u1d00\u0274\u1d00",  # small capitals ᴅᴀɴᴀ
    "\uab70\uab8e",  # Cherokee small letters, folded to capitals
    "\u3078\u30f3\u30ea\u30fc",  # へンリー
    "\u5915\u306a\u529b",  # 夕な力 for タなカ
]


@pytest.mark.parametrize("spelling", LOOK_ALIKE_SPELLINGS)
def test_held_look_alike_spellings_are_refused(spelling: str) -> None:
    """Whole-script look-alikes after case folding, small capitals, Cherokee in either
    case, hiragana drawn as katakana: each refused as a subject."""
    with pytest.raises(SubjectError):
        normal_subject(spelling)
