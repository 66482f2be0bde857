"""One caller's identical action sent at once, to one replica or two over one state
store, is one request (round 21a finding 4): the write that records it looks for a
waiting twin again under the fingerprint's lock (approvals/service.py
`pending_twin_in`). (`state_url` comes from tests/conftest.py: one test per back end.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa

from phigate.store.tables import actions
from tests.conftest import demo_config, make_harness

WRITE = "UPDATE claims SET status = 'paid' WHERE id = 85"


async def test_identical_requests_sent_at_once_to_two_replicas_are_one(
    tmp_path: Path, ehr_dsn: str, state_url: str
) -> None:
    settings = demo_config(tmp_path, ehr_dsn, overrides={"state": {"url": state_url}})
    a = await make_harness(settings)
    b = await make_harness(settings)
    a.gateway.replica, b.gateway.replica = "replica-a", "replica-b"
    try:
        sent = await asyncio.gather(
            *(h.submit("claims-bot", WRITE) for _ in range(4) for h in (a, b))
        )
        other = await a.submit("claims-bot", WRITE.replace("85", "86"))
        with a.gateway.db.read() as conn:
            recorded = conn.execute(
                sa.select(sa.func.count())
                .select_from(actions)
                .where(actions.c.status == "pending_approval")
            ).scalar_one()
    finally:
        for h in (a, b):
            await h.client.aclose()
            await h.gateway.close()
    assert [s.status_code for s in sent] == [202] * 8, [s.text[:200] for s in sent]
    assert len({s.json()["approval"]["id"] for s in sent}) == 1
    assert len({s.json()["id"] for s in sent}) == 1
    assert other.status_code == 202 and other.json()["id"] != sent[0].json()["id"]
    assert recorded == 2  # the one request, and the other write's
