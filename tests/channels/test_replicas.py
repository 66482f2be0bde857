"""Channels with two replicas over one state store (SQLite file and PostgreSQL): a
request is posted to Slack once, by the replica where it was made; a decision taken on
the other replica updates that message; a request sent back for more votes when it
runs is posted again once, by whichever replica claims it first; each webhook arrives
exactly once. (`state_url` comes from tests/conftest.py: one test per back end.)"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from phigate.doors.channels import dispatch
from phigate.doors.channels.dispatch import Dispatcher
from phigate.store.tables import approvals
from tests.adversarial.test_findings_round15a import _demo_policy
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

    def settle(self, timeout: float = 10, *, tails: tuple[Harness, ...] = ()) -> None:
        """Both tails (or those of `tails`) have read every record written so far, and
        their queues are drained."""
        deadline = time.monotonic() + timeout
        head = self.a.gateway.audit_head()[0]
        while any(dispatcher(h).position < head for h in tails or (self.a, self.b)):
            assert time.monotonic() < deadline, "the audit tails did not catch up"
            time.sleep(0.02)
        time.sleep(0.3)  # let worker threads finish what the tails enqueued


def dispatcher(h: Harness) -> Dispatcher:
    found: Dispatcher = h.client._transport.app.state.channels  # type: ignore[attr-defined]
    return found


@asynccontextmanager
async def two_replicas(
    tmp_path: Path,
    ehr_dsn: str,
    state_url: str,
    receiver: Recorder,
    b_policy: dict[str, Any] | None = None,
) -> AsyncIterator[Replicas]:
    """Replicas A and B on one state store; B with `b_policy` if given (a policy change
    that has reached B and not yet A)."""
    with slack_api() as slack:
        channels = slack_settings(slack) | {
            "webhooks": [{"url": f"{receiver.url}/hook", "secret": SECRET}]
        }
        overrides: dict[str, Any] = {"state": {"url": state_url}, "channels": channels}
        settings = demo_config(tmp_path, ehr_dsn, overrides=overrides)
        a = await make_harness(settings)
        if b_policy is not None:
            overrides |= {"policy": b_policy}
            settings = demo_config(tmp_path, ehr_dsn, overrides=overrides)
        b = await make_harness(settings)
        # One process here; in production each replica has its own REPLICA_ID.
        a.gateway.replica, b.gateway.replica = "replica-a", "replica-b"
        try:
            yield Replicas(a, b, slack, receiver)
        finally:
            for h in (a, b):
                await close(h)


@pytest.fixture
async def replicas(
    tmp_path: Path,
    ehr_dsn: str,
    state_url: str,
    receiver: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Replicas]:
    monkeypatch.setattr(dispatch, "AUDIT_POLL_SECONDS", 0.05)
    async with two_replicas(tmp_path, ehr_dsn, state_url, receiver) as found:
        yield found


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


# A claims write needs one data owner's vote on A; B has the policy change that asks
# three for it, so running the approved action on B sends it back for two more votes
# (`approval.reopened`, REST 409). (The run-time re-decision reads the store's clock on
# PostgreSQL, so a time-of-day rule and a travelling test clock would not do.)
THREE_OWNERS = {
    "name": "claims-writes-need-three-data-owners",
    "match": {"risk": ["write"], "tables": ["claims"]},
    "decision": "approve",
    "approvals": {"count": 3, "groups": ["data-owners"], "expires_in": 3600},
}


@pytest.fixture
async def stricter_b(
    tmp_path: Path,
    ehr_dsn: str,
    state_url: str,
    receiver: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Replicas]:
    monkeypatch.setattr(dispatch, "AUDIT_POLL_SECONDS", 0.05)
    policy = _demo_policy(THREE_OWNERS)
    async with two_replicas(tmp_path, ehr_dsn, state_url, receiver, policy) as found:
        yield found


async def approved_on_a(replicas: Replicas) -> tuple[str, str]:
    """A claims write asked on A and approved there by alice."""
    action_id, approval_id = await pending_on_a(replicas)
    voted = await replicas.a.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=replicas.a.auth("alice"), json={}
    )
    assert voted.status_code == 200, voted.text
    assert replicas.a.gateway.approval(approval_id).state == "approved"
    replicas.slack.wait_for("chat.update")  # the message now says approved
    return action_id, approval_id


async def sent_back_on_b(replicas: Replicas, action_id: str) -> None:
    ran = await replicas.b.client.post(
        f"/v1/actions/{action_id}/run", headers=replicas.b.auth("claims-bot")
    )
    assert ran.status_code == 409, ran.text
    assert ran.json()["error"]["code"] == "awaiting_approval", ran.text


def updates_of_first(replicas: Replicas) -> list[dict[str, Any]]:
    first = replicas.slack.posted[0][1]
    return [u for u in replicas.slack.named("chat.update") if u["ts"] == first]


async def test_a_send_back_on_b_is_posted_again_once(stricter_b: Replicas) -> None:
    """B sends the approval back when its action runs there; A hears it through the
    audit log too, and only one of them posts the request again."""
    r = stricter_b
    action_id, _ = await approved_on_a(r)
    await sent_back_on_b(r, action_id)
    r.slack.wait_for("chat.postMessage", 2)
    r.settle()
    assert record(r.a, "approval.reopened", action_id)["replica"] == "replica-b"
    assert len(r.slack.named("chat.postMessage")) == 2  # asked, then asked again: once
    reposted = json.dumps(r.slack.named("chat.postMessage")[1]["blocks"])
    assert "APPROVED" not in reposted and "Approve" in reposted
    # the first message: drawn approved on alice's vote, then pending again, once
    first = updates_of_first(r)
    assert len(first) == 2 and "APPROVED" not in json.dumps(first[-1]["blocks"])
    assert len(r.hooks.named("approval.requested")) == 2  # each by the replica it happened on


async def test_a_send_back_on_a_replica_whose_channels_are_down_is_posted_by_another(
    stricter_b: Replicas,
) -> None:
    """The replica that sent the approval back never publishes it (its channel workers
    are stopped, as if it died right after the commit): A relays the send-back from
    the audit log, posts the request again and redraws the first message."""
    r = stricter_b
    action_id, approval_id = await approved_on_a(r)
    dispatcher(r.b).stop()
    await sent_back_on_b(r, action_id)
    posted = r.slack.wait_for("chat.postMessage", 2)
    r.settle(tails=(r.a,))
    assert len(posted) == 2 and len(r.slack.named("chat.postMessage")) == 2
    first = updates_of_first(r)
    assert len(first) == 2 and "APPROVED" not in json.dumps(first[-1]["blocks"])
    assert r.a.gateway.approval(approval_id).state == "pending"
