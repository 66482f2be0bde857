"""Policy decides again when an approved action runs (round 15a finding 5): a change
freeze that begins between the approval and the run holds, and the approval waits."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import time_machine

from tests.adversarial.test_findings_round15a import _demo_policy
from tests.conftest import Harness, demo_config, make_harness

FREEZE = {
    "name": "friday-night-freeze",
    "match": {"risk": ["write"], "time": {"days": ["fri"], "start": "22:00", "end": "23:00"}},
    "decision": "deny",
    "reason": "change freeze",
}
ASKED = dt.datetime(2026, 12, 11, 21, 50, tzinfo=dt.UTC)  # a Friday


@pytest.fixture
async def freeze(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """Writes need a data owner for 2 hours; Friday 22:00 to 23:00 they are denied."""
    policy = _demo_policy(FREEZE)
    for rule in policy["rules"]:
        if rule["name"] == "writes-and-exports-need-a-data-owner":
            rule["approvals"]["expires_in"] = 7200
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"policy": policy}))
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_a_run_inside_a_freeze_is_refused_and_the_approval_waits(freeze: Harness) -> None:
    write = "UPDATE claims SET status = 'paid' WHERE id = 14"
    with time_machine.travel(ASKED, tick=True):
        asked = await freeze.submit("claims-bot", write)
        assert asked.status_code == 202, asked.text
        approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
        voted = await freeze.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=freeze.auth("alice"), json={}
        )
        assert voted.status_code == 200, voted.text
    run = f"/v1/actions/{action_id}/run"
    with time_machine.travel(ASKED + dt.timedelta(minutes=20), tick=True):
        refused = await freeze.client.post(run, headers=freeze.auth("claims-bot"))
    assert refused.status_code == 403, refused.text
    assert "change freeze" in refused.json()["error"]["message"]
    assert freeze.gateway.approval(approval_id).state == "approved"
    audited = [r for r in freeze.gateway.audit_records() if r["event"] == "action.refused"]
    assert [r["why"]["rule"] for r in audited if r.get("action_id") == action_id] == [
        "friday-night-freeze"
    ]
    with time_machine.travel(ASKED + dt.timedelta(minutes=75), tick=True):
        ran = await freeze.client.post(run, headers=freeze.auth("claims-bot"))
    assert ran.status_code == 200, ran.text
    assert freeze.gateway.approval(approval_id).state == "executed"


async def test_a_denied_request_does_not_run_its_approved_twin(freeze: Harness) -> None:
    write = "UPDATE claims SET status = 'paid' WHERE id = 15"
    with time_machine.travel(ASKED, tick=True):
        asked = await freeze.submit("claims-bot", write)
        await freeze.client.post(
            f"/v1/approvals/{asked.json()['approval']['id']}/approve",
            headers=freeze.auth("alice"),
            json={},
        )
    with time_machine.travel(ASKED + dt.timedelta(minutes=20), tick=True):
        again = await freeze.submit("claims-bot", write)
    assert again.status_code == 403, again.text
    assert again.json()["status"] == "denied"
