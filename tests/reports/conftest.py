"""A real audit log for the report tests: one scenario run through the real gateway.

Every action goes through the REST front door of a real gateway (SQLite state,
the module's embedded PostgreSQL EHR upstream). The counts the report must show
are derived by hand from the scenario below, not from the report code.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from phigate.audit.chain import AuditLog
from phigate.ops.bootstrap import policy_hash
from phigate.store import Database
from tests.conftest import DEMO_POLICY, Harness, demo_config, make_harness

READ = "SELECT id, first_name, last_name, ssn, email FROM patients ORDER BY id LIMIT 5"
NOTES = "SELECT note_text FROM clinical_notes ORDER BY id LIMIT 3"
DOB = "SELECT id, dob FROM patients WHERE id = 3"
# Writes to encounters need approval within one second: the scenario lets one expire.
SHORT_LIVED = {
    "name": "encounter-writes-expire-fast",
    "match": {"risk": ["write"], "tables": ["encounters"]},
    "decision": "approve",
    "approvals": {"count": 1, "groups": ["data-owners"], "expires_in": 1},
}


@dataclass
class Scenario:
    state_url: str
    state_file: Path
    start: datetime
    end: datetime
    policy_hash: str
    masked: Counter[str] = field(default_factory=Counter)
    ids: dict[str, str] = field(default_factory=dict)

    def audit(self) -> AuditLog:
        return AuditLog(Database(self.state_url))


def _settings(tmp: Path, dsn: str) -> Any:
    text = DEMO_POLICY.read_text().format(state_db="unused", http_port=0, secrets_dir="unused")
    rules = yaml.safe_load(text)["policy"]["rules"]
    # First, so it wins the tie with the demo's one-hour write rule for encounters.
    return demo_config(tmp, dsn, overrides={"policy": {"rules": [SHORT_LIVED, *rules]}})


async def _vote(h: Harness, approval_id: str, who: str, verb: str = "approve") -> int:
    response = await h.client.post(
        f"/v1/approvals/{approval_id}/{verb}", headers=h.auth(who), json={"comment": "seen"}
    )
    return response.status_code


async def _executed(h: Harness, s: Scenario, response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "executed"
    s.masked.update(body["result"].get("masked") or {})
    return body


async def _pending(h: Harness, subject: str, sql: str, **extra: Any) -> dict[str, Any]:
    response = await h.submit(subject, sql, reason="scenario", **extra)
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def run_scenario(h: Harness, s: Scenario) -> None:
    """2 reads, 1 denied DDL, 4 approval requests (approved, denied, expired, reveal),
    2 refused votes (the agent itself, the human it acts for), 1 break-glass reviewed."""
    await _executed(h, s, await h.submit("claims-bot", READ))
    await _executed(h, s, await h.submit("dana", NOTES))
    denied = await h.submit("claims-bot", "DROP TABLE patients")
    assert denied.status_code == 403

    write = await _pending(h, "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 1")
    assert await _vote(h, write["approval"]["id"], "claims-bot") == 403  # an agent
    assert await _vote(h, write["approval"]["id"], "dana") == 403  # the human it acts for
    assert await _vote(h, write["approval"]["id"], "alice") == 200
    run = await h.client.post(f"/v1/actions/{write['id']}/run", headers=h.auth("claims-bot"))
    await _executed(h, s, run)

    refused = await _pending(h, "claims-bot", "DELETE FROM claims WHERE id = 2")
    assert await _vote(h, refused["approval"]["id"], "bob", "deny") == 200

    late = await _pending(h, "claims-bot", "UPDATE encounters SET reason = 'x' WHERE id = 1")
    s.ids["expired"] = late["id"]

    reveal = await _pending(h, "claims-bot", DOB, reveal=["DATE"])
    s.ids["reveal"] = reveal["id"]
    assert await _vote(h, reveal["approval"]["id"], "bob") == 200
    run = await h.client.post(f"/v1/actions/{reveal['id']}/run", headers=h.auth("claims-bot"))
    await _executed(h, s, run)

    glass = await h.submit(
        "dana", DOB, reveal=["DATE"], break_glass=True, reason="patient unconscious in ED"
    )
    body = await _executed(h, s, glass)
    s.ids["break_glass"] = body["id"]
    review = await asyncio.to_thread(h.gateway.approval_for_action, body["id"])
    assert review is not None
    assert await _vote(h, review.id, "alice") == 200

    await asyncio.sleep(1.1)
    # Expired by this sweep, or by an earlier one a slow step above already triggered.
    h.gateway.expire_due()
    expired = h.gateway.approval_for_action(late["id"])
    assert expired is not None and expired.state == "expired"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, ehr_dsn: str) -> Scenario:
    tmp = tmp_path_factory.mktemp("report")
    settings = _settings(tmp, ehr_dsn)
    start = datetime.now(UTC) - timedelta(seconds=1)
    s = Scenario(
        state_url=settings.state.url,
        state_file=Path(settings.state.url.removeprefix("sqlite:///")),
        start=start,
        end=start,
        policy_hash=policy_hash(settings),
    )

    async def go() -> None:
        h = await make_harness(settings)
        try:
            await run_scenario(h, s)
        finally:
            await h.client.aclose()
            await h.gateway.close()

    asyncio.run(go())
    time.sleep(0.01)
    s.end = datetime.now(UTC)
    return s
