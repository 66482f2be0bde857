"""Round 18a of the promises-only attack: the control side (approvals decided again
when they run, identities, what reviewers see, audit).

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held are ordinary tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml

from tests.adversarial.harness import finding
from tests.conftest import DEMO_POLICY, Harness, demo_config, make_harness


def _demo_policy(*extra_rules: dict[str, Any]) -> dict[str, Any]:
    """The demo's policy section with `extra_rules` added (for `demo_config` overrides)."""
    text = DEMO_POLICY.read_text().format(state_db="x", http_port=0, secrets_dir="x")
    policy: dict[str, Any] = yaml.safe_load(text)["policy"]
    policy["rules"] = [*policy["rules"], *extra_rules]
    return policy


@pytest.fixture
async def two_at_night(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """The demo, plus a two-person rule for the night: from 18:00 to 06:00 UTC every
    write needs two data owners (the day rule needs one)."""
    night = {
        "name": "night-writes-need-two-data-owners",
        "match": {"risk": ["write"], "time": {"start": "18:00", "end": "06:00"}},
        "decision": "approve",
        "approvals": {"count": 2, "groups": ["data-owners"], "expires_in": 3600},
    }
    h = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(night)})
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _approve(h: Harness, approval_id: str, voter: str) -> int:
    voted = await h.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=h.auth(voter), json={}
    )
    return voted.status_code


async def test_held_the_night_rule_needs_two_when_asked_at_night(two_at_night: Harness) -> None:
    """The control of finding 1: a write asked for at night waits for two data owners."""
    with time_machine.travel(dt.datetime(2026, 12, 9, 19, 0, tzinfo=dt.UTC), tick=True):
        asked = await two_at_night.submit(
            "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 2"
        )
        assert asked.status_code == 202, asked.text
        assert len(asked.json()["approval"]["requirements"]) == 2
        assert await _approve(two_at_night, asked.json()["approval"]["id"], "alice") == 200
        ran = await two_at_night.client.post(
            f"/v1/actions/{asked.json()['id']}/run", headers=two_at_night.auth("claims-bot")
        )
    assert ran.status_code != 200, ran.text[:300]


@finding(1, "run-time re-decision refuses only a deny: a stricter approval rule is skipped")
@pytest.mark.parametrize("how", ["run", "ask again"])
async def test_a_two_person_rule_in_force_when_the_write_runs_is_met(
    two_at_night: Harness, how: str
) -> None:
    """docs/configuration.md: "Policy decides again when an approved action is about to
    run", and "every matching approval rule's requirement must be met". A write asked for
    at 17:55 needs one data owner; alice approves at 17:58; it runs at 18:30, when the
    night rule needs two, on alice's vote alone (pipeline/workflow.py
    `_refuse_if_denied_now` looks only for a deny; admission's approved twin is claimed
    whatever the requirements are now). One person pushes a night write through."""
    claim = 3 if how == "run" else 4
    write = f"UPDATE claims SET status = 'denied' WHERE id = {claim}"
    with time_machine.travel(dt.datetime(2026, 12, 9, 17, 55, tzinfo=dt.UTC), tick=True):
        asked = await two_at_night.submit("claims-bot", write)
        assert asked.status_code == 202, asked.text
        assert asked.json()["approval"]["required"] == 1
        assert await _approve(two_at_night, asked.json()["approval"]["id"], "alice") == 200
    with time_machine.travel(dt.datetime(2026, 12, 9, 18, 30, tzinfo=dt.UTC), tick=True):
        if how == "run":
            ran = await two_at_night.client.post(
                f"/v1/actions/{asked.json()['id']}/run", headers=two_at_night.auth("claims-bot")
            )
        else:
            ran = await two_at_night.submit("claims-bot", write)
    assert ran.status_code != 200, f"ran at night on one vote: {ran.text[:300]}"
