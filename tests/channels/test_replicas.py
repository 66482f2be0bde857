"""Channels with two replicas over one state store (SQLite file and PostgreSQL): a
request is posted to Slack once, by the replica where it was made; a decision taken on
the other replica updates that message; each webhook arrives exactly once.
(`state_url` comes from tests/conftest.py: one test per back end.)"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from phigate.doors.channels import dispatch
from phigate.doors.channels.dispatch import Dispatcher
from phigate.store.tables import approvals
from tests.channels.standins import Recorder, serve, slack_api
from tests.channels.test_slack import WRITE, close, slack_settings
from tests.conftest import Harness, demo_config, make_harness

SECRET = "whsec-replicas"


@pytest.fixture
def receiver() -> Iterator[Recorder]:
    """A webhook target: calls are recorded under their X-Phigate-Event."""

    def answer(
        rec: Recorder, _verb: str, _path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, Any]:
        with rec.lock:
            rec.calls[-1] = (headers.get("X-Phigate-Event", ""), body)
        return 200, {}

    with serve(answer) as recorder:
        yield recorder


@dataclass
class Replicas:
    a: Harness
    b: Harness
    slack: Recorder
    hooks: Recorder

    def settle(self, timeout: float = 10) -> None:
        """Both tails have read every record written so far, and their queues are drained."""
        deadline = time.monotonic() + timeout
        head = self.a.gateway.audit_head()[0]
        while any(dispatcher(h).position < head for h in (self.a, self.b)):
            assert time.monotonic() < deadline, "the audit tails did not catch up"
            time.sleep(0.02)
        time.sleep(0.3)  # let worker threads finish what the tails enqueued


def dispatcher(h: Harness) -> Dispatcher:
    found: Dispatcher = h.client._transport.app.state.channels  # type: ignore[attr-defined]
    return found


@pytest.fixture
async def replicas(
    tmp_path: Path,
    ehr_dsn: str,
    state_url: str,
    receiver: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Replicas]:
    monkeypatch.setattr(dispatch, "AUDIT_POLL_SECONDS", 0.05)
    with slack_api() as slack:
        channels = slack_settings(slack) | {
            "webhooks": [{"url": f"{receiver.url}/hook", "secret": SECRET}]
        }
        settings = demo_config(
            tmp_path, ehr_dsn, overrides={"state": {"url": state_url}, "channels": channels}
        )
        a = await make_harness(settings)
        b = await make_harness(settings)
        # One process here; in production each replica has its own REPLICA_ID.
        a.gateway.replica, b.gateway.replica = "replica-a", "replica-b"
        try:
            yield Replicas(a, b, slack, receiver)
        finally:
            for h in (a, b):
                await close(h)


async def pending_on_a(replicas: Replicas) -> tuple[str, str]:
    answer = await replicas.a.submit("claims-bot", WRITE, reason="paid by phone")
    assert answer.status_code == 202, answer.text
    replicas.slack.wait_for("chat.postMessage")
    return str(answer.json()["id"]), str(answer.json()["approval"]["id"])


def record(h: Harness, event: str, action_id: str) -> dict[str, Any]:
    found = [
        r
        for r in h.gateway.audit_records()
        if r["event"] == event and r.get("action_id") == action_id
    ]
    assert len(found) == 1, found
    return found[0]


async def test_a_decision_on_b_updates_the_message_a_posted(replicas: Replicas) -> None:
    action_id, approval_id = await pending_on_a(replicas)
    approved = await replicas.b.client.post(
        f"/v1/approvals/{approval_id}/approve",
        headers=replicas.b.auth("bob"),
        json={"comment": "ok"},
    )
    assert approved.status_code == 200, approved.text
    update = replicas.slack.wait_for("chat.update")[0]
    assert (update["channel"], update["ts"]) == replicas.slack.posted[0]
    assert "bob approved via api" in json.dumps(update["blocks"])
    assert "APPROVED" in json.dumps(update["blocks"])
    ran = await replicas.b.client.post(
        f"/v1/actions/{action_id}/run", headers=replicas.b.auth("claims-bot")
    )
    assert ran.json()["status"] == "executed", ran.text
    replicas.hooks.wait_for("action.executed")
    replicas.settle()
    assert len(replicas.slack.named("chat.postMessage")) == 1  # B never posts A's request
    # B claimed the message for the decision; A's relay of it found nothing left to draw
    assert len(replicas.slack.named("chat.update")) == 1
    for name in ("approval.requested", "approval.decided", "action.executed"):
        assert len(replicas.hooks.named(name)) == 1, name
    decided = replicas.hooks.named("approval.decided")[0]["data"]
    assert decided["state"] == "approved" and decided["votes"][0]["voter"] == "bob"
    assert replicas.hooks.named("action.executed")[0]["data"]["action_id"] == action_id
    assert record(replicas.a, "approval.decided", action_id)["replica"] == "replica-b"
    assert record(replicas.a, "action.executed", action_id)["replica"] == "replica-b"
    assert record(replicas.a, "action.decided", action_id)["replica"] == "replica-a"


async def test_a_local_decision_is_not_relayed_back(replicas: Replicas) -> None:
    _, approval_id = await pending_on_a(replicas)
    denied = await replicas.a.client.post(
        f"/v1/approvals/{approval_id}/deny",
        headers=replicas.a.auth("alice"),
        json={"comment": "no"},
    )
    assert denied.status_code == 200, denied.text
    replicas.hooks.wait_for("approval.decided")
    replicas.settle()
    updates = replicas.slack.named("chat.update")
    assert len(updates) == 1 and "DENIED" in json.dumps(updates[0]["blocks"])
    assert len(replicas.hooks.named("approval.decided")) == 1


async def test_expiry_on_b_updates_the_message_a_posted(replicas: Replicas) -> None:
    _, approval_id = await pending_on_a(replicas)
    with replicas.b.gateway.db.write() as conn:
        conn.execute(
            approvals.update()
            .where(approvals.c.id == approval_id)
            .values(expires_at=time.time() - 1)
        )
    expired = await asyncio.to_thread(replicas.b.gateway.expire_due)
    assert [a.id for a in expired] == [approval_id]
    update = replicas.slack.wait_for("chat.update")[0]
    assert update["ts"] == replicas.slack.posted[0][1]
    assert "EXPIRED" in json.dumps(update["blocks"])
    replicas.settle()
    decided = replicas.hooks.named("approval.decided")
    assert len(decided) == 1 and decided[0]["data"]["state"] == "expired"


async def test_a_denied_action_is_sent_once(replicas: Replicas) -> None:
    refused = await replicas.b.submit("claims-bot", "DROP TABLE patients")
    assert refused.json()["status"] == "denied", refused.text
    replicas.hooks.wait_for("action.denied")
    replicas.settle()
    assert len(replicas.hooks.named("action.denied")) == 1
    assert replicas.slack.named("chat.postMessage") == []
