"""Policy decides again when an approved action runs (round 15a finding 5): a change
freeze that begins between the approval and the run holds, and the approval waits."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import time_machine

from phigate.doors.app import build_app
from phigate.ops.bootstrap import build_gateway
from tests.adversarial.test_findings_round15a import _demo_policy
from tests.channels.standins import slack_api
from tests.channels.test_slack import close, slack_settings
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


# ── every requirement in force at run time (round 18a findings 1 and 5) ────────────
NIGHT = {
    "name": "night-writes-need-two-data-owners",
    "match": {"risk": ["write"], "time": {"start": "18:00", "end": "06:00"}},
    "decision": "approve",
    "approvals": {"count": 2, "groups": ["data-owners"], "expires_in": 3600},
}
EVENING = dt.datetime(2026, 12, 9, 17, 55, tzinfo=dt.UTC)


@pytest.fixture
async def night(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """One data owner by day; from 18:00 to 06:00 writes need two."""
    h = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(NIGHT)})
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _ask_and_approve(h: Harness, sql: str, voter: str = "alice") -> tuple[str, str]:
    """The write asked for by the agent and approved by `voter`: (action, approval) ids."""
    asked = await h.submit("claims-bot", sql)
    assert asked.status_code == 202, asked.text
    approval_id = asked.json()["approval"]["id"]
    voted = await h.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=h.auth(voter), json={}
    )
    assert voted.status_code == 200, voted.text
    return asked.json()["id"], approval_id


async def test_a_stricter_rule_at_run_time_sends_the_approval_back_for_its_missing_vote(
    night: Harness,
) -> None:
    """Approved on one vote by day, run at night: not run, 409 `awaiting_approval`
    naming what is missing; the request waits again (audited), and a second data owner's
    vote lets it run."""
    with time_machine.travel(EVENING, tick=True):
        action_id, approval_id = await _ask_and_approve(
            night, "UPDATE claims SET status = 'paid' WHERE id = 16"
        )
    run = f"/v1/actions/{action_id}/run"
    with time_machine.travel(EVENING + dt.timedelta(minutes=35), tick=True):
        refused = await night.client.post(run, headers=night.auth("claims-bot"))
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "awaiting_approval"
        assert "1 more from data-owners" in error["message"]
        waiting = night.gateway.approval(approval_id)
        assert waiting.state == "pending"
        assert waiting.still_needed == "1 more from data-owners"
        assert night.gateway.action(action_id).status == "pending_approval"
        reopened = [r for r in night.gateway.audit_records() if r["event"] == "approval.reopened"]
        assert [r["approval_id"] for r in reopened] == [approval_id]
        assert reopened[0]["why"]["rule"] == "night-writes-need-two-data-owners"
        again = await night.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=night.auth("alice"), json={}
        )
        assert again.status_code == 403, "one person's vote never counts twice"
        second = await night.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=night.auth("bob"), json={}
        )
        assert second.json()["state"] == "approved", second.text
        ran = await night.client.post(run, headers=night.auth("claims-bot"))
    assert ran.status_code == 200, ran.text
    assert night.gateway.approval(approval_id).state == "executed"


async def test_asking_again_at_night_waits_on_the_same_request(night: Harness) -> None:
    """The identical action sent again under the stricter rule is answered pending (202)
    on the same action and approval, then runs once the missing vote is cast."""
    write = "UPDATE claims SET status = 'paid' WHERE id = 17"
    with time_machine.travel(EVENING, tick=True):
        action_id, approval_id = await _ask_and_approve(night, write)
    with time_machine.travel(EVENING + dt.timedelta(minutes=35), tick=True):
        again = await night.submit("claims-bot", write)
        assert again.status_code == 202, again.text
        assert (again.json()["id"], again.json()["approval"]["id"]) == (action_id, approval_id)
        assert again.json()["approval"]["still_needed"] == "1 more from data-owners"
        await night.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=night.auth("bob"), json={}
        )
        ran = await night.submit("claims-bot", write)
    assert ran.status_code == 200, ran.text
    assert ran.json()["id"] == action_id


@pytest.mark.parametrize(
    "person",
    [
        "dana",  # the person the agent acts for
        "c1aims-bot",  # drawn as the requester `claims-bot` (skeleton): a second name
    ],
)
async def test_a_vote_that_separation_of_duties_no_longer_allows_does_not_count(
    tmp_path: Path, ehr_dsn: str, person: str
) -> None:
    """Separation of duties is judged again at run time: alice approves the agent's
    write; the operator then declares `alice` an alias of dana, the person the agent
    acts for (or of `c1aims-bot`, a name drawn as the requester's), and restarts. Her
    vote no longer counts: the approval waits for another data owner, and bob's vote
    lets it run."""
    settings = demo_config(tmp_path, ehr_dsn)
    h = await make_harness(settings)
    try:
        action_id, approval_id = await _ask_and_approve(
            h, "UPDATE claims SET status = 'paid' WHERE id = 18"
        )
    finally:
        await h.client.aclose()
        await h.gateway.close()
    aliased = settings.model_copy(
        update={"identity": settings.identity.model_copy(update={"aliases": {person: ["alice"]}})}
    )
    after = build_gateway(aliased, migrate=True)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app(after)), base_url="http://phigate.test"
    )
    h = Harness(after, client, h.tokens)
    try:
        run = f"/v1/actions/{action_id}/run"
        refused = await client.post(run, headers=h.auth("claims-bot"))
        assert refused.status_code == 409, refused.text
        voted = await client.post(
            f"/v1/approvals/{approval_id}/approve", headers=h.auth("bob"), json={}
        )
        assert voted.json()["state"] == "approved", voted.text
        ran = await client.post(run, headers=h.auth("claims-bot"))
    finally:
        await client.aclose()
        await after.close()
    assert ran.status_code == 200, ran.text


async def test_an_approval_that_expired_unrun_ends_its_action(harness: Harness) -> None:
    """Approved and not run within its hour: the action ends `expired` (audited), its
    run answers 410, and the identical request is a new one, sent to reviewers."""
    write = "UPDATE claims SET status = 'paid' WHERE id = 19"
    action_id, approval_id = await _ask_and_approve(harness, write)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=True):
        again = await harness.submit("claims-bot", write)
        assert again.status_code == 202, again.text
        assert again.json()["id"] != action_id
        assert harness.gateway.approval(approval_id).state == "expired"
        assert harness.gateway.action(action_id).status == "expired"
        ran = await harness.client.post(
            f"/v1/actions/{action_id}/run", headers=harness.auth("claims-bot")
        )
    assert ran.status_code == 410, ran.text
    assert "expired before the action ran" in ran.json()["error"]["message"]
    decided = [
        r
        for r in harness.gateway.audit_records()
        if r["event"] == "approval.decided" and r.get("approval_id") == approval_id
    ]
    assert [r["state"] for r in decided] == ["approved", "expired"]


async def test_concurrent_runs_after_expiry_record_the_expiry_once(harness: Harness) -> None:
    """Two `/run`s of an approval that expired unrun, with no sweep before them: both
    answer 410, and the expiry is recorded once (one `approval.decided` `expired`)."""
    action_id, approval_id = await _ask_and_approve(
        harness, "UPDATE claims SET status = 'paid' WHERE id = 21"
    )
    run = f"/v1/actions/{action_id}/run"
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=True):
        answers = await asyncio.gather(
            harness.client.post(run, headers=harness.auth("claims-bot")),
            harness.client.post(run, headers=harness.auth("claims-bot")),
        )
    assert [a.status_code for a in answers] == [410, 410], [a.text for a in answers]
    decided = [
        r["state"]
        for r in harness.gateway.audit_records()
        if r["event"] == "approval.decided" and r.get("approval_id") == approval_id
    ]
    assert decided == ["approved", "expired"]
    assert harness.gateway.action(action_id).status == "expired"


async def test_a_justified_break_glass_review_stays_justified_past_its_window(
    harness: Harness,
) -> None:
    """A break-glass review expires on its window only while it waits for a verdict:
    one judged justified is final, and the sweep leaves it so."""
    used = await harness.client.post(
        "/v1/actions",
        headers=harness.auth("dana"),
        json={
            "connection": "ehr",
            "sql": "SELECT * FROM patients WHERE id = 2",
            "masking": "none",
            "break_glass": True,
            "reason": "patient unconscious in the emergency room",
        },
    )
    assert used.status_code == 200, used.text
    review = harness.gateway.approval_for_action(used.json()["id"])
    assert review is not None
    judged = await harness.client.post(
        f"/v1/approvals/{review.id}/approve", headers=harness.auth("alice"), json={}
    )
    assert judged.status_code == 200, judged.text
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8), tick=True):
        assert harness.gateway.expire_due() == []
    assert harness.gateway.approval(review.id).state == "approved"


async def test_listing_sweeps_an_approval_that_expired_unrun(harness: Harness) -> None:
    """The sweep that expires pending requests ends unrun approvals too."""
    action_id, approval_id = await _ask_and_approve(
        harness, "UPDATE claims SET status = 'paid' WHERE id = 20"
    )
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=True):
        listed = await harness.client.get("/v1/approvals", headers=harness.auth("bob"))
    assert listed.status_code == 200, listed.text
    assert harness.gateway.approval(approval_id).state == "expired"
    assert harness.gateway.action(action_id).status == "expired"


async def test_the_reviewers_are_told_again_when_an_approval_is_sent_back(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Sent back for its missing vote, the request is posted to the reviewers' Slack
    channel again (once when asked, once when sent back)."""
    with slack_api() as slack:
        overrides = {"policy": _demo_policy(NIGHT), "channels": slack_settings(slack)}
        h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
        try:
            with time_machine.travel(EVENING, tick=True):
                action_id, _ = await _ask_and_approve(
                    h, "UPDATE claims SET status = 'paid' WHERE id = 21"
                )
            assert len(slack.wait_for("chat.postMessage", 1)) == 1
            with time_machine.travel(EVENING + dt.timedelta(minutes=35), tick=True):
                refused = await h.client.post(
                    f"/v1/actions/{action_id}/run", headers=h.auth("claims-bot")
                )
            assert refused.status_code == 409, refused.text
            posted = slack.wait_for("chat.postMessage", 2)
            assert [p["channel"] for p in posted] == ["C_REVIEW", "C_REVIEW"]
        finally:
            await close(h)
