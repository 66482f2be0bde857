"""Round 17a of the promises-only attack: the people side of what changed this
session (the subject allowlist after the dotted-i fix; chat warnings grouped by kind
and must-read; the Teams vote kept per posted card).

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner

from phigate.cli import main
from phigate.core.errors import InvalidRequestError
from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from tests.adversarial.harness import finding
from tests.conftest import Harness
from tests.connectors.support import serve_in_thread
from tests.support.state import token_store


async def _approves_for(harness: Harness, person: str, spelling: str, claim: int) -> bool:
    """Whether a data-owner identity made out to `spelling` approves a write of an
    agent that acts for `person` (a refusal to make the identity counts as the promise
    holding: the spelling is not one person's name)."""
    agent_token, _ = token_store(harness.gateway).create(
        subject=f"agent-{claim}",  # ASCII: a Japanese name and `-bot` mix scripts
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


async def test_held_the_person_herself_cannot_approve(harness: Harness) -> None:
    """The control of finding 1: `joël` may not approve a write of an agent acting
    for her; the test's agent and rule do reach a vote."""
    assert not await _approves_for(harness, "jo\u00ebl", "JO\u00cbL", 3)


# Names written wholly in Cyrillic, every letter drawn as the Latin one: `ј о ӏ с һ і`
# are in Unicode's confusables data (so `јоеӏ` alone is refused), but the precomposed
# Cyrillic letters with marks `ё` (U+0451, drawn as `ë`) and `ї` (U+0457, drawn as `ï`)
# are not, and neither are the Cyrillic combining marks (U+0483 TITLO, U+0487 POKRYTIE).
CYRILLIC_WITH_MARKS = [
    ("jo\u00ebl", "\u0458\u043e\u0451\u04cf"),  # ј о ё ӏ  reads joël
    ("lo\u00efc", "\u04cf\u043e\u0457\u0441"),  # ӏ о ї с  reads loïc
    ("chlo\u00eb", "\u0441\u04bb\u04cf\u043e\u0451"),  # с һ ӏ о ё  reads chloë
    ("a\u00efsha", "\u0430\u0457\u0455\u04bb\u0430"),  # а ї ѕ һ а  reads aïsha
]


@finding(1, "a wholly Cyrillic name with a precomposed ё/ї passes the look-alike check")
@pytest.mark.parametrize(("person", "spelling"), CYRILLIC_WITH_MARKS)
async def test_a_cyrillic_name_with_diaeresis_is_not_a_second_person(
    harness: Harness, person: str, spelling: str
) -> None:
    """docs/configuration.md: a subject "written wholly in another script whose every
    letter is a Latin look-alike" is refused. `_reads_as_latin` (identity/subjects.py)
    asks that every letter be in Unicode's confusables data; `ё` and `ї` are not (the
    data lists `е` and `і`, not their precomposed forms with a diaeresis), so the one
    letter with marks lets the whole word through: a data-owner `јоёӏ` approves the
    write of the agent acting for `joël`."""
    assert not await _approves_for(harness, person, spelling, 4)


# Japanese mixes Han and kana in one word, so a subject may (identity/subjects.py
# `_WRITING_SYSTEMS`); but Han has ideographs drawn exactly as katakana letters: 力
# (U+529B, "power") as カ, 夕 (U+5915, "evening") as タ, 一 (U+4E00, "one") as the
# long-vowel mark ー, 口 (U+53E3, "mouth") as ロ. The look-alike check only asks
# whether a name reads as Latin.
KANA_LOOK_ALIKES = [
    ("\u30bf\u30ca\u30ab", "\u5915\u30ca\u529b"),  # タナカ (Tanaka) as 夕ナ力
    ("\u30ab\u30c8\u30a6", "\u529b\u30c8\u30a6"),  # カトウ (Katō) as 力トウ
    ("\u30e1\u30a2\u30ea\u30fc", "\u30e1\u30a2\u30ea\u4e00"),  # メアリー as メアリ一
    ("\u30ed\u30d0\u30fc\u30c8", "\u53e3\u30d0\u30fc\u30c8"),  # ロバート as 口バート
    # and within kana: hiragana へ (U+3078) is the same stroke as katakana ヘ (U+30D8)
    ("\u30d8\u30f3\u30ea\u30fc", "\u3078\u30f3\u30ea\u30fc"),  # ヘンリー as へンリー
]


@finding(3, "a Han ideograph (or hiragana) drawn as a katakana letter: a second name")
@pytest.mark.parametrize(("person", "spelling"), KANA_LOOK_ALIKES)
async def test_a_han_ideograph_drawn_as_kana_is_not_a_second_person(
    harness: Harness, person: str, spelling: str
) -> None:
    """docs/configuration.md: one normal form per person; a subject that "could be read
    as another person's name" is refused. Japanese may mix Han and kana, and no check
    looks within that mix: `夕ナ力` (two ideographs and a katakana) is drawn exactly as
    `タナカ`, and as a data owner approves the write of the agent acting for タナカ. Same
    for 力/カ, 一/ー, 口/ロ (also 工/エ, 八/ハ, 二/ニ, 卜/ト). Unicode's confusables data
    lists these pairs; `_reads_as_latin` only asks about Latin."""
    assert not await _approves_for(harness, person, spelling, 5)


async def test_held_a_japanese_name_is_one_person(harness: Harness) -> None:
    """The control of finding 3: `タナカ` itself, and its half-width form `ﾀﾅｶ` (NFKC
    makes it full-width), may not approve the write of the agent acting for タナカ."""
    assert not await _approves_for(harness, "\u30bf\u30ca\u30ab", "\uff80\uff85\uff76", 6)


# Romanian ș and ț are written with a comma below (U+0219, U+021B); legacy encodings and
# keyboards wrote the cedilla letters ş and ţ (U+015F, U+0163) for the same letters, and
# both are still in use for the same names (Unicode's own FAQ on Romanian).
ROMANIAN_SPELLINGS = [
    ("\u0219tefan", "\u015ftefan"),  # ștefan as ştefan
    ("\u021bepe\u0219", "\u0163epe\u015f"),  # țepeș as ţepeş
]


@pytest.mark.parametrize(("person", "spelling"), ROMANIAN_SPELLINGS)
async def test_a_romanian_cedilla_spelling_is_not_a_second_person(
    harness: Harness, person: str, spelling: str
) -> None:
    """docs/configuration.md: one normal form per person "under any spelling". Both
    letters are ASCII letters with a mark below (the Latin rule lets them through) and
    NFKC keeps them apart, so `ştefan`, the spelling an older system or keyboard gives,
    approves the write of the agent acting for `ștefan`."""
    assert not await _approves_for(harness, person, spelling, 7)


# ── warnings that quote the caller's names raw ─────────────────────────────
# A DELETE without WHERE on a table whose quoted name holds terminal control sequences:
# erase the line, go up one, erase it, back to column 1, and draw a line of our own.
ESCAPED_TABLE = "claims\x1b[2K\x1b[1A\x1b[2K\x1b[1Gwarning: none"


async def test_a_warning_never_carries_a_hidden_character_of_the_statement(
    harness: Harness,
) -> None:
    """docs/security.md: what a reviewer reads has its hidden characters escaped and
    flagged. The statement is (`\\u001b`), but the warning "DELETE from X has no
    WHERE" (reviewing/_sql.py `_Unbounded`, grouped by reviewing/essentials.py, places
    included) quotes the parse tree's `relname` raw, and `phigate approvals show`
    prints the warnings as they are: the terminal of the reviewer receives the agent's
    ESC sequences, which erase and redraw the lines above (the no-WHERE warning itself,
    the hidden-character warning, the facts). The REST view, the console and the chat
    messages carry the same raw text (a U+202E or a line break in a table name)."""
    answer = await harness.submit("claims-bot", f'DELETE FROM "{ESCAPED_TABLE}"')
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    view = await harness.client.get(f"/v1/approvals/{approval_id}", headers=harness.auth("alice"))
    warnings = view.json()["action"]["review"]["warnings"]
    served = serve_in_thread(build_app(harness.gateway))
    try:
        args = ["approvals", "--url", served.url, "--token", harness.tokens["alice"]]
        runner = CliRunner(env={"COLUMNS": "200"})
        shown = await asyncio.to_thread(runner.invoke, main, [*args, "show", approval_id])
    finally:
        served.stop()
    assert shown.exit_code == 0, shown.output
    assert any("no WHERE" in w for w in warnings), warnings
    assert "\x1b" not in shown.output, repr(shown.output)
    assert not [w for w in warnings if "\x1b" in w], warnings
