"""Round 25a, defence in depth for the chat doors: a Teams user linked to no reviewer
is not shown the reviewer card, and with `team_id` / `tenant_id` configured a click
from another Slack team or Teams tenant is refused. Each refusal is audited. Through
the Slack Web API and Bot Framework stand-ins the channel tests use."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.channels import test_slack as slack_door
from tests.channels import test_teams as teams_door
from tests.channels.standins import Recorder
from tests.conftest import Harness, demo_config, make_harness

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
TEAM = "T_OURS"


def refused(h: Harness, event: str) -> list[dict[str, Any]]:
    return [r for r in h.gateway.audit_records(since=0, limit=10_000) if r["event"] == event]


async def started(tmp_path: Path, dsn: str, channels: dict[str, Any]) -> Harness:
    return await make_harness(demo_config(tmp_path, dsn, overrides={"channels": channels}))


# ── Teams ─────────────────────────────────────────────────────────────────────
@pytest.fixture
async def teams(tmp_path: Path, ehr_dsn: str, bot: Recorder) -> AsyncIterator[Harness]:
    channels = teams_door.teams_settings(bot)
    channels["teams"]["tenant_id"] = TENANT
    harness = await started(tmp_path, ehr_dsn, channels)
    yield harness
    await slack_door.close(harness)


bot = teams_door.bot


def from_tenant(activity: dict[str, Any], tenant: str | None) -> dict[str, Any]:
    if tenant is not None:
        activity["channelData"] = {"tenant": {"id": tenant}}
    return activity


@pytest.mark.parametrize("verb", ["refresh", "approve"])
async def test_a_teams_user_linked_to_no_reviewer_is_not_shown_the_card(
    teams: Harness, bot: Recorder, verb: str
) -> None:
    approval_id = await teams_door.pending(teams, bot)
    activity = from_tenant(teams_door.invoke(bot, approval_id, verb, "aad-nobody", "n1"), TENANT)
    answer = await teams_door.send(teams, activity, teams_door.token(bot))
    assert answer.status_code == 200
    card = json.dumps(answer.json()["value"])
    assert "Not authorised" in card and "not linked" in card
    assert "UPDATE claims" not in card and "claims-bot" not in card, card
    [record] = refused(teams, "teams.callback_refused")
    assert record["detail"]["aad_object_id"] == "aad-nobody", record
    assert record["detail"]["approval_id"] == approval_id
    assert teams.gateway.approval(approval_id).state == "pending"


@pytest.mark.parametrize("tenant", ["another-tenant", None], ids=["other", "unnamed"])
async def test_a_teams_activity_from_another_tenant_is_refused(
    teams: Harness, bot: Recorder, tenant: str | None
) -> None:
    approval_id = await teams_door.pending(teams, bot)
    activity = teams_door.invoke(bot, approval_id, "approve", "aad-alice", "t1")
    answer = await teams_door.send(teams, from_tenant(activity, tenant), teams_door.token(bot))
    assert answer.status_code == 403
    assert "UPDATE claims" not in answer.text
    assert len(refused(teams, "teams.callback_refused")) == 1
    assert teams.gateway.approval(approval_id).state == "pending"
    ours = from_tenant(teams_door.invoke(bot, approval_id, "approve", "aad-alice", "t2"), TENANT)
    assert (await teams_door.send(teams, ours, teams_door.token(bot))).status_code == 200
    assert teams.gateway.approval(approval_id).state == "approved"


async def test_two_tenants_named_in_one_activity_are_malformed(
    teams: Harness, bot: Recorder
) -> None:
    approval_id = await teams_door.pending(teams, bot)
    activity = from_tenant(
        teams_door.invoke(bot, approval_id, "approve", "aad-alice", "m1"), TENANT
    )
    activity["conversation"] = {"id": "19:rev", "tenantId": "another-tenant"}
    answer = await teams_door.send(teams, activity, teams_door.token(bot))
    assert answer.status_code == 400
    assert teams.gateway.approval(approval_id).state == "pending"


# ── Slack ─────────────────────────────────────────────────────────────────────
slack = slack_door.slack


@pytest.fixture
async def workspace(tmp_path: Path, ehr_dsn: str, slack: Recorder) -> AsyncIterator[Harness]:
    harness = await started(tmp_path, ehr_dsn, slack_door.slack_settings(slack, team_id=TEAM))
    yield harness
    await slack_door.close(harness)


def click_from(approval_id: str, team: str | None) -> str:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": "U_ALICE"},
        "channel": {"id": "C_REVIEW"},
        "trigger_id": "trig-1",
        "actions": [{"action_id": "phigate_approve", "value": approval_id}],
    }
    if team is not None:
        payload["team"] = {"id": team, "domain": "elsewhere"}
    return urlencode({"payload": json.dumps(payload)})


@pytest.mark.parametrize("team", ["T_THEIRS", None], ids=["other", "unnamed"])
async def test_a_slack_click_from_another_team_is_refused(
    workspace: Harness, slack: Recorder, team: str | None
) -> None:
    approval_id = await slack_door.pending(workspace, slack)
    body = click_from(approval_id, team)
    assert await slack_door.post(workspace, body, slack_door.signed(body)) == 403
    assert len(refused(workspace, "slack.callback_refused")) == 1
    assert workspace.gateway.approval(approval_id).state == "pending"
    ours = click_from(approval_id, TEAM)
    assert await slack_door.post(workspace, ours, slack_door.signed(ours)) == 200
    assert workspace.gateway.approval(approval_id).state == "approved"


async def test_a_socket_mode_interaction_from_another_team_is_not_acted_on(
    workspace: Harness, slack: Recorder
) -> None:
    """Socket Mode hands payloads to `SlackChannel.interaction` (no HTTP request): the
    same check holds there, audited, and Slack gets a bare acknowledgement."""
    approval_id = await slack_door.pending(workspace, slack)
    channel = workspace.client._transport.app.state.slack  # type: ignore[attr-defined]
    payload = json.loads(_payload(click_from(approval_id, "T_THEIRS")))
    assert await channel.interaction(payload) is None
    [record] = refused(workspace, "slack.callback_refused")
    assert record["detail"]["team_id"] == "T_THEIRS", record
    assert workspace.gateway.approval(approval_id).state == "pending"


def _payload(body: str) -> str:
    from urllib.parse import parse_qs

    return parse_qs(body)["payload"][0]
