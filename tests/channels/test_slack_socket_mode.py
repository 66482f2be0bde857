"""Slack Socket Mode end to end: slack_sdk's built-in Socket Mode client opens its
connection through apps.connections.open on the Web API stand-in, then speaks
RFC 6455 to a local WebSocket server that sends envelopes and records the acks."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from phigate.doors.channels.settings import SlackSettings
from phigate.doors.channels.slack import SlackChannel
from tests.channels.socket_standin import SocketModeServer
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_slack import USERS, harness_with, pending
from tests.conftest import Harness

_ids = itertools.count(1)


@pytest.fixture
def slack() -> Iterator[Recorder]:
    with slack_api() as recorder:
        recorder.emails["U_BOB"] = "bob@example.org"
        yield recorder


@pytest.fixture
def ws(slack: Recorder) -> Iterator[SocketModeServer]:
    server = SocketModeServer()
    slack.socket_url = server.url
    yield server
    server.close()
    assert server.violations == []


def socket_settings(slack: Recorder, app_token: str = "xapp-1-A1-test") -> dict[str, Any]:
    return {
        "slack": {
            "bot_token": "xoxb-test",
            "socket_mode": True,
            "app_token": app_token,
            "api_url": f"{slack.url}/api/",
            "channels": ["C_REVIEW"],
            "users": USERS,
            "people_by_email": {"bob@example.org": {"subject": "bob", "groups": ["data-owners"]}},
        }
    }


@pytest.fixture
async def h(
    tmp_path: Path, ehr_dsn: str, slack: Recorder, ws: SocketModeServer
) -> AsyncIterator[Harness]:
    harness = await harness_with(tmp_path, ehr_dsn, socket_settings(slack))
    await asyncio.to_thread(ws.wait_connected)
    yield harness
    await shutdown(harness)
    assert not channel_of(harness).socket.is_connected()  # type: ignore[union-attr]


def channel_of(harness: Harness) -> SlackChannel:
    app = harness.client._transport.app  # type: ignore[attr-defined]
    channel: SlackChannel = app.state.slack
    return channel


async def shutdown(harness: Harness) -> None:
    # What the app's lifespan does at server shutdown.
    app = harness.client._transport.app  # type: ignore[attr-defined]
    for stop in reversed(app.state.on_shutdown):
        await asyncio.to_thread(stop)
    await harness.client.aclose()
    await harness.gateway.close()


def envelope(payload: dict[str, Any], *, answer: bool = False) -> dict[str, Any]:
    return {
        "envelope_id": f"env-{next(_ids)}",
        "type": "interactive",
        "payload": payload,
        "accepts_response_payload": answer,
    }


def click(approval_id: str, user: str, action_id: str = "phigate_approve") -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": "C_REVIEW"},
        "trigger_id": "trig-1",
        "actions": [{"action_id": action_id, "value": approval_id}],
    }


def deny_reason(approval_id: str, user: str, reason: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": {"id": user},
        "view": {
            "callback_id": "phigate_deny_reason",
            "private_metadata": approval_id,
            "state": {"values": {"reason": {"reason": {"value": reason}}}},
        },
    }


async def deliver(ws: SocketModeServer, message: dict[str, Any]) -> dict[str, Any]:
    ws.send(message)
    return await asyncio.to_thread(ws.ack_for, message["envelope_id"])


async def state_becomes(h: Harness, approval_id: str, state: str) -> None:
    deadline = time.monotonic() + 10
    while (now := h.gateway.approval(approval_id).state) != state:
        assert time.monotonic() < deadline, f"approval stayed {now}"
        await asyncio.sleep(0.02)


async def test_full_approval_over_socket_mode(
    h: Harness, slack: Recorder, ws: SocketModeServer
) -> None:
    opened = slack.named("apps.connections.open")
    assert len(opened) == 1 and ws.connections == 1
    approval_id = await pending(h, slack)
    message = envelope(click(approval_id, "U_ALICE"))
    assert await deliver(ws, message) == {"envelope_id": message["envelope_id"]}
    await state_becomes(h, approval_id, "approved")
    approval = h.gateway.approval(approval_id)
    assert (approval.votes[0].voter, approval.votes[0].channel) == ("alice", "slack")
    update = slack.wait_for("chat.update")[-1]
    assert "APPROVED" in json.dumps(update["blocks"])
    assert all(b["type"] != "actions" for b in update["blocks"])


async def test_http_endpoint_is_not_mounted_in_socket_mode(h: Harness) -> None:
    answer = await h.client.post("/slack/interactions", content="payload=%7B%7D")
    assert answer.status_code == 404


async def test_unmapped_and_ineligible_users_cannot_decide(
    h: Harness, slack: Recorder, ws: SocketModeServer
) -> None:
    approval_id = await pending(h, slack)
    expected = [("U_STRANGER", "not linked"), ("U_DANA", "agent acts for cannot approve")]
    for count, (user, note) in enumerate(expected, start=1):
        message = envelope(click(approval_id, user))
        assert await deliver(ws, message) == {"envelope_id": message["envelope_id"]}
        told = (await asyncio.to_thread(slack.wait_for, "chat.postEphemeral", count))[-1]
        assert note in told["text"] and told["user"] == user
    assert h.gateway.approval(approval_id).state == "pending"


async def test_deny_reason_modal_answers_ride_in_the_ack(
    h: Harness, slack: Recorder, ws: SocketModeServer
) -> None:
    approval_id = await pending(h, slack)
    await deliver(ws, envelope(click(approval_id, "U_BOB", "phigate_deny")))
    view = (await asyncio.to_thread(slack.wait_for, "views.open"))[0]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["private_metadata"] == approval_id
    # dana is who the agent acts for: the modal shows the refusal, carried by the ack
    refused = envelope(deny_reason(approval_id, "U_DANA", "no"), answer=True)
    ack = await deliver(ws, refused)
    assert ack["payload"]["response_action"] == "errors"
    assert "agent acts for" in ack["payload"]["errors"]["reason"]
    assert h.gateway.approval(approval_id).state == "pending"
    accepted = envelope(deny_reason(approval_id, "U_BOB", "wrong claim id"), answer=True)
    assert await deliver(ws, accepted) == {"envelope_id": accepted["envelope_id"]}
    approval = h.gateway.approval(approval_id)  # decided before the ack was sent
    assert approval.state == "denied"
    assert (approval.votes[0].voter, approval.votes[0].comment) == ("bob", "wrong claim id")


async def test_unknown_approval_and_other_envelopes_do_not_break_the_link(
    h: Harness, slack: Recorder, ws: SocketModeServer
) -> None:
    unknown = envelope(click("apr_does_not_exist", "U_ALICE"))
    assert await deliver(ws, unknown) == {"envelope_id": unknown["envelope_id"]}
    told = (await asyncio.to_thread(slack.wait_for, "chat.postEphemeral"))[0]
    assert told["text"].startswith("Not recorded")
    stray = {"envelope_id": "ev-1", "type": "events_api", "payload": {"event": {}}}
    assert await deliver(ws, stray) == {"envelope_id": "ev-1"}
    odd = envelope({"type": "shortcut", "callback_id": "nothing"}, answer=True)
    assert await deliver(ws, odd) == {"envelope_id": odd["envelope_id"]}
    approval_id = await pending(h, slack)  # the same connection still decides
    await deliver(ws, envelope(click(approval_id, "U_ALICE")))
    await state_becomes(h, approval_id, "approved")
    assert ws.connections == 1


async def test_a_bot_token_cannot_open_the_socket_and_startup_goes_on(
    tmp_path: Path,
    ehr_dsn: str,
    slack: Recorder,
    ws: SocketModeServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PHIGATE_TEST_APP_TOKEN", "xoxb-not-an-app-token")
    settings = socket_settings(slack, app_token="${PHIGATE_TEST_APP_TOKEN}")
    h = await harness_with(tmp_path, ehr_dsn, settings)
    try:
        await asyncio.to_thread(slack.wait_for, "apps.connections.open")
        assert not channel_of(h).socket.is_connected()  # type: ignore[union-attr]
        assert (await h.client.get("/healthz")).status_code == 200
        assert ws.connections == 0
    finally:
        started = time.monotonic()
        await shutdown(h)
        assert time.monotonic() - started < 5  # the retry back-off does not hold shutdown


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"socket_mode": True}, "needs app_token"),
        ({"socket_mode": True, "app_token": "xoxb-bot"}, "app-level token"),
        ({}, "signing_secret is required"),
    ],
)
def test_settings_refuse_an_incomplete_transport(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SlackSettings.model_validate({"bot_token": "xoxb-test", **fields})


def test_settings_accept_socket_mode_without_a_signing_secret() -> None:
    settings = SlackSettings(bot_token="xoxb-t", socket_mode=True, app_token="${SLACK_APP_TOKEN}")
    assert settings.signing_secret is None
