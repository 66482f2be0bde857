"""Approved writes sent with the extended protocol run on the writer, on a read-only
session (issue: writes of every shape on the wire). Attacks first: an approval binds the
exact text and the bound values, runs once, and nothing a client pipelines around it can
widen it; what the writer cannot run as approved is refused before anyone is asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.pgwire.conftest import Wire, serving
from tests.pgwire.rawclient import RawClient, error_fields
from tests.support.approvals import approve_all

SET_STATUS = "UPDATE claims SET status = %s WHERE id = %s"
SET_STATUS_PG = "UPDATE claims SET status = $1 WHERE id = $2"


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    """Statements wait 0.3 s in the session: a write comes back 55000 (pending) at once."""
    async with serving(tmp_path, ehr_dsn, approval_wait_seconds=0.3) as served:
        yield served


def status_of(dsn: str, claim: int) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT status FROM claims WHERE id = %s", (claim,)).fetchone()
    assert row is not None
    return str(row[0])


def set_status(dsn: str, claim: int, status: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as direct:
        direct.execute("UPDATE claims SET status = %s WHERE id = %s", (status, claim))


def pending(wire: Wire) -> list[Any]:
    return wire.harness.gateway.list_approvals(state="pending")


@pytest.mark.parametrize("prepare", [False, True])
async def test_psycopg_write_with_parameters_runs_once_after_approval(
    wire: Wire, ehr_dsn: str, prepare: bool
) -> None:
    claim = 11 if prepare else 12
    set_status(ehr_dsn, claim, "new")
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="approval"):
            await conn.execute(SET_STATUS, ("paid", claim), prepare=prepare)
        assert status_of(ehr_dsn, claim) == "new"  # nothing ran while pending
        bound = await approve_all(wire)
        # psycopg declares the int's type (int2), not the str's: bound with the values.
        typed = {"sql": SET_STATUS_PG, "params": ["paid", claim], "param_types": [0, 21]}
        assert bound == [typed]
        cur = await conn.execute(SET_STATUS, ("paid", claim), prepare=prepare)
        assert cur.rowcount == 1
        assert status_of(ehr_dsn, claim) == "paid"
        assert await (await conn.execute("SELECT %s::int", (5,))).fetchone() == (5,)
        # Once: the identical write asks again, it does not run.
        set_status(ehr_dsn, claim, "new")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            await conn.execute(SET_STATUS, ("paid", claim), prepare=prepare)
    assert status_of(ehr_dsn, claim) == "new"


async def test_a_different_value_is_a_different_action(wire: Wire, ehr_dsn: str) -> None:
    set_status(ehr_dsn, 13, "new")
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            await conn.execute(SET_STATUS, ("paid", 13))
        await approve_all(wire)
        for other in [("denied", 13), ("paid", 14)]:
            with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
                await conn.execute(SET_STATUS, other)
    assert status_of(ehr_dsn, 13) == "new"
    assert len(pending(wire)) == 2  # each other value waits for its own approval


@pytest.mark.parametrize("cache", [100, 0])
async def test_asyncpg_write_with_parameters(wire: Wire, ehr_dsn: str, cache: int) -> None:
    claim = 15 if cache else 16
    set_status(ehr_dsn, claim, "new")
    conn = await asyncpg.connect(wire.url("claims-bot"), statement_cache_size=cache)
    try:
        with pytest.raises(asyncpg.ObjectNotInPrerequisiteStateError):
            await conn.execute(SET_STATUS_PG, "paid", claim)
        bound = await approve_all(wire)
        assert bound == [{"sql": SET_STATUS_PG, "params": ["paid", claim]}]  # binary: decoded
        assert await conn.execute(SET_STATUS_PG, "paid", claim) == "UPDATE 1"
        assert await conn.fetchval("SELECT count(*) FROM claims WHERE id = $1", claim) == 1
    finally:
        await conn.close()
    assert status_of(ehr_dsn, claim) == "paid"


async def test_asyncpg_prepared_statement_write(wire: Wire, ehr_dsn: str) -> None:
    """`Connection.prepare` then `PreparedStatement.fetch`: a named statement bound
    again with each call; each call is decided (and approved) on its own values."""
    set_status(ehr_dsn, 24, "new")
    conn = await asyncpg.connect(wire.url("claims-bot"))
    try:
        update = await conn.prepare(SET_STATUS_PG)
        with pytest.raises(asyncpg.ObjectNotInPrerequisiteStateError):
            await update.fetch("paid", 24)
        assert await approve_all(wire) == [{"sql": SET_STATUS_PG, "params": ["paid", 24]}]
        assert await update.fetch("paid", 24) == []
        assert update.get_statusmsg() == "UPDATE 1"
        with pytest.raises(asyncpg.ObjectNotInPrerequisiteStateError):
            await update.fetch("paid", 24)  # once
    finally:
        await conn.close()
    assert status_of(ehr_dsn, 24) == "paid"


async def _raw(wire: Wire, subject: str = "claims-bot") -> RawClient:
    client = await RawClient.connect(wire.port)
    await client.login(subject, wire.harness.tokens[subject])
    return client


def _bind(portal: str, statement: str, *values: str) -> bytes:
    params = tuple(v.encode() for v in values)
    return codec.build_bind(codec.Bind(portal, statement, (), params, ()))


async def test_a_second_execute_of_the_same_portal_does_not_run_again(
    wire: Wire, ehr_dsn: str
) -> None:
    """A write must be followed by Sync: a second Execute of its portal in the same
    batch refuses the write (0A000), nothing runs and the approval is not spent; sent
    alone it runs once, and its portal is gone after Sync."""
    set_status(ehr_dsn, 17, "new")
    text = "UPDATE claims SET status = $1 WHERE id = $2"
    client = await _raw(wire)
    try:
        ask = codec.build_parse("w", text) + _bind("p", "w", "paid", "17")
        client.send(ask + codec.execute("p") + codec.SYNC)
        assert error_fields(await client.until(b"Z"))["C"] == "55000"
        await approve_all(wire)
        client.send(_bind("p", "w", "paid", "17") + codec.execute("p") + codec.execute("p"))
        client.send(codec.SYNC)
        answers = await client.until(b"Z")
        assert [m.type for m in answers] == [b"2", b"E", b"Z"], answers
        assert error_fields(answers)["C"] == "0A000"
        assert status_of(ehr_dsn, 17) == "new"
        client.send(_bind("p", "w", "paid", "17") + codec.execute("p") + codec.SYNC)
        answers = await client.until(b"Z")
        tags = [codec.parse_cstring(m.body) for m in answers if m.type == b"C"]
        assert tags == ["UPDATE 1"], answers
        set_status(ehr_dsn, 17, "new")
        client.send(codec.execute("p") + codec.SYNC)  # the portal is gone after Sync
        assert error_fields(await client.until(b"Z"))["C"] == "34000"
    finally:
        client.close()
    assert status_of(ehr_dsn, 17) == "new"


async def test_pipelined_writes_are_refused_whole(wire: Wire, ehr_dsn: str) -> None:
    """Two approved values pipelined in one batch (as asyncpg's executemany sends them):
    a server would run both in one implicit transaction, the writer cannot, so the
    first is refused at the Bind that follows it and the batch skips to Sync: neither
    runs, and each approval still runs once when its write is sent alone."""
    for claim in (18, 19):
        set_status(ehr_dsn, claim, "new")
    client = await _raw(wire)
    try:
        text = "UPDATE claims SET status = $1 WHERE id = $2"
        client.send(codec.build_parse("w", text) + codec.SYNC)
        await client.until(b"Z")
        for claim in ("18", "19"):
            client.send(_bind("", "w", "paid", claim) + codec.execute("") + codec.SYNC)
            assert error_fields(await client.until(b"Z"))["C"] == "55000"
        await approve_all(wire)
        batch = [_bind("", "w", "paid", "18"), codec.execute("")]
        batch += [_bind("", "w", "paid", "19"), codec.execute(""), codec.SYNC]
        client.send(b"".join(batch))
        answers = await client.until(b"Z")
        assert [m.type for m in answers] == [b"2", b"E", b"Z"], answers
        assert error_fields(answers)["C"] == "0A000"
        assert (status_of(ehr_dsn, 18), status_of(ehr_dsn, 19)) == ("new", "new")
        for claim in ("18", "19"):
            client.send(_bind("", "w", "paid", claim) + codec.execute("") + codec.SYNC)
            answers = await client.until(b"Z")
            assert [m.type for m in answers] == [b"2", b"C", b"Z"], answers
    finally:
        client.close()
    assert (status_of(ehr_dsn, 18), status_of(ehr_dsn, 19)) == ("paid", "paid")


async def test_a_bind_that_fails_runs_nothing(wire: Wire, ehr_dsn: str) -> None:
    """The reader rejects the value: the write is neither asked for nor run."""
    client = await _raw(wire)
    try:
        text = "UPDATE claims SET status = $1 WHERE id = $2::int"
        client.send(codec.build_parse("w", text) + _bind("", "w", "paid", "not a number"))
        client.send(codec.execute("") + codec.SYNC)
        answers = await client.until(b"Z")
        assert error_fields(answers)["C"] == "22P02"
    finally:
        client.close()
    assert not pending(wire)


REFUSED_BEFORE_APPROVAL = [
    ("UPDATE claims SET status = %s WHERE id = 20 RETURNING id", ("paid",), "RETURNING"),
    (
        "WITH gone AS (DELETE FROM claims WHERE id = %s RETURNING id) SELECT count(*) FROM gone",
        (20,),
        "RETURNING",
    ),
]


@pytest.mark.parametrize(("text", "params", "match"), REFUSED_BEFORE_APPROVAL)
async def test_what_the_writer_cannot_run_as_sent_is_refused_first(
    wire: Wire, text: str, params: tuple[Any, ...], match: str
) -> None:
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.FeatureNotSupported, match=match):
            await conn.execute(text, params)
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    assert not pending(wire)
    refused = [
        r for r in wire.harness.gateway.audit_records() if r["event"] == "pgwire.write_refused"
    ]
    assert [r["detail"]["who"]["subject"] for r in refused] == ["claims-bot"]
    assert "RETURNING" in refused[0]["why"]["reason"]


async def test_a_write_inside_a_transaction_is_refused_first(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("claims-bot")) as conn:
        with pytest.raises(psycopg.errors.ActiveSqlTransaction, match="transaction"):
            await conn.execute(SET_STATUS, ("paid", 21))
    assert not pending(wire)


async def test_sql_prepare_and_execute_of_a_write_are_refused_first(wire: Wire) -> None:
    """PREPARE of a write would prepare it on a pooled writer connection, for nobody; an
    EXECUTE of a write the reader holds (prepared with Parse) would fail on the writer
    (26000) after spending its approval. Both are refused, naming the form that works."""
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="PREPARE"):
            await conn.execute("PREPARE w AS UPDATE claims SET status = $1 WHERE id = $2")
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    client = await _raw(wire)
    try:
        client.send(codec.build_parse("v", "UPDATE claims SET status = 'x' WHERE id = 22"))
        client.send(codec.SYNC)
        assert [m.type for m in await client.until(b"Z")] == [b"1", b"Z"]
        client.send(codec.query("EXECUTE v"))
        answers = await client.until(b"Z")
        assert error_fields(answers)["C"] == "0A000"
        assert "EXECUTE" in error_fields(answers)["M"]
    finally:
        client.close()
    assert not pending(wire)


async def test_an_approved_write_in_a_psycopg_pipeline(wire: Wire, ehr_dsn: str) -> None:
    """psycopg's pipeline mode sends the write and the read behind it before one Sync:
    one implicit transaction, which the writer cannot share, so the write is refused
    and nothing commits. With `Pipeline.sync()` after the write, it runs once, the read
    behind it sees it, and the answers come in order."""
    set_status(ehr_dsn, 23, "new")
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            await conn.execute(SET_STATUS, ("paid", 23))
        await approve_all(wire)
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="followed directly by Sync"):
            async with conn.pipeline():
                await conn.execute(SET_STATUS, ("paid", 23))
                await conn.execute("SELECT count(*) FROM claims WHERE id = %s", (23,))
        assert status_of(ehr_dsn, 23) == "new"
        async with conn.pipeline() as pipeline:
            write = await conn.execute(SET_STATUS, ("paid", 23))
            await pipeline.sync()
            read = await conn.execute("SELECT status FROM claims WHERE id = %s", (23,))
        assert write.rowcount == 1
        assert await read.fetchone() == ("paid",)
    assert status_of(ehr_dsn, 23) == "paid"
