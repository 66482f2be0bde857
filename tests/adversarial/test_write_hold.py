"""An approved extended-protocol write is held at its Execute and runs only if Sync
comes next (finding 7 of round 5): whatever else follows it before Sync would share
its implicit transaction on a server, and roll it back on failure, which the writer
cannot. Attacks first: every ordering a client can send after the write's Execute,
through the real wire door with a raw client and with real drivers; in each, the
write must not commit, and its approval must not be spent.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.adversarial.test_findings_round4 import (
    SET_STATUS,
    approve_all,
    ask_then_approve,
    bind,
    client,
    run,
    set_status,
    status_of,
    tags,
    wire,
)
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields

__all__ = ["client", "wire"]  # fixtures shared with round 4

# What a client may send after the write's Execute, before Sync (no Sync in these).
FOLLOWERS: dict[str, bytes] = {
    "failing-execute": codec.build_parse("z", "SELECT 1/0") + run("z"),
    "succeeding-execute": codec.build_parse("o", "SELECT 1") + run("o"),
    "same-portal-again": codec.execute(""),
    "parse": codec.build_parse("o", "SELECT 1"),
    "bind": bind("", "w", "paid", "1"),
    "describe": codec.describe("P", ""),
    "close": codec.close("P", ""),
    "simple-query": codec.query("SELECT 1"),
    "copy-data": codec.message(b"d", b"x\n"),
    "flush": codec.FLUSH,
}
CLAIM = {name: 60 + i for i, name in enumerate(FOLLOWERS)}


def refusals(wire: Wire) -> list[dict[str, Any]]:
    return [r for r in wire.harness.gateway.audit_records() if r["event"] == "pgwire.write_refused"]


async def runs_alone(client: RawClient, claim: int) -> None:
    """The approval was not spent: the same write, followed by Sync, runs once."""
    client.send(run("w", "paid", str(claim)) + codec.SYNC)
    answers = await client.until(b"Z")
    assert tags(answers) == ["UPDATE 1"], answers


@pytest.mark.parametrize("follower", list(FOLLOWERS))
async def test_anything_but_sync_after_a_write_refuses_it(
    wire: Wire, client: RawClient, ehr_dsn: str, follower: str
) -> None:
    """The write's Execute, then `follower`, then Sync: refused (0A000) at once, the
    batch skips to Sync as after any error, nothing commits; the refusal is on record
    and the approval still runs once when the write is sent alone."""
    claim = CLAIM[follower]
    set_status(ehr_dsn, claim, "new")
    await ask_then_approve(wire, client, claim)
    client.send(run("w", "paid", str(claim)) + FOLLOWERS[follower] + codec.SYNC)
    answers = await client.until(b"Z")
    assert [m.type for m in answers] == [b"2", b"E", b"Z"], answers
    assert error_fields(answers)["C"] == "0A000"
    assert "followed directly by Sync" in error_fields(answers)["M"]
    assert status_of(ehr_dsn, claim) == "new"
    assert [r["detail"]["sql"] for r in refusals(wire)] == [SET_STATUS]
    await runs_alone(client, claim)
    assert status_of(ehr_dsn, claim) == "paid"


async def test_flush_after_a_write_answers_its_refusal_at_once(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """A client that sends Flush after the write waits for the Execute's answer: held,
    it would wait forever; run, the write would commit before the batch is known. It
    hears the refusal without sending Sync, and nothing commits."""
    set_status(ehr_dsn, 71, "new")
    await ask_then_approve(wire, client, 71)
    client.send(run("w", "paid", "71") + codec.FLUSH)
    answers = await client.until(b"E")
    assert [m.type for m in answers] == [b"2", b"E"], answers
    assert error_fields(answers)["C"] == "0A000"
    client.send(codec.SYNC)
    assert [m.type for m in await client.until(b"Z")] == [b"Z"]
    assert status_of(ehr_dsn, 71) == "new"


async def test_sync_in_a_later_packet_runs_the_write(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """Held across reads: the Execute and its Sync may arrive apart (and the Execute may
    carry a row limit, which a write without RETURNING ignores)."""
    set_status(ehr_dsn, 72, "new")
    await ask_then_approve(wire, client, 72)
    client.send(bind("", "w", "paid", "72") + codec.execute("", max_rows=1))
    await client.writer.drain()
    client.send(codec.SYNC)
    answers = await client.until(b"Z")
    assert [m.type for m in answers] == [b"2", b"C", b"Z"], answers
    assert tags(answers) == ["UPDATE 1"]
    assert status_of(ehr_dsn, 72) == "paid"


async def test_terminate_after_a_write_runs_nothing(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    set_status(ehr_dsn, 73, "new")
    await ask_then_approve(wire, client, 73)
    client.send(run("w", "paid", "73") + codec.TERMINATE)
    assert await client.closed()
    await until_sessions_end(wire)
    assert status_of(ehr_dsn, 73) == "new"
    assert [r["detail"]["sql"] for r in refusals(wire)] == [SET_STATUS]


async def test_a_disconnect_after_a_write_runs_nothing(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    set_status(ehr_dsn, 74, "new")
    await ask_then_approve(wire, client, 74)
    client.send(run("w", "paid", "74"))
    await client.writer.drain()
    client.close()
    await until_sessions_end(wire)
    assert status_of(ehr_dsn, 74) == "new"
    assert [r["detail"]["sql"] for r in refusals(wire)] == [SET_STATUS]


async def until_sessions_end(wire: Wire, limit_s: float = 10.0) -> None:
    """Wait (bounded) until every session's task has finished: its end ran (a task
    leaves the set once it has)."""
    tasks = set(wire.listener._tasks)
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=limit_s)
    assert not pending, "a session did not end"


SET_STATUS_PSYCOPG = "UPDATE claims SET status = %s WHERE id = %s"


async def approve_each(wire: Wire, claims: list[int]) -> None:
    """Ask for each value on its own (55000), then approve them all."""
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        for claim in claims:
            with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
                await conn.execute(SET_STATUS_PSYCOPG, ("paid", claim))
    await approve_all(wire)


async def test_asyncpg_executemany_is_refused_whole(wire: Wire, ehr_dsn: str) -> None:
    """executemany sends every Bind/Execute before one Sync: with each value approved,
    none may commit alone (the server would roll them all back if one failed)."""
    for claim in (75, 76):
        set_status(ehr_dsn, claim, "new")
    await approve_each(wire, [75, 76])
    conn = await asyncpg.connect(wire.url("claims-bot"))
    try:
        with pytest.raises(asyncpg.FeatureNotSupportedError, match="followed directly by Sync"):
            await conn.executemany(SET_STATUS, [("paid", 75), ("paid", 76)])
        assert await conn.fetchval("SELECT 1") == 1  # the session goes on
    finally:
        await conn.close()
    assert (status_of(ehr_dsn, 75), status_of(ehr_dsn, 76)) == ("new", "new")


async def test_psycopg_executemany_is_refused_whole(wire: Wire, ehr_dsn: str) -> None:
    """psycopg's executemany pipelines its values the same way."""
    for claim in (77, 78):
        set_status(ehr_dsn, claim, "new")
    await approve_each(wire, [77, 78])
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="followed directly by Sync"):
            await conn.cursor().executemany(SET_STATUS_PSYCOPG, [("paid", 77), ("paid", 78)])
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    assert (status_of(ehr_dsn, 77), status_of(ehr_dsn, 78)) == ("new", "new")
