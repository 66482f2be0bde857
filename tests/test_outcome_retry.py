"""A run that ends while the state store is down is recorded once the store is back:
never left `executing` on a live replica, where no recovery would ever end it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pgsql

from phigate.core.metrics import REGISTRY
from phigate.ops.pgserver import EmbeddedPostgres
from tests.conftest import Harness, demo_config, make_harness
from tests.support.lost_ack import LostAck

FAILURES = "phigate_state_commit_failures_total"


@pytest.fixture
async def on_pg_state(
    tmp_path: Path, ehr_dsn: str, pg_server: EmbeddedPostgres
) -> AsyncIterator[tuple[Harness, str]]:
    name = f"state_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    settings = demo_config(tmp_path, ehr_dsn, overrides={"state": {"url": pg_server.dsn(name)}})
    harness = await make_harness(settings)
    try:
        yield harness, name
    finally:
        set_reachable(pg_server, name, reachable=True)
        await harness.client.aclose()
        await harness.gateway.close()


def set_reachable(pg_server: EmbeddedPostgres, database: str, *, reachable: bool) -> None:
    """The state database down (no connection can be opened, open ones are ended) or up."""
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        allow = pgsql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
            pgsql.Identifier(database), pgsql.SQL("true" if reachable else "false")
        )
        conn.execute(allow)
        if not reachable:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )


async def until(condition: object, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not await asyncio.to_thread(condition):  # type: ignore[arg-type]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_an_outcome_is_recorded_after_the_state_store_comes_back(
    on_pg_state: tuple[Harness, str], pg_server: EmbeddedPostgres, ehr_dsn: str
) -> None:
    harness, state = on_pg_state

    def executing() -> int:
        with psycopg.connect(pg_server.dsn(state)) as conn:
            row = conn.execute("SELECT count(*) FROM actions WHERE status = 'executing'")
            return int(row.fetchone()[0])  # type: ignore[index]

    def failures() -> float:
        return REGISTRY.get_sample_value(FAILURES) or 0.0

    with psycopg.connect(pg_server.dsn(ehr_dsn.rsplit("/", 1)[1])) as blocker:
        blocker.execute("LOCK TABLE claims IN ACCESS EXCLUSIVE MODE")  # the read waits on it
        read = asyncio.create_task(
            harness.submit("claims-bot", "SELECT count(*) FROM claims"), name="read"
        )
        await until(lambda: executing() == 1, "the read to start")
        failed_before = failures()
        set_reachable(pg_server, state, reachable=False)
        blocker.rollback()  # the read ends now, while its outcome cannot be written
    await until(lambda: failures() > failed_before, "recording the outcome to fail")
    assert not read.done()  # still trying, not answered 503
    set_reachable(pg_server, state, reachable=True)
    response = await asyncio.wait_for(read, 60)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "executed"
    assert executing() == 0
    records = harness.gateway.audit_records(limit=10_000)
    executed = [r for r in records if r["event"] == "action.executed"]
    assert [r["action_id"] for r in executed] == [response.json()["id"]]


async def test_an_outcome_whose_commit_acknowledgement_was_lost_is_recorded_once(
    tmp_path: Path, ehr_dsn: str, pg_server: EmbeddedPostgres
) -> None:
    """The commit of `action.executed` goes through but its answer never arrives: the
    retry finds the outcome already there and writes nothing."""
    name = f"state_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    proxy = LostAck(pg_server.port, marker=b"action.executed")
    url = pg_server.dsn(name).replace(f":{pg_server.port}/", f":{proxy.port}/")
    settings = demo_config(
        tmp_path, ehr_dsn, overrides={"state": {"url": f"{url}?sslmode=disable&gssencmode=disable"}}
    )
    harness = await make_harness(settings)
    try:
        response = await harness.submit("claims-bot", "SELECT count(*) FROM claims")
        assert response.status_code == 200, response.text
        assert proxy.lost == 1  # the commit was acknowledged to no one
        records = harness.gateway.audit_records(limit=10_000)
        action_id = response.json()["id"]
        ends = [r["event"] for r in records if r.get("action_id") == action_id]
        assert ends.count("action.executed") == 1, ends
        assert harness.gateway.action(action_id).status == "executed"
        assert harness.gateway.verify_audit().ok
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
        proxy.close()
