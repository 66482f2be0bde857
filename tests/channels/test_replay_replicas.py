"""Issue 15 item 8: chat callbacks are replay-proof across replicas. Two gateways share
one state store (SQLite file and PostgreSQL, as in test_replicas.py); a Slack click or a
Teams activity accepted by one is refused by the other, and a Teams token seen on one
cannot carry another activity on the other."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.channels import test_slack as slack_tests
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_slack import click, close, signed, slack_settings
from tests.channels.test_teams import bot_api, invoke, send, teams_settings, token
from tests.conftest import Harness, demo_config, make_harness


@dataclass
class Pair:
    a: Harness
    b: Harness
    slack: Recorder
    bot: Recorder


@pytest.fixture
def chat() -> Iterator[tuple[Recorder, Recorder]]:
    with slack_api() as slack, bot_api() as bot:
        yield slack, bot


@pytest.fixture
async def pair(
    tmp_path: Path, ehr_dsn: str, state_url: str, chat: tuple[Recorder, Recorder]
) -> AsyncIterator[Pair]:
    slack, bot = chat
    teams = teams_settings(bot)
    teams["teams"]["one_activity_per_token"] = True  # the binding test below needs it
    channels = slack_settings(slack) | teams
    settings = demo_config(
        tmp_path, ehr_dsn, overrides={"state": {"url": state_url}, "channels": channels}
    )
    a = await make_harness(settings)
    b = await make_harness(settings)
    try:
        yield Pair(a, b, slack, bot)
    finally:
        for h in (a, b):
            await close(h)


async def pending_on_a(pair: Pair) -> str:
    answer = await pair.a.submit("claims-bot", slack_tests.WRITE, reason="paid by phone")
    assert answer.status_code == 202, answer.text
    pair.slack.wait_for("chat.postMessage")
    pair.bot.wait_for("/svc/v3/conversations/19:rev/activities")
    return str(answer.json()["approval"]["id"])


async def test_a_slack_click_replayed_on_the_other_replica_is_refused(pair: Pair) -> None:
    approval_id = await pending_on_a(pair)
    body = click(approval_id, "U_ALICE", "phigate_deny")
    headers = signed(body)
    assert await slack_tests.post(pair.a, body, headers) == 200
    assert await slack_tests.post(pair.b, body, headers) == 401
    assert len(pair.slack.named("views.open")) == 1


async def test_a_teams_activity_replayed_on_the_other_replica_is_refused(pair: Pair) -> None:
    approval_id = await pending_on_a(pair)
    activity = invoke(pair.bot, approval_id, "approve", "aad-dana", "r1")  # ineligible
    assert (await send(pair.a, activity, token(pair.bot))).status_code == 200
    assert (await send(pair.b, activity, token(pair.bot, jti="other"))).status_code == 401


async def test_a_teams_token_cannot_carry_another_activity_on_the_other_replica(
    pair: Pair,
) -> None:
    approval_id = await pending_on_a(pair)
    bearer = token(pair.bot)
    first = invoke(pair.bot, approval_id, "approve", "aad-dana", "r2")
    assert (await send(pair.a, first, bearer)).status_code == 200
    forged = invoke(pair.bot, approval_id, "approve", "aad-alice", "r3")
    assert (await send(pair.b, forged, bearer)).status_code == 401
    assert pair.b.gateway.approval(approval_id).state == "pending"
