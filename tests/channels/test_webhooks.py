"""Signed webhooks: delivery, signature, retry with back-off, action events, no blocking."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phigate.doors.channels.events import ChannelEvent
from phigate.doors.channels.settings import WebhookTarget
from phigate.doors.channels.webhooks import WebhookNotifier, sign, verify
from tests.channels.standins import Recorder, serve
from tests.channels.test_slack import with_billing_rule
from tests.conftest import demo_config, make_harness
from tests.support import hostile

SECRET = "whsec-test-secret"


@pytest.fixture
def receiver() -> Iterator[Recorder]:
    failures = {"left": 0}

    def answer(
        rec: Recorder, _verb: str, _path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, Any]:
        rec.emails.setdefault("headers", "")  # keep the latest headers for assertions
        rec.calls[-1] = (headers.get("X-Phigate-Event", ""), {"body": body, "headers": headers})
        if failures["left"] > 0:
            failures["left"] -= 1
            return 503, {}
        return 200, {}

    with serve(answer) as recorder:
        recorder.failures = failures  # type: ignore[attr-defined]
        yield recorder


def test_signature_round_trip_and_freshness() -> None:
    body = b'{"event":"approval.requested"}'
    ts = str(int(time.time()))
    signature = sign(SECRET, ts, body)
    assert verify(SECRET, ts, body, signature)
    assert not verify("other", ts, body, signature)
    assert not verify(SECRET, ts, body + b" ", signature)
    assert not verify(
        SECRET, str(int(time.time()) - 3600), body, sign(SECRET, str(int(time.time()) - 3600), body)
    )


async def test_events_are_signed_and_delivered(
    tmp_path: Path, ehr_dsn: str, receiver: Recorder
) -> None:
    settings = demo_config(
        tmp_path,
        ehr_dsn,
        overrides={"channels": {"webhooks": [{"url": f"{receiver.url}/hook", "secret": SECRET}]}},
    )
    h = await make_harness(settings)
    try:
        answer = await h.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 4")
        approval_id = answer.json()["approval"]["id"]
        await h.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=h.auth("alice"), json={}
        )
        ran = await h.client.post(
            f"/v1/actions/{answer.json()['id']}/run", headers=h.auth("claims-bot")
        )
        assert ran.json()["status"] == "executed"
        await h.submit("claims-bot", "DROP TABLE patients")
        for name in ("approval.requested", "approval.decided", "action.executed", "action.denied"):
            call = receiver.wait_for(name)[0]
            headers = call["headers"]
            raw = json.dumps(call["body"], sort_keys=True)
            assert verify(
                SECRET, headers["X-Phigate-Timestamp"], raw.encode(), headers["X-Phigate-Signature"]
            )
            assert call["body"]["event"] == name
        decided = receiver.named("approval.decided")[0]["body"]["data"]
        assert decided["state"] == "approved" and decided["votes"][0]["voter"] == "alice"
    finally:
        h.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
        await h.client.aclose()
        await h.gateway.close()


async def test_a_request_names_every_rule_whose_vote_it_needs(
    tmp_path: Path, ehr_dsn: str, receiver: Recorder
) -> None:
    """A receiver that routes by rule (a pager per team) sees every rule the request
    waits for in `data.rules`, not only the deciding one in `data.action.rule`."""
    hooks = {"webhooks": [{"url": f"{receiver.url}/hook", "secret": SECRET}]}
    overrides = {"policy": with_billing_rule(), "channels": hooks}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    try:
        answer = await h.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 4")
        assert answer.status_code == 202, answer.text
        data = receiver.wait_for("approval.requested")[0]["body"]["data"]
        assert data["action"]["rule"] == "writes-and-exports-need-a-data-owner"
        assert data["rules"] == [
            "writes-and-exports-need-a-data-owner",
            "claims-writes-need-billing-security",
        ]
    finally:
        h.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
        await h.client.aclose()
        await h.gateway.close()


def test_retries_with_backoff_then_succeeds(receiver: Recorder) -> None:
    receiver.failures["left"] = 2  # type: ignore[attr-defined]
    delays: list[float] = []
    target = WebhookTarget(url=f"{receiver.url}/hook", secret=SECRET, max_attempts=4)
    notifier = WebhookNotifier(None, target, sleep=delays.append, base_delay=0.5)  # type: ignore[arg-type]
    assert notifier.deliver("action.executed", b'{"x":1}')
    assert delays == [0.5, 1.0]
    sent = receiver.named("action.executed")
    assert len(sent) == 3
    assert len({c["headers"]["X-Phigate-Delivery"] for c in sent}) == 1  # same delivery id


def test_gives_up_after_max_attempts(receiver: Recorder) -> None:
    receiver.failures["left"] = 10  # type: ignore[attr-defined]
    target = WebhookTarget(url=f"{receiver.url}/hook", secret=SECRET, max_attempts=3)
    notifier = WebhookNotifier(None, target, sleep=lambda _s: None)  # type: ignore[arg-type]
    assert not notifier.deliver("action.executed", b"{}")
    assert len(receiver.named("action.executed")) == 3


def test_a_stuck_channel_never_blocks_the_publisher() -> None:
    from phigate.doors.channels.dispatch import QUEUE_SIZE, _Worker

    class Stuck:
        def notify(self, event: ChannelEvent) -> None:
            time.sleep(60)

    worker = _Worker(Stuck(), "stuck")  # not started: nothing drains the queue
    started = time.monotonic()
    for _ in range(QUEUE_SIZE + 50):
        worker.offer(ChannelEvent("approval.requested"))
    assert time.monotonic() - started < 1.0


async def test_a_hostile_statement_is_sent_escaped(
    tmp_path: Path, ehr_dsn: str, receiver: Recorder
) -> None:
    """Issue 15, item 1: the webhook's data carries the reviewer's view, escapes and
    warnings included, so a receiver that shows it to people shows what runs."""
    settings = demo_config(
        tmp_path,
        ehr_dsn,
        overrides={"channels": {"webhooks": [{"url": f"{receiver.url}/hook", "secret": SECRET}]}},
    )
    h = await make_harness(settings)
    try:
        await h.submit("claims-bot", hostile.STATEMENT, reason=hostile.REASON)
        data = receiver.wait_for("approval.requested")[0]["body"]["data"]
        review = data["action"]["review"]
        hostile.assert_escaped(
            "\n".join([review["statement"], review["reason"], *review["warnings"]])
        )
    finally:
        h.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
        await h.client.aclose()
        await h.gateway.close()
