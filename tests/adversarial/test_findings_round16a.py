"""Round 16a of the promises-only attack: one person, one name, against the subject
allowlist (docs/configuration.md "One normal form per person"), and chat messages cut
to their platform's size.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed.
Attacks that held are ordinary tests.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from phigate.core.errors import InvalidRequestError
from phigate.doors.channels import _teams_cards as teams_cards
from phigate.doors.channels._summary import masked_summary
from phigate.identity.principal import PrincipalKind
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_slack import close, slack_settings
from tests.channels.test_teams import bot_api, invoke, send, teams_settings, token
from tests.conftest import Harness, demo_config, make_harness
from tests.support.state import token_store


async def _approves_for(harness: Harness, person: str, spelling: str, claim: int) -> bool:
    """Whether a data-owner identity made out to `spelling` approves a write of an
    agent that acts for `person` (a refusal to make the identity counts as the promise
    holding: the spelling is not one person's name)."""
    agent_token, _ = token_store(harness.gateway).create(
        subject=f"{person}-bot-{claim}",
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
    """The control of the findings below: `alice` (a demo data owner) may not approve a
    write of an agent acting for her; the test's agent and rule do reach a vote."""
    assert not await _approves_for(harness, "alice", "Alice", 3)


# `ALİCE` (U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE, the Turkish capital on every
# Turkish keyboard) case-folds to `i` + U+0307 COMBINING DOT ABOVE; NFKC has no
# precomposed small letter for it, so the normal form is `ali̇ce`, drawn as `alice`
# (the mark sits on, or merges with, the i's own dot). Same with a dotless `ȷ` + dot.
DOTTED_SPELLINGS = [
    ("alice", "AL\u0130CE"),
    ("alice", "ali\u0307ce"),
    ("jane", "\u0237\u0307ane"),
]


@pytest.mark.parametrize(("person", "spelling"), DOTTED_SPELLINGS)
async def test_a_dotted_i_does_not_make_alice_a_second_person(
    harness: Harness, person: str, spelling: str
) -> None:
    """Finding 1, fixed: docs/configuration.md: a subject is compared in one normal
    form, and combining marks were allowed "only on a letter of their own script";
    `_passes_for_ascii` (identity/subjects.py) looks at one character at a time, so it
    never saw that `i` + U+0307 reads as the ASCII `i` it already is. A data-owner
    identity `ALİCE` (an IdP username, a token an admin issued from a Turkish
    keyboard) approved the write of the agent acting for alice. Now a mark must
    compose into one letter under NFC, and `İ` folds to `i` (`ALİCE` is alice)."""
    assert not await _approves_for(harness, person, spelling, 4)


# Latin letters with no ASCII prototype in Unicode's confusables data that still read
# as one: U+0237 DOTLESS J (`ȷ`, the twin of the refused dotless `ı`) and U+0138 KRA
# (`ĸ`, drawn as a small capital K).
LATIN_LOOK_ALIKES = [("jane", "\u0237ane"), ("kate", "\u0138ate")]


@pytest.mark.parametrize(("person", "spelling"), LATIN_LOOK_ALIKES)
async def test_a_dotless_j_or_kra_does_not_make_a_second_person(
    harness: Harness, person: str, spelling: str
) -> None:
    """Finding 2, fixed: docs/configuration.md refuses "a non-ASCII Latin letter that
    reads as an ASCII one"; the rule was Unicode's confusables data, which maps `ı` to
    `i` (refused) but not `ȷ` to `j` nor `ĸ` to `k`: `ȷane` approved the write of
    jane's agent. Now a Latin letter beyond ASCII must be an ASCII letter with marks
    or a distinct letter of names (identity/name_letters.py)."""
    assert not await _approves_for(harness, person, spelling, 5)


@pytest.mark.parametrize(
    ("person", "spelling"),
    [
        ("alice", "\u0430\u04cf\u0456\u0441\u0435"),  # wholly Cyrillic а ӏ і с е
        ("alice", "al\u0131ce"),  # dotless i
        ("alice", "\uff21\uff2c\uff29\uff23\uff25"),  # full-width ALICE (NFKC: alice)
        ("alice", "ALICE"),
        ("soon", "\u057d\u0585\u0585\u0578"),  # wholly Armenian ս օ օ ո
        ("jack", "\u0458\u0430\u0441\u043a"),  # wholly Cyrillic ј а с к
    ],
)
async def test_held_whole_script_and_compatibility_spellings(
    harness: Harness, person: str, spelling: str
) -> None:
    """Held: whole-script look-alikes (Cyrillic, Armenian), the dotless i and NFKC/case
    forms are refused or are the person herself."""
    assert not await _approves_for(harness, person, spelling, 6)


# ── a chat message that cuts the warnings and still offers a vote ───────────
@pytest.fixture
def slack() -> Iterator[Recorder]:
    with slack_api() as recorder:
        yield recorder


@pytest.fixture
async def slack_harness(tmp_path: Path, ehr_dsn: str, slack: Recorder) -> AsyncIterator[Harness]:
    settings = demo_config(tmp_path, ehr_dsn, overrides={"channels": slack_settings(slack)})
    h = await make_harness(settings)
    try:
        yield h
    finally:
        await close(h)


# A comment of space runs of 126 different lengths: the re-printed statement (the part a
# reviewer must read) drops the comment, but each run raises its own warning ("a run
# of N spaces is shown as ⟨N spaces⟩"), and those come first. Then the write: no WHERE,
# and a value written wholly in Cyrillic (`Аеtnа` is flagged only by the warning that
# the statement mixes scripts, since a word wholly in one script is not escaped).
_SPACES = "x".join(" " * n for n in range(4, 130))
CUT_WARNINGS = f"/*{_SPACES}*/ UPDATE claims SET status = '\u0430\u0440\u0435'"


def _texts(blocks: object) -> str:
    return json.dumps(blocks, ensure_ascii=False)


async def test_a_slack_vote_is_offered_only_with_every_warning_shown(
    slack_harness: Harness, slack: Recorder
) -> None:
    """docs/slack.md: a warning above the statement calls out an UPDATE or DELETE
    without WHERE, and look-alikes are "escaped and flagged" (docs/security.md); a
    message offers a vote only when what a reviewer must read fits whole. The warnings
    are not among the must-read parts (reviewing/essentials.py `must_read`), so a
    comment the re-printed statement does not even show (126 space runs, one warning
    each) pushes "UPDATE without WHERE" and "this statement mixes scripts" past the
    section's 3,000 characters ("… N more warnings: see the console") while Approve
    stays on the message: the reviewer approves an unbounded write whose flags were
    cut."""
    asked = await slack_harness.submit("claims-bot", CUT_WARNINGS)
    assert asked.status_code == 202, asked.text
    approval_id = asked.json()["approval"]["id"]
    view = await slack_harness.client.get(
        f"/v1/approvals/{approval_id}", headers=slack_harness.auth("alice")
    )
    assert view.status_code == 200, view.text
    warnings = view.json()["action"]["review"]["warnings"]
    assert any("mixes scripts" in w for w in warnings), warnings
    assert any("WHERE" in w for w in warnings), warnings
    message = slack.wait_for("chat.postMessage")[0]
    offers_vote = '"phigate_approve"' in _texts(message["blocks"])
    assert offers_vote, "the message offers no vote (the promise holds another way)"
    shown = _texts(message["blocks"])
    flags = [w for w in warnings if "WHERE" in w or "mixes scripts" in w]
    missing = [w for w in flags if w[:60] not in shown]
    assert missing == [], f"a vote is offered without these warnings: {missing}"


@pytest.fixture
def bot() -> Iterator[Recorder]:
    with bot_api() as recorder:
        yield recorder


@pytest.fixture
async def teams_harness(tmp_path: Path, ehr_dsn: str, bot: Recorder) -> AsyncIterator[Harness]:
    settings = demo_config(tmp_path, ehr_dsn, overrides={"channels": teams_settings(bot)})
    h = await make_harness(settings)
    try:
        yield h
    finally:
        await close(h)


async def test_a_teams_vote_is_offered_only_with_every_warning_shown(
    teams_harness: Harness, bot: Recorder
) -> None:
    """docs/teams.md: forms 1–4 offer a vote "when every must-read part fits whole",
    the warnings cut to what fits ("… N more warnings"). The same write as finding 3:
    its flags (no WHERE, a word in Cyrillic) are cut from a card that offers Approve."""
    asked = await teams_harness.submit("claims-bot", CUT_WARNINGS)
    assert asked.status_code == 202, asked.text
    approval_id = asked.json()["approval"]["id"]
    view = await teams_harness.client.get(
        f"/v1/approvals/{approval_id}", headers=teams_harness.auth("alice")
    )
    warnings = view.json()["action"]["review"]["warnings"]
    posted = bot.wait_for("/svc/v3/conversations/19:rev/activities")[0]
    shown = _texts(posted)
    assert '"verb": "approve"' in shown, "the card offers no vote (the promise holds another way)"
    flags = [w for w in warnings if "WHERE" in w or "mixes scripts" in w]
    assert len(flags) == 2, warnings
    missing = [w for w in flags if w[:60] not in shown]
    assert missing == [], f"a vote is offered without these warnings: {missing}"


# ── a card that offered no vote, voted on once the clock shortens it ───────
# `unshown` picks the card's form again at each invoke, from the view as it is then;
# the view's "time left" (`1 h 0 min`, then `59 min`) is in the card, so a card that
# was 1-3 bytes over the summary form's room when posted (form 5, no vote) fits it a
# second later, and a vote on the card that offered none is recorded.
_MOMENT = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
_ROOM = teams_cards.MESSAGE_MAX - teams_cards.NOTE_ROOM
_LONG_WRITE = "UPDATE claims SET status = '" + "\u0434" * 2400 + "' WHERE id = {claim}"


def _smallest_voting_card(h: Harness, approval_id: str) -> int:
    """Bytes of the smallest form that would offer a vote on this approval now."""
    view = masked_summary(h.gateway, h.gateway.approval(approval_id))
    forms = teams_cards.FORMS[:4]  # rich, merged, plain, summary
    return min(
        teams_cards.message_size(teams_cards._card(view, f, note="", interactive=True))
        for f in forms
    )


def _card_of(bot: Recorder, index: int) -> dict[str, Any]:
    posted = bot.wait_for("/svc/v3/conversations/19:rev/activities", index + 1)[index]
    return dict(posted["attachments"][0]["content"])


def _offers_vote(card: dict[str, Any]) -> bool:
    return any(a.get("verb") == "approve" for a in card.get("actions", []))


async def test_a_teams_card_without_a_vote_takes_none_later(
    teams_harness: Harness, bot: Recorder
) -> None:
    """docs/teams.md: forms 5 and 6 never offer a vote, "and an invoke is checked
    against the same choice (`_teams_cards.unshown`), so it is answered 'Not
    recorded'". The choice is made again at the invoke from the view as it is then,
    and the card holds the time left: a card posted 1 byte over the summary form's
    room (form 5: the start of each part, no vote) fits the summary form a second
    later, when `1 h 0 min` has become `59 min`. alice's approve on the card that
    showed only the start of the statement and the reason is recorded."""
    pad = " "
    with time_machine.travel(_MOMENT, tick=False):
        probe = await teams_harness.submit(
            # Another claim of the same length: the identical write would wait on the
            # probe's request rather than be asked again.
            "claims-bot",
            _LONG_WRITE.format(claim=9),
            reason="\u0436" * 1480 + pad,
        )
        assert probe.status_code == 202, probe.text
        size = _smallest_voting_card(teams_harness, probe.json()["approval"]["id"])
        extra = _ROOM + 1 - size
        assert 0 <= extra < 900, size
        asked = await teams_harness.submit(
            "claims-bot",
            _LONG_WRITE.format(claim=8),
            reason="\u0436" * 1480 + pad + "-" * extra,
        )
        assert asked.status_code == 202, asked.text
        approval_id = asked.json()["approval"]["id"]
        assert not _offers_vote(_card_of(bot, 1)), "the card was posted with a vote"
    with time_machine.travel(_MOMENT + dt.timedelta(seconds=2), tick=False):
        assert _smallest_voting_card(teams_harness, approval_id) <= _ROOM  # fits now
        answer = await send(
            teams_harness,
            invoke(bot, approval_id, "approve", "aad-alice", "act-16a"),
            token(bot),
        )
        assert answer.status_code == 200, answer.text
        reply = answer.json()["value"]
        assert "Not recorded" in _texts(reply) and not _offers_vote(reply)
    state = teams_harness.gateway.approval(approval_id).state.value
    assert state == "pending", f"a vote on a card that offered none was recorded ({state})"
