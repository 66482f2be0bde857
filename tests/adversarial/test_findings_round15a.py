"""Round 15a of the promises-only attack: the people side (approvals, identities,
reviewer surfaces, policy edge cases).

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed.
Attacks that held are ordinary tests.
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
async def night_freeze(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """The demo, plus a change freeze on Friday nights: 22:00 to 06:00 UTC."""
    freeze = {
        "name": "friday-night-freeze",
        "description": "no writes on Friday night, 22:00 to 06:00",
        "match": {"risk": ["write"], "time": {"days": ["fri"], "start": "22:00", "end": "06:00"}},
        "decision": "deny",
        "reason": "change freeze on Friday nights",
    }
    h = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(freeze)})
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _status_at(harness: Harness, moment: dt.datetime, claim: int) -> int:
    with time_machine.travel(moment, tick=True):
        answer = await harness.submit(
            "claims-bot", f"UPDATE claims SET status = 'paid' WHERE id = {claim}"
        )
    return answer.status_code


@finding(
    1, "a time window across midnight ends at midnight: Friday 22:00-06:00 misses Saturday 01:00"
)
async def test_a_night_window_covers_the_night_it_starts(night_freeze: Harness) -> None:
    """docs/configuration.md `match.time`: "a window may cross midnight". A freeze on
    `days: [fri]`, 22:00 to 06:00 holds on Friday at 23:00 but not on Saturday at 01:00,
    the same night (config.py `TimeWindow.contains` checks the weekday of the moment,
    not of the window's start), and it holds on Friday at 01:00, Thursday's night."""
    friday_late = dt.datetime(2026, 12, 11, 23, 0, tzinfo=dt.UTC)
    saturday_early = dt.datetime(2026, 12, 12, 1, 0, tzinfo=dt.UTC)
    assert await _status_at(night_freeze, friday_late, 3) == 403
    assert await _status_at(night_freeze, saturday_early, 4) == 403, "the freeze ended at midnight"
