"""Approvals in the session, COPY, cancel, and a client leaving mid-result."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.pgwire.conftest import Wire, start_wire
from tests.pgwire.rawclient import RawClient

UPDATE = "UPDATE encounters SET department = 'Cardiology' WHERE id = 1"
LONG = "SELECT count(*) FROM generate_series(1, 3000000000)"


@pytest.fixture
async def slow_wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    """Statements wait up to 8 s in the session for an approval."""
    harness, listener = await start_wire(tmp_path, ehr_dsn, approval_wait_seconds=8.0)
    try:
        yield Wire(harness, listener)
    finally:
        await listener.close()
        await harness.gateway.close()


async def _approve_when_asked(wire: Wire, voter: str = "alice", decision: str = "approve") -> str:
    gateway = wire.harness.gateway
    principal = await gateway.authenticate(wire.harness.tokens[voter])
    for _ in range(200):
        pending = await asyncio.to_thread(gateway.list_approvals, state="pending")
        if pending:
            await gateway.vote(pending[0].id, principal, decision)
            return pending[0].id
        await asyncio.sleep(0.05)
    raise AssertionError("no approval was requested")


async def test_statement_waits_for_approval_then_runs(slow_wire: Wire) -> None:
    notices: list[str] = []
    async with await psycopg.AsyncConnection.connect(
        slow_wire.dsn("dana"), autocommit=True
    ) as conn:
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        voter = asyncio.create_task(_approve_when_asked(slow_wire), name="voter")
        cur = await conn.execute(UPDATE)
        approval_id = await voter
        assert cur.rowcount == 1
    assert any(approval_id in n and "/ui/approvals/" in n for n in notices)


async def test_denied_by_reviewer_fails_and_session_continues(slow_wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(
        slow_wire.dsn("dana"), autocommit=True
    ) as conn:
        voter = asyncio.create_task(_approve_when_asked(slow_wire, decision="deny"), name="v")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="denied"):
            await conn.execute(UPDATE)
        await voter
        assert (await (await conn.execute("SELECT count(*) FROM claims")).fetchone()) != (0,)


async def test_reissue_after_approval_runs_once(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="approval"):
            await conn.execute(UPDATE)  # waits 1 s, stays pending
        await _approve_when_asked(wire)
        cur = await conn.execute(UPDATE)  # the identical statement claims the approval
        assert cur.rowcount == 1
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            await conn.execute(UPDATE)  # once only: a new request
        other = UPDATE.replace("id = 1", "id = 2")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            await conn.execute(other)


COPY_IN = (
    "COPY claims (id, patient_id, payer, member_id, amount, cpt_code, icd10_code, status, "
    "service_date) FROM STDIN"
)


@pytest.fixture
async def slow_writer_wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    """As `slow_wire`, but sessions log in as the writer: COPY FROM STDIN streams to the
    session's own upstream, which the read-only path cannot offer (see _writer)."""
    harness, listener = await start_wire(tmp_path, ehr_dsn, reader=False, approval_wait_seconds=8.0)
    try:
        yield Wire(harness, listener)
    finally:
        await listener.close()
        await harness.gateway.close()


async def test_copy_from_stdin_asks_for_approval_on_a_read_only_session(wire: Wire) -> None:
    """Decided on its statement; once approved the data streams to the writer
    (tests/pgwire/test_wire_copy_in.py). Until then nothing is loaded."""
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="approval"):
            async with conn.cursor().copy(COPY_IN) as copy:
                await copy.write_row((1,) * 9)
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    assert len(wire.harness.gateway.list_approvals(state="pending")) == 1


async def test_copy_from_stdin_waits_for_approval_then_loads(slow_writer_wire: Wire) -> None:
    """A bulk load is a write: it waits for a data owner, then the rows stream in and
    the audit records how many were loaded."""
    slow_wire = slow_writer_wire
    async with await psycopg.AsyncConnection.connect(
        slow_wire.dsn("dana"), autocommit=True
    ) as conn:
        voter = asyncio.create_task(_approve_when_asked(slow_wire), name="voter")
        cur = conn.cursor()
        async with cur.copy(COPY_IN) as copy:
            for n in (1, 2):
                row = (
                    900_000 + n,
                    n,
                    "Aetna",
                    f"M{n}",
                    10,
                    "99213",
                    "I10",
                    "new",
                    "2024-01-0" + str(n),
                )
                await copy.write_row(row)
        await voter
        assert cur.rowcount == 2
        loaded = await (
            await conn.execute("SELECT count(*) FROM claims WHERE id > 900000")
        ).fetchone()
        assert loaded == (2,)
    executed: list[dict[str, object]] = []
    for _ in range(100):  # results are recorded beside the session
        executed = [
            r["result"]
            for r in slow_wire.harness.gateway.audit_records()
            if r["event"] == "action.executed"
        ]
        if executed:
            break
        await asyncio.sleep(0.05)
    assert {"status": "COPY 2"}.items() <= executed[0].items()


async def test_copy_to_stdout_is_masked(slow_wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(
        slow_wire.dsn("dana"), autocommit=True
    ) as conn:
        voter = asyncio.create_task(_approve_when_asked(slow_wire), name="voter")
        cur = conn.cursor()
        lines = []
        async with cur.copy(
            "COPY (SELECT id, ssn, first_name FROM patients ORDER BY id LIMIT 3) TO STDOUT"
        ) as copy:
            async for data in copy:
                lines.append(bytes(data).decode())
        await voter
    assert [line.split("\t")[0] for line in lines] == ["1", "2", "3"]
    assert all(line.split("\t")[1] == "[SSN]" for line in lines)
    assert all(line.rstrip("\n").split("\t")[2] == "[PERSON]" for line in lines)


async def test_cancel_a_long_query(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        running = asyncio.create_task(conn.execute(LONG), name="long-query")
        await asyncio.sleep(1.0)
        await conn.cancel_safe()
        with pytest.raises(psycopg.errors.QueryCanceled):
            await running
        assert (await (await conn.execute("SELECT count(*) FROM claims")).fetchone()) != (0,)


async def test_client_leaving_mid_result_cancels_upstream(wire: Wire, ehr_dsn: str) -> None:
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    client.send(codec.query(LONG))
    await asyncio.sleep(1.0)
    client.writer.transport.abort()  # the socket goes away without Terminate
    async with await psycopg.AsyncConnection.connect(ehr_dsn, autocommit=True) as direct:
        for _ in range(50):
            cur = await direct.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%generate_series%' "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if (await cur.fetchone()) == (0,):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the upstream query kept running")
    await asyncio.sleep(0.3)
    events = [r for r in wire.harness.gateway.audit_records() if r["event"] == "action.failed"]
    assert events and "disconnected" in str(events[-1]["result"])


async def test_a_statement_ahead_of_one_waiting_for_approval_is_not_held(slow_wire: Wire) -> None:
    """Two Queries in one packet: the first runs and answers while the second waits."""
    client = await RawClient.connect(slow_wire.port)
    await client.login("dana", slow_wire.harness.tokens["dana"])
    client.send(codec.query("SELECT count(*) FROM claims") + codec.query(UPDATE))
    first = await client.until(b"Z", limit_s=4.0)  # well before the 8 s approval wait ends
    kinds = [m.type for m in first]
    assert kinds[-2:] == [b"C", b"Z"] and b"D" in kinds
    if b"N" not in kinds:  # the notice may come before or after the first result
        first += await client.until(b"N", limit_s=4.0)
    assert any(b"needs approval" in m.body for m in first if m.type == b"N")
    assert not await asyncio.to_thread(slow_wire.harness.gateway.list_approvals, state="approved")
    await _approve_when_asked(slow_wire)
    second = await client.until(b"Z")
    assert b"UPDATE 1" in b"".join(m.body for m in second if m.type == b"C")
    client.close()
