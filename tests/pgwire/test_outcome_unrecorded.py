"""On the wire, an approved write whose outcome cannot be recorded is answered
SQLSTATE 08007 (transaction_resolution_unknown) saying it ran, never as "not run" nor
as a plain failure: a client that took it for one would send the write again."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import psycopg
import pytest

from tests.pgwire.conftest import Wire, serving
from tests.pgwire.test_wire_writes import SET_STATUS, set_status, status_of
from tests.support.approvals import approve_all
from tests.test_outcome_unrecorded import refuse_outcome_records


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    async with serving(tmp_path, ehr_dsn, approval_wait_seconds=0.3) as served:
        yield served


async def test_an_unrecorded_write_on_the_wire_is_08007_saying_it_ran(
    wire: Wire, ehr_dsn: str, tmp_path: Path
) -> None:
    set_status(ehr_dsn, 17, "new")
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            await conn.execute(SET_STATUS, ("paid", 17))
        await approve_all(wire)
        refuse_outcome_records(tmp_path / "state.db")
        with pytest.raises(psycopg.Error) as raised:
            await conn.execute(SET_STATUS, ("paid", 17))
    assert raised.value.sqlstate == "08007", raised.value
    assert "the action ran" in str(raised.value) and "not run" not in str(raised.value)
    assert status_of(ehr_dsn, 17) == "paid"


async def _until(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


def _status(wire: Wire, sql: str) -> str | None:
    found = [r for r in wire.harness.gateway.recent_actions() if r.action.sql == sql]
    return str(found[0].status) if found else None


async def test_a_read_answered_before_its_outcome_failed_to_record_stops_no_later_record(
    wire: Wire, tmp_path: Path
) -> None:
    """Reads on the wire are answered first and recorded beside the session: one whose
    outcome cannot be recorded ends `interrupted` (saying so), and the session's later
    statements are still recorded once the store takes records again."""
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        refuse_outcome_records(tmp_path / "state.db")
        first = "SELECT 41 AS unrecorded"
        assert await (await conn.execute(first)).fetchone() == (41,)
        await _until(lambda: _status(wire, first) == "interrupted", "the first to end")
        state = sqlite3.connect(tmp_path / "state.db")
        state.execute("DROP TRIGGER disk_full")
        state.commit()
        state.close()
        second = "SELECT 42 AS recorded"
        assert await (await conn.execute(second)).fetchone() == (42,)
        await _until(lambda: _status(wire, second) == "executed", "the second to be recorded")


@pytest.mark.parametrize("simple", [True, False], ids=["simple", "extended"])
async def test_a_write_in_the_clients_own_session_waits_for_its_record(
    tmp_path: Path, ehr_dsn: str, simple: bool
) -> None:
    """Round 25a finding 1: without `read_dsn` the approved write runs in the client's
    own session. Its `CommandComplete` waits for its outcome record; unrecorded, the
    client hears FATAL 08007 saying it ran (never `UPDATE 1`), the action is marked
    `interrupted` once with its own audit record, and the session ends."""
    claim = 18 if simple else 19
    set_status(ehr_dsn, claim, "new")
    async with serving(tmp_path, ehr_dsn, reader=False, approval_wait_seconds=0.3) as wire:
        conn = await psycopg.AsyncConnection.connect(wire.dsn("claims-bot"), autocommit=True)
        cursor = psycopg.AsyncClientCursor(conn) if simple else conn.cursor()
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            await cursor.execute(SET_STATUS, ("paid", claim))
        await approve_all(wire)
        refuse_outcome_records(tmp_path / "state.db")
        with pytest.raises(psycopg.Error) as raised:
            await cursor.execute(SET_STATUS, ("paid", claim))
        assert conn.closed or conn.broken
        await conn.close()
        records = wire.harness.gateway.audit_records(since=0, limit=100_000)
    assert raised.value.sqlstate == "08007", raised.value
    assert "ran upstream" in str(raised.value) and "interrupted" in str(raised.value)
    assert status_of(ehr_dsn, claim) == "paid"
    events = [r["event"] for r in records]
    assert events.count("action.interrupted") == 1, events[-6:]
    assert "action.executed" not in events
