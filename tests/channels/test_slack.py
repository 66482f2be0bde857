"""Slack end to end: slack_sdk's WebClient against a local Slack Web API stand-in, and
signed (or forged, stale, replayed) interaction payloads posted to /slack/interactions."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml

from phigate.pipeline.floods import PER_WINDOW
from tests.channels.standins import Recorder, slack_api
from tests.conftest import DEMO_POLICY, Harness, demo_config, make_harness
from tests.support import hostile
from tests.support.state import token_store

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
WRITE = "UPDATE claims SET status = 'paid' WHERE id = 3"
USERS = {
    "U_ALICE": {"subject": "alice", "groups": ["data-owners"]},
    "U_DANA": {"subject": "dana", "groups": ["clinicians"]},
}


@pytest.fixture
def slack() -> Iterator[Recorder]:
    with slack_api() as recorder:
        recorder.emails["U_BOB"] = "Bob@Example.org"
        yield recorder


def slack_settings(slack: Recorder, **extra: Any) -> dict[str, Any]:
    return {
        "slack": {
            "bot_token": "xoxb-test",
            "signing_secret": SECRET,
            "api_url": f"{slack.url}/api/",
            "channels": ["C_REVIEW"],
            "users": USERS,
            "people_by_email": {"bob@example.org": {"subject": "bob", "groups": ["data-owners"]}},
            **extra,
        }
    }


async def harness_with(tmp_path: Path, dsn: str, channels: dict[str, Any]) -> Harness:
    return await make_harness(demo_config(tmp_path, dsn, overrides={"channels": channels}))


@pytest.fixture
async def h(tmp_path: Path, ehr_dsn: str, slack: Recorder) -> AsyncIterator[Harness]:
    harness = await harness_with(tmp_path, ehr_dsn, slack_settings(slack))
    yield harness
    await close(harness)


async def close(harness: Harness) -> None:
    harness.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
    await harness.client.aclose()
    await harness.gateway.close()


def signed(body: str, *, secret: str = SECRET, age: float = 0) -> dict[str, str]:
    ts = str(int(time.time() - age))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def click(approval_id: str, user: str, action_id: str = "phigate_approve") -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": "C_REVIEW"},
        "trigger_id": "trig-1",
        "actions": [{"action_id": action_id, "value": approval_id}],
    }
    return urlencode({"payload": json.dumps(payload)})


async def pending(h: Harness, slack: Recorder) -> str:
    answer = await h.submit("claims-bot", WRITE, reason="paid by phone")
    assert answer.status_code == 202
    slack.wait_for("chat.postMessage")
    return str(answer.json()["approval"]["id"])


async def post(h: Harness, body: str, headers: dict[str, str]) -> int:
    answer = await h.client.post("/slack/interactions", content=body, headers=headers)
    return answer.status_code


async def test_full_approval_from_slack(h: Harness, slack: Recorder) -> None:
    approval_id = await pending(h, slack)
    message = slack.named("chat.postMessage")[0]
    assert message["channel"] == "C_REVIEW"
    buttons = next(b for b in message["blocks"] if b["type"] == "actions")["elements"]
    assert [b["value"] for b in buttons] == [approval_id, approval_id]  # only the id
    text = json.dumps(message["blocks"])
    assert "UPDATE claims" in text and "claims-bot" in text and "dana" in text
    body = click(approval_id, "U_ALICE")
    assert await post(h, body, signed(body)) == 200
    approval = h.gateway.approval(approval_id)
    assert approval.state == "approved" and approval.votes[0].channel == "slack"
    update = slack.wait_for("chat.update")[-1]
    assert "APPROVED" in json.dumps(update["blocks"])
    assert all(b["type"] != "actions" for b in update["blocks"])  # buttons gone


@pytest.mark.parametrize("how", ["forged", "stale", "unsigned"])
async def test_bad_signatures_are_refused_before_parsing(
    h: Harness, slack: Recorder, how: str
) -> None:
    approval_id = await pending(h, slack)
    body = click(approval_id, "U_ALICE")
    headers = {
        "forged": signed(body, secret="not-the-secret"),
        "stale": signed(body, age=600),
        "unsigned": {"Content-Type": "application/x-www-form-urlencoded"},
    }[how]
    assert await post(h, body, headers) == 401
    assert h.gateway.approval(approval_id).state == "pending"
    # not parsed: a garbage body with a bad signature is a 401, not a 400
    assert await post(h, "payload=%7Bnot-json", headers) == 401


async def test_replayed_click_is_not_counted_twice(h: Harness, slack: Recorder) -> None:
    approval_id = await pending(h, slack)
    body = click(approval_id, "U_ALICE", "phigate_deny")
    headers = signed(body)
    assert await post(h, body, headers) == 200
    assert await post(h, body, headers) == 401
    assert len(slack.named("views.open")) == 1


async def test_unmapped_and_ineligible_users_cannot_decide(h: Harness, slack: Recorder) -> None:
    approval_id = await pending(h, slack)
    for user in ("U_STRANGER", "U_DANA"):
        body = click(approval_id, user)
        assert await post(h, body, signed(body)) == 200
    notes = slack.wait_for("chat.postEphemeral", 2)
    assert "not linked" in notes[0]["text"]
    assert "agent acts for cannot approve" in notes[1]["text"]
    assert h.gateway.approval(approval_id).state == "pending"


async def test_email_mapping_and_deny_with_a_reason(h: Harness, slack: Recorder) -> None:
    approval_id = await pending(h, slack)
    body = click(approval_id, "U_BOB", "phigate_deny")
    assert await post(h, body, signed(body)) == 200
    modal = slack.wait_for("views.open")[0]
    view = json.loads(modal["view"]) if isinstance(modal["view"], str) else modal["view"]
    assert view["private_metadata"] == approval_id and view["callback_id"] == "phigate_deny_reason"
    submission = {
        "type": "view_submission",
        "user": {"id": "U_BOB"},
        "view": {
            "callback_id": "phigate_deny_reason",
            "private_metadata": approval_id,
            "state": {"values": {"reason": {"reason": {"value": "wrong claim id"}}}},
        },
    }
    body = urlencode({"payload": json.dumps(submission)})
    assert await post(h, body, signed(body)) == 200
    approval = h.gateway.approval(approval_id)
    assert approval.state == "denied"
    assert (approval.votes[0].voter, approval.votes[0].comment) == ("bob", "wrong claim id")
    assert "DENIED" in json.dumps(slack.wait_for("chat.update")[-1]["blocks"])


async def test_message_updates_after_a_decision_elsewhere(h: Harness, slack: Recorder) -> None:
    approval_id = await pending(h, slack)
    answer = await h.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=h.auth("bob"), json={"comment": "ok"}
    )
    assert answer.status_code == 200
    update = slack.wait_for("chat.update")[-1]
    assert update["channel"] == "C_REVIEW"
    assert "bob approved via api" in json.dumps(update["blocks"])


def with_billing_rule() -> dict[str, Any]:
    """The demo's policy plus a rule that claims writes also need billing-security."""
    text = DEMO_POLICY.read_text().format(state_db="x", http_port=0, secrets_dir="x")
    policy: dict[str, Any] = yaml.safe_load(text)["policy"]
    billing = {
        "name": "claims-writes-need-billing-security",
        "match": {"tables": ["claims"], "risk": ["write"]},
        "decision": "approve",
        "approvals": {"count": 1, "groups": ["billing-security"], "expires_in": 3600},
    }
    policy["rules"] = [*policy["rules"], billing]
    return policy


async def test_every_needed_rule_is_told_once_per_channel_and_every_copy_updated(
    tmp_path: Path, ehr_dsn: str, slack: Recorder
) -> None:
    """A write that needs a data owner and billing-security goes to both rules'
    `rule_channels`; a channel named by both rules (or also in `channels`) gets one
    message, and a vote updates every message posted."""
    channels = slack_settings(
        slack,
        rule_channels={
            "writes-and-exports-need-a-data-owner": ["C_OWNERS", "C_SHARED"],
            "claims-writes-need-billing-security": ["C_BILLING", "C_SHARED", "C_REVIEW"],
        },
    )
    settings = demo_config(
        tmp_path, ehr_dsn, overrides={"policy": with_billing_rule(), "channels": channels}
    )
    h = await make_harness(settings)
    try:
        asked = await h.submit("claims-bot", WRITE, reason="paid by phone")
        assert asked.status_code == 202, asked.text
        approval_id = asked.json()["approval"]["id"]
        voted = await h.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=h.auth("alice"), json={}
        )
        assert voted.status_code == 200
        assert h.gateway.approval(approval_id).state == "pending"  # billing-security next
        # The vote's updates follow the posts on the notifier's one queue: once four
        # updates are in, every post that was going to be made has been made.
        updates = slack.wait_for("chat.update", 4)
        posted = slack.named("chat.postMessage")
        wanted = ["C_REVIEW", "C_OWNERS", "C_SHARED", "C_BILLING"]
        assert sorted(str(p["channel"]) for p in posted) == sorted(wanted)
        assert sorted((str(u["channel"]), str(u["ts"])) for u in updates) == sorted(slack.posted)
        shown = "1 of 1 from data-owners; 0 of 1 from billing-security"
        assert all(shown in json.dumps(u["blocks"]) for u in updates)
    finally:
        await close(h)


async def test_console_only_risk_opens_the_console(
    tmp_path: Path, ehr_dsn: str, slack: Recorder
) -> None:
    h = await harness_with(tmp_path, ehr_dsn, slack_settings(slack, console_only=["write"]))
    try:
        approval_id = await pending(h, slack)
        blocks = slack.named("chat.postMessage")[0]["blocks"]
        buttons = next(b for b in blocks if b["type"] == "actions")["elements"]
        assert [b["action_id"] for b in buttons] == ["phigate_open"]
        assert buttons[0]["url"].endswith(f"/ui/approvals/{approval_id}")
        body = click(approval_id, "U_ALICE")  # a hand-made click still cannot decide
        assert await post(h, body, signed(body)) == 200
        assert (
            "only be decided in the phigate console"
            in slack.wait_for("chat.postEphemeral")[0]["text"]
        )
        assert h.gateway.approval(approval_id).state == "pending"
    finally:
        await close(h)


async def test_a_hostile_statement_reaches_slack_escaped(h: Harness, slack: Recorder) -> None:
    """Issue 15, item 1: the message shows escapes and warnings, never the raw characters;
    the statement is rich text, which Slack renders without markup."""
    answer = await h.submit("claims-bot", hostile.STATEMENT, reason=hostile.REASON)
    assert answer.status_code == 202, answer.text
    blocks = slack.wait_for("chat.postMessage")[-1]["blocks"]
    hostile.assert_escaped(hostile.texts(blocks))
    kinds = [b["type"] for b in blocks]
    warning = next(i for i, b in enumerate(blocks) if ":warning:" in hostile.texts(b))
    assert warning < kinds.index("rich_text")  # read before the statement
    statement = blocks[kinds.index("rich_text")]["elements"][0]
    assert statement["type"] == "rich_text_preformatted"
    marked = [e["text"] for e in statement["elements"] if e.get("style") == {"bold": True}]
    assert marked == ["\\u02bc", "\\n", "⟨220 spaces⟩"]


async def test_chat_mappings_are_compared_as_people(
    tmp_path: Path, ehr_dsn: str, slack: Recorder
) -> None:
    """Issue 15 item 5: a Slack user mapped to `Dana` is dana (her agent's request is
    not hers to approve); one mapped to the agent's own subject is not a human."""
    users = {
        "U_DANA2": {"subject": "Dana", "groups": ["data-owners"]},
        "U_DANA3": {"subject": "ｄａｎａ ", "groups": ["data-owners"]},
        "U_BOT": {"subject": "claims-bot", "groups": ["data-owners"]},
    }
    harness = await harness_with(tmp_path, ehr_dsn, slack_settings(slack, users=users))
    try:
        approval_id = await pending(harness, slack)
        for user in users:
            body = click(approval_id, user)
            assert await post(harness, body, signed(body)) == 200
        notes = [n["text"] for n in slack.wait_for("chat.postEphemeral", 3)]
        assert sum("agent acts for cannot approve" in n for n in notes) == 2, notes
        assert any("agent principals cannot approve" in n for n in notes), notes
        assert harness.gateway.approval(approval_id).state == "pending"
    finally:
        await close(harness)


def test_a_chat_mapping_to_an_agent_subject_is_a_config_error(
    tmp_path: Path, ehr_dsn: str, slack: Recorder
) -> None:
    from phigate.core.errors import ConfigError
    from phigate.identity.principal import PrincipalKind
    from phigate.ops.bootstrap import build_gateway

    users = {"U_BOT": {"subject": "Claims-Bot", "groups": ["data-owners"]}}
    rule = {
        "name": "bots-read",
        "match": {"kinds": ["agent"], "subjects": ["claims-bot"], "risk": ["read"]},
        "decision": "allow",
    }
    with pytest.raises(
        ConfigError, match=r"slack\.users\.U_BOT\.subject.*agent or service subject"
    ):
        demo_config(
            tmp_path,
            ehr_dsn,
            overrides={
                "channels": slack_settings(slack, users=users),
                "policy": {"rules": [rule]},
            },
        )
    # Known only from the token store: refused when the gateway starts.
    settings = demo_config(
        tmp_path, ehr_dsn, overrides={"channels": slack_settings(slack, users=users)}
    )
    first = build_gateway(settings, migrate=True)
    token_store(first).create(subject="claims-bot", kind=PrincipalKind.AGENT, on_behalf_of="dana")
    first.db.dispose()
    with pytest.raises(ConfigError, match="'claims-bot' holds agent tokens"):
        build_gateway(settings, migrate=True)


@pytest.mark.parametrize("age", [120, -120])
async def test_the_configured_timestamp_window_is_enforced(
    tmp_path: Path, ehr_dsn: str, slack: Recorder, age: float
) -> None:
    """Issue 15 item 8: `timestamp_window_seconds: 60` refuses a request signed two
    minutes ago (or two minutes ahead), not only those outside slack_sdk's fixed 5."""
    harness = await harness_with(
        tmp_path, ehr_dsn, slack_settings(slack, timestamp_window_seconds=60)
    )
    try:
        approval_id = await pending(harness, slack)
        body = click(approval_id, "U_ALICE")
        assert await post(harness, body, signed(body, age=age)) == 401
        assert harness.gateway.approval(approval_id).state == "pending"
        assert await post(harness, body, signed(body, age=30)) == 200
    finally:
        await close(harness)


async def test_a_signed_body_that_is_not_utf8_is_a_400(h: Harness) -> None:
    """The signature is checked over the raw bytes (slack_sdk's verifier decoded them
    as UTF-8 first, and a signed `\\xff` answered 500)."""
    body = b"payload=%7B%7D\xff"
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    answer = await h.client.post("/slack/interactions", content=body, headers=headers)
    assert answer.status_code == 400, answer.text


async def test_forged_callbacks_are_audited_up_to_a_cap_per_source(h: Harness) -> None:
    """Round 3, finding 7: each forged click is evidence, but a flood of them from one
    address writes PER_WINDOW records in full a minute, and the rest are counted in one
    `refusals.counted` record (written here at shutdown; else after the minute)."""

    def refused() -> list[dict[str, Any]]:
        records = h.gateway.audit_records(since=0, limit=10_000)
        return [r for r in records if r["event"] == "slack.callback_refused"]

    body = click("apr_x", "U_ALICE")
    for _ in range(PER_WINDOW + 5):
        assert await post(h, body, signed(body, secret="forged")) == 401
    records = refused()
    assert len(records) == PER_WINDOW, len(records)
    await h.gateway.admission.flush_refusals()
    counted = [r for r in h.gateway.audit_records(since=0) if r["event"] == "refusals.counted"]
    assert [c["what"]["refused"] for c in counted] == [5], counted
    assert counted[0]["what"]["event"] == "slack.callback_refused"
