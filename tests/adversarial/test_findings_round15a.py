"""Round 15a of the promises-only attack: the people side (approvals, identities,
reviewer surfaces, policy edge cases).

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
import yaml

from phigate.identity.principal import PrincipalKind
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_slack import click, close, signed, slack_settings
from tests.channels.test_teams import bot_api, teams_settings
from tests.conftest import DEMO_POLICY, Harness, demo_config, make_harness
from tests.support.state import token_store


def _demo_policy(*extra_rules: dict[str, Any]) -> dict[str, Any]:
    """The demo's policy section with `extra_rules` added (for `demo_config` overrides)."""
    text = DEMO_POLICY.read_text().format(state_db="x", http_port=0, secrets_dir="x")
    policy: dict[str, Any] = yaml.safe_load(text)["policy"]
    policy["rules"] = [*policy["rules"], *extra_rules]
    return policy


@pytest.fixture
async def night_freeze(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """The demo, plus a change freeze on Friday nights: 22:00 to 06:00 UTC."""
    freeze = {
        "name": "friday-night-freeze",
        "description": "no writes on Friday night, 22:00 to 06:00",
        "match": {"risk": ["write"], "time": {"days": ["fri"], "start": "22:00", "end": "06:00"}},
        "decision": "deny",
        "reason": "change freeze on Friday nights",
    }
    h = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(freeze)})
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _status_at(harness: Harness, moment: dt.datetime, claim: int) -> int:
    with time_machine.travel(moment, tick=True):
        answer = await harness.submit(
            "claims-bot", f"UPDATE claims SET status = 'paid' WHERE id = {claim}"
        )
    return answer.status_code


async def test_a_night_window_covers_the_night_it_starts(night_freeze: Harness) -> None:
    """docs/configuration.md `match.time`: "a window may cross midnight". A freeze on
    `days: [fri]`, 22:00 to 06:00 holds on Friday at 23:00 but not on Saturday at 01:00,
    the same night (config.py `TimeWindow.contains` checks the weekday of the moment,
    not of the window's start), and it holds on Friday at 01:00, Thursday's night."""
    friday_late = dt.datetime(2026, 12, 11, 23, 0, tzinfo=dt.UTC)
    saturday_early = dt.datetime(2026, 12, 12, 1, 0, tzinfo=dt.UTC)
    assert await _status_at(night_freeze, friday_late, 3) == 403
    assert await _status_at(night_freeze, saturday_early, 4) == 403, "the freeze ended at midnight"


# ── one person under an alias, on a second channel ─────────────────────────
ALIASES = {"dana": ["dana@example.org"], "alice": ["alice@example.org", "00u1alice"]}


@pytest.fixture
def slack() -> Iterator[Recorder]:
    with slack_api() as recorder:
        recorder.emails["U_DANA_MAIL"] = "Dana@Example.org"
        yield recorder


@pytest.fixture
async def aliased(tmp_path: Path, ehr_dsn: str, slack: Recorder) -> AsyncIterator[Harness]:
    """The demo with aliases, writes needing two data owners, and Slack users mapped
    to aliases (by id, and by e-mail address)."""
    policy = _demo_policy()
    for rule in policy["rules"]:
        if rule["name"] == "writes-and-exports-need-a-data-owner":
            rule["approvals"] = {"count": 2, "groups": ["data-owners"], "expires_in": 3600}
    users = {
        "U_DANA_ALIAS": {"subject": "dana@example.org", "groups": ["data-owners"]},
        "U_ALICE_ALIAS": {"subject": "00u1alice", "groups": ["data-owners"]},
    }
    channels = slack_settings(slack, users=users)
    channels["slack"]["people_by_email"] = {
        "dana@example.org": {"subject": "dana@example.org", "groups": ["data-owners"]}
    }
    settings = demo_config(
        tmp_path,
        ehr_dsn,
        overrides={
            "policy": policy,
            "identity": {"auditor_groups": ["auditors"], "aliases": ALIASES},
            "channels": channels,
        },
    )
    h = await make_harness(settings)
    try:
        yield h
    finally:
        await close(h)


async def _slack_vote(h: Harness, approval_id: str, user: str) -> None:
    body = click(approval_id, user)
    answer = await h.client.post("/slack/interactions", content=body, headers=signed(body))
    assert answer.status_code == 200, answer.text


async def test_held_a_slack_account_mapped_to_an_alias_is_the_person(
    aliased: Harness, slack: Recorder
) -> None:
    """docs/oidc.md: an alias cannot approve the person's agent's request, nor vote
    twice; Slack users are compared in the same normal form."""
    asked = await aliased.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 5")
    assert asked.status_code == 202, asked.text
    approval_id = asked.json()["approval"]["id"]
    slack.wait_for("chat.postMessage")
    voted = await aliased.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=aliased.auth("alice"), json={}
    )
    assert voted.status_code == 200, voted.text
    for user in ("U_DANA_ALIAS", "U_DANA_MAIL", "U_ALICE_ALIAS"):
        await _slack_vote(aliased, approval_id, user)
    approval = aliased.gateway.approval(approval_id)
    assert approval.state == "pending", [(v.voter, v.channel) for v in approval.votes]
    assert [v.voter for v in approval.votes] == ["alice"]


# ── a rule that names a person by an alias ──────────────────────────────────
@pytest.fixture
async def rule_by_alias(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """alice is also `alice@example.org` (her OIDC e-mail), and a rule, written with the
    name the identity provider uses, denies her every read of the EHR."""
    no_reads = {
        "name": "alice-offboarded",
        "match": {"subjects": ["alice@example.org"], "connections": ["ehr"]},
        "decision": "deny",
        "reason": "alice left the data-owner role",
    }
    settings = demo_config(
        tmp_path,
        ehr_dsn,
        overrides={
            "policy": _demo_policy(no_reads),
            "identity": {"auditor_groups": ["auditors"], "aliases": ALIASES},
        },
    )
    h = await make_harness(settings)
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_a_rule_naming_an_alias_applies_to_that_identity(rule_by_alias: Harness) -> None:
    """docs/oidc.md: every principal is mapped to the person when it authenticates, and
    docs/configuration.md compares `rules[].match.subjects` as people. A deny rule that
    names `alice@example.org` (an alias of alice) does not stop a token made out to
    `alice@example.org` itself: policy/engine.py compares the mapped subject (`alice`)
    with the rule's names as written, and config.py does not resolve aliases in them
    (nor refuse a rule naming an alias)."""
    token, _ = token_store(rule_by_alias.gateway).create(
        subject="alice@example.org", kind=PrincipalKind.HUMAN, groups=("data-owners",)
    )
    answer = await rule_by_alias.client.post(
        "/v1/actions",
        headers={"Authorization": f"Bearer {token}"},
        json={"connection": "ehr", "sql": "SELECT id, status FROM claims WHERE id = 1"},
    )
    assert answer.status_code == 403, answer.text
    as_alice = await rule_by_alias.submit("alice", "SELECT id, status FROM claims WHERE id = 1")
    assert as_alice.status_code == 403, as_alice.text


# ── two approval rules of equal count ───────────────────────────────────────
@pytest.fixture
async def two_approvers(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """The demo (every write needs a data owner), plus: a write to claims also needs
    someone from `billing-security` (admin holds that group here)."""
    billing = {
        "name": "claims-writes-need-billing-security",
        "match": {"tables": ["claims"], "risk": ["write"]},
        "decision": "approve",
        "approvals": {"count": 1, "groups": ["billing-security"], "expires_in": 3600},
    }
    h = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(billing)})
    )
    h.tokens["sec"], _ = token_store(h.gateway).create(
        subject="sec", kind=PrincipalKind.HUMAN, groups=("billing-security",)
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_a_stricter_approval_rule_is_not_dropped_for_an_earlier_one(
    two_approvers: Harness,
) -> None:
    """docs/configuration.md: "the most restrictive wins … among approvals the one
    needing more people". Two rules needing one approval each, from different groups,
    tie (policy/engine.py `_restrictiveness` ranks by decision and count only), and
    `max` keeps the first: the claims write waits for a data owner only, and runs on
    alice's vote, though the billing rule says it needs billing-security."""
    asked = await two_approvers.submit(
        "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 6"
    )
    assert asked.status_code == 202, asked.text
    approval = asked.json()["approval"]
    voted = await two_approvers.client.post(
        f"/v1/approvals/{approval['id']}/approve", headers=two_approvers.auth("alice"), json={}
    )
    state = two_approvers.gateway.approval(approval["id"]).state
    assert "billing-security" in approval["eligible_groups"] and state == "pending", (
        f"{approval['eligible_groups']}: {state} after a data owner's vote ({voted.status_code})"
    )


# ── Slack's own limits ──────────────────────────────────────────────────────
SLACK_FIELD_MAX = 2000  # Block Kit: each text of a section's `fields`
SLACK_SECTION_MAX = 3000  # Block Kit: a section's `text`


@pytest.fixture
async def slack_harness(tmp_path: Path, ehr_dsn: str, slack: Recorder) -> AsyncIterator[Harness]:
    settings = demo_config(tmp_path, ehr_dsn, overrides={"channels": slack_settings(slack)})
    h = await make_harness(settings)
    try:
        yield h
    finally:
        await close(h)


def _over_slack_limits(blocks: list[dict[str, Any]]) -> list[str]:
    over = []
    for block in blocks:
        if block["type"] != "section":
            continue
        if len(block.get("text", {}).get("text", "")) > SLACK_SECTION_MAX:
            over.append(f"section text of {len(block['text']['text'])}")
        for field_ in block.get("fields", []):
            if len(field_["text"]) > SLACK_FIELD_MAX:
                over.append(f"field {field_['text'][:20]!r}… of {len(field_['text'])}")
    return over


_MANY_TABLES = ", ".join(f"t{i:02d}_{'x' * 55}" for i in range(40))
_WRITES_OVER_SLACKS_LIMITS = {
    "tables": f"UPDATE claims SET status = 'paid' FROM {_MANY_TABLES} WHERE claims.id = 7",
    "warnings": "; ".join(f"UPDATE claims SET status = 'paid{i}'" for i in range(80)),
}


@pytest.mark.parametrize("part", sorted(_WRITES_OVER_SLACKS_LIMITS))
async def test_a_long_write_is_posted_within_slacks_limits(
    slack_harness: Harness, slack: Recorder, part: str
) -> None:
    """docs/slack.md: each request is posted for review. Block Kit refuses a message
    whose section field is over 2,000 characters or section text over 3,000
    (`invalid_blocks`), so the request never reaches the channel.
    channels/_slack_blocks.py caps the statement (MAX_SQL) but not the facts (the Tables
    field lists every table) nor the warnings (one per UPDATE or DELETE without WHERE)."""
    asked = await slack_harness.submit("claims-bot", _WRITES_OVER_SLACKS_LIMITS[part])
    assert asked.status_code == 202, asked.text
    message = slack.wait_for("chat.postMessage")[0]
    assert _over_slack_limits(message["blocks"]) == []


@pytest.mark.parametrize("how", ["run", "ask again"])
async def test_a_freeze_window_holds_when_the_write_runs(night_freeze: Harness, how: str) -> None:
    """The freeze is decided when the write is asked for, not when it runs: a write
    asked for at 21:55 on Friday waits for a data owner, who approves at 22:30, and it
    runs at 22:31, inside the freeze (the approval's hour outlives the window's start),
    by `POST /v1/actions/{id}/run` or by asking again (pipeline/admission.py looks for
    an approved twin of anything not allowed, a denied action included).
    docs/configuration.md: a rule with `match.time` applies "in a weekly window"."""
    claim = 8 if how == "run" else 12
    write = f"UPDATE claims SET status = 'denied' WHERE id = {claim}"
    with time_machine.travel(dt.datetime(2026, 12, 11, 21, 55, tzinfo=dt.UTC), tick=True):
        asked = await night_freeze.submit("claims-bot", write)
    assert asked.status_code == 202, asked.text
    with time_machine.travel(dt.datetime(2026, 12, 11, 22, 30, tzinfo=dt.UTC), tick=True):
        voted = await night_freeze.client.post(
            f"/v1/approvals/{asked.json()['approval']['id']}/approve",
            headers=night_freeze.auth("alice"),
            json={},
        )
        assert voted.status_code == 200, voted.text
        if how == "run":
            ran = await night_freeze.client.post(
                f"/v1/actions/{asked.json()['id']}/run", headers=night_freeze.auth("claims-bot")
            )
        else:
            ran = await night_freeze.submit("claims-bot", write)
    assert ran.status_code != 200, f"ran inside the freeze: {ran.text[:300]}"


# ── what a request asks to see unmasked, as reviewers read it ───────────────
async def test_held_a_reveal_of_a_hidden_spelling_is_refused(harness: Harness) -> None:
    """Held: reveal kinds are names the gateway knows; one carrying a direction
    override or a zero-width space (which some surfaces list as sent) is a 400."""
    asked = await harness.submit(
        "dana", "SELECT id, dob FROM patients WHERE id = 1", reveal=["!\u202e", "DATE", "SSN\u200b"]
    )
    assert asked.status_code == 400, asked.text
    assert asked.json()["error"]["code"] == "invalid_request"


@pytest.fixture
async def notes_need_approval(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """The demo, plus: every read of clinical notes waits for a data owner first (no
    break-glass in this rule)."""
    notes = {
        "name": "notes-reads-need-a-data-owner-first",
        "match": {"tables": ["clinical_notes"], "risk": ["read"]},
        "decision": "approve",
        "approvals": {"count": 1, "groups": ["data-owners"], "expires_in": 3600},
    }
    h = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(notes)})
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_break_glass_does_not_skip_a_rule_that_allows_none(
    notes_need_approval: Harness,
) -> None:
    """The cause of finding 3, with a worse outcome: the demo's `clinician-break-glass`
    and an added rule holding every read of clinical notes both need one data owner;
    the first in the file wins (policy/engine.py `_restrictiveness`), so a clinician's
    break-glass read of the notes runs at once, unmasked, though the rule that names
    the table allows no break-glass."""
    answer = await notes_need_approval.submit(
        "dana",
        "SELECT id, note_text FROM clinical_notes WHERE id = 1",
        reveal=["*"],
        break_glass=True,
        reason="patient in the emergency room",
    )
    assert answer.status_code in (202, 403), answer.json().get("status")


async def test_held_an_agents_vote_a_late_vote_and_a_second_run_are_refused(
    harness: Harness,
) -> None:
    """Held: an agent cannot vote, a vote after expiry is refused, an approval runs once."""
    asked = await harness.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 9")
    by_agent = await harness.client.post(
        f"/v1/approvals/{asked.json()['approval']['id']}/approve",
        headers=harness.auth("claims-bot"),
        json={},
    )
    assert by_agent.status_code == 403, by_agent.text

    later = await harness.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 10")
    approval_id = later.json()["approval"]["id"]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=True):
        late = await harness.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=harness.auth("alice"), json={}
        )
    assert late.status_code in (409, 410), late.text

    once = await harness.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 11")
    ok = await harness.client.post(
        f"/v1/approvals/{once.json()['approval']['id']}/approve",
        headers=harness.auth("alice"),
        json={},
    )
    assert ok.status_code == 200, ok.text
    runs = [
        await harness.client.post(
            f"/v1/actions/{once.json()['id']}/run", headers=harness.auth("claims-bot")
        )
        for _ in range(2)
    ]
    assert (runs[0].status_code, runs[1].status_code) == (200, 409), runs[1].text


# ── Teams' own limit ────────────────────────────────────────────────────────
TEAMS_MESSAGE_MAX = 28 * 1024  # Bot Framework: a message (with its card) of ~28 KB


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


async def test_a_card_with_many_escapes_fits_a_teams_message(
    teams_harness: Harness, bot: Recorder
) -> None:
    """docs/teams.md: each request is posted as a card; Teams refuses a message over
    about 28 KB (413), so the request never reaches reviewers. channels/_teams_cards.py
    caps each part at 2,500 characters of text, but every escape is a run of its own
    (about 100 bytes of card JSON for a 6-character `\\u200b`), and `unseen` counts
    characters, not bytes."""
    hidden = "".join(f"{chr(97 + i % 26)}\u200b" for i in range(340))
    write = f"UPDATE claims SET status = '{hidden}' WHERE id = 13"
    asked = await teams_harness.submit("claims-bot", write)
    assert asked.status_code == 202, asked.text
    posted = bot.wait_for("/svc/v3/conversations/19:rev/activities")[0]
    size = len(json.dumps(posted).encode())
    assert size <= TEAMS_MESSAGE_MAX, f"the card's message is {size:,} bytes"
