"""Round 12a of the promises-only attack: several real replicas on one PostgreSQL
state (clocks that drift), Microsoft Teams callbacks, stdio MCP upstreams and the
reviewer's CLI.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed.
Attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest

import tests.support.cluster as cluster_module
from phigate.config import parse_settings
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway
from tests.adversarial.harness import finding
from tests.support.cluster import Cluster
from tests.support.state import token_store

EXPIRES_IN = 2  # seconds a write's approval request stays open in the drift cluster
DRIFT = -30.0  # the second replica's clock, as on a host 30 s behind


# ── replicas whose clocks drift ────────────────────────────────────────────
@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two real `phigate serve` replicas on one state; the second one's clock is 30 s
    behind (the fault knob docs/deploy-replicas.md describes), approvals expire in 2 s."""
    patch = pytest.MonkeyPatch()
    patch.setattr(
        cluster_module,
        "CONFIG",
        cluster_module.CONFIG.replace("expires_in: 3600", f"expires_in: {EXPIRES_IN}"),
    )
    patch.setattr(cluster_module, "SKEW", DRIFT)
    cluster = Cluster(tmp_path_factory.mktemp("drift"), replicas=2)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        patch.undo()


def _state_now(cluster: Cluster) -> float:
    """The state database's clock: the one the replicas share."""
    with psycopg.connect(cluster.state_pg.dsn()) as conn:
        row = conn.execute("SELECT extract(epoch FROM clock_timestamp())::float8").fetchone()
    assert row is not None
    return float(row[0])


def _until_state_clock_passes(cluster: Cluster, moment: float) -> None:
    """Wait for a moment of the shared clock to pass (a deadline, not a guess)."""
    while _state_now(cluster) <= moment:
        time.sleep(0.1)


def _expiry(cluster: Cluster, approval_id: str) -> float:
    with psycopg.connect(cluster.state_pg.dsn()) as conn:
        row = conn.execute("SELECT expires_at FROM approvals WHERE id = %s", (approval_id,))
        found = row.fetchone()
    assert found is not None
    return float(found[0])


def _ledger(cluster: Cluster, key: str) -> int:
    with psycopg.connect(cluster.upstream_pg.dsn()) as conn:
        row = conn.execute("SELECT count(*) FROM ledger WHERE key = %s", (key,)).fetchone()
    assert row is not None
    return int(row[0])


@finding(1, "a replica whose clock is behind accepts a vote and runs the write after expiry")
async def test_a_replica_behind_does_not_extend_an_approval(drifted: Cluster) -> None:
    """The request is made on the replica with the right time and expires there; a
    reviewer then approves it on the replica 30 s behind, and the requester runs it
    there. An approval that expired must neither be voted on nor run, whichever
    replica is asked."""
    honest, behind = drifted.replicas
    key = "late-vote"
    sql = f"INSERT INTO ledger (key) VALUES ('{key}')"
    asked = await drifted.post(
        honest, "/v1/actions", "bot", {"connection": "ehr", "sql": sql, "reason": key}, 30
    )
    assert asked.status_code in (200, 202), asked.text
    action_id = asked.json()["id"]
    approval_id = await drifted.find_pending(behind, key)
    await asyncio.to_thread(_until_state_clock_passes, drifted, _expiry(drifted, approval_id) + 1.0)
    voted = await drifted.post(
        behind, f"/v1/approvals/{approval_id}/approve", "rev1", {"comment": "ok"}, 30
    )
    ran = await drifted.post(behind, f"/v1/actions/{action_id}/run", "bot", {}, 30)
    assert _ledger(drifted, key) == 0, f"expired approval ran: vote {voted.text}, run {ran.text}"
    assert voted.status_code == 410, voted.text


@finding(2, "a replica whose clock is behind still accepts an expired API token")
async def test_a_replica_behind_does_not_extend_a_token(drifted: Cluster) -> None:
    """A token made to expire in 2 s is refused by the replica with the right time
    once it has expired, and must be refused by the one 30 s behind as well."""
    honest, behind = drifted.replicas
    settings = parse_settings(honest.config.read_text(), source="drift")
    gateway = build_gateway(settings, migrate=False)
    try:
        token, info = token_store(gateway).create(
            subject="shortlived",
            kind=PrincipalKind.HUMAN,
            groups=("reviewers",),
            on_behalf_of=None,
            expires_in=2,
        )
    finally:
        await gateway.close()
    assert info.expires_at is not None
    await asyncio.to_thread(_until_state_clock_passes, drifted, info.expires_at + 1.0)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30) as client:
        on_honest = await client.get(f"{honest.url}/v1/approvals", headers=headers)
        on_behind = await client.get(f"{behind.url}/v1/approvals", headers=headers)
    assert on_honest.status_code == 401, on_honest.text  # the control: it has expired
    assert on_behind.status_code == 401, on_behind.text
