"""COPY … FROM STDIN on a read-only wire session: approved on its statement, then the
client's data streams to the writer. Attacks first: over the cap, CopyFail, a client
that leaves mid-COPY, a writer error, an open transaction, COPY hidden in a batch."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from phigate.reviewing.view import approval_json
from tests.pgwire.conftest import Wire, start_wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.pgwire.test_wire_writes import approve_all, pending
from tests.support.state import token_store

COLUMNS = "id, patient_id, payer, member_id, amount, cpt_code, icd10_code, status, service_date"
COPY_TEXT = f"COPY claims ({COLUMNS}) FROM STDIN"
COPY_CSV = f"COPY claims ({COLUMNS}) FROM STDIN WITH (FORMAT csv)"
CAP = 4096


def line(claim: int, sep: str = "\t") -> bytes:
    values = [str(claim), "1", "Aetna", f"M{claim}", "10.00", "99213", "I10", "new", "2024-01-02"]
    return (sep.join(values) + "\n").encode()


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    harness, listener = await start_wire(
        tmp_path, ehr_dsn, approval_wait_seconds=0.3, max_copy_in_bytes=CAP
    )
    try:
        yield Wire(harness, listener)
    finally:
        await listener.close()
        await harness.gateway.close()
        with psycopg.connect(ehr_dsn, autocommit=True) as direct:
            direct.execute("DELETE FROM claims WHERE id >= 950000")


def loaded(dsn: str) -> int:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT count(*) FROM claims WHERE id >= 950000").fetchone()
    assert row is not None
    return int(row[0])


async def ended(wire: Wire, event: str) -> list[dict[str, Any]]:
    """The results of `event` records (written beside the session), waited for."""
    for _ in range(200):
        found = [r["result"] for r in wire.harness.gateway.audit_records() if r["event"] == event]
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {event} record")


async def ask_and_approve(conn: psycopg.AsyncConnection[Any], wire: Wire, text: str) -> None:
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="approval"):
        async with conn.cursor().copy(text) as copy:
            await copy.write(line(950999))
    bound = await approve_all(wire, voter="alice")
    assert bound == [{"sql": text, "params": []}]


@pytest.mark.parametrize(("text", "sep"), [(COPY_TEXT, "\t"), (COPY_CSV, ",")])
async def test_an_approved_copy_streams_to_the_writer(
    wire: Wire, ehr_dsn: str, text: str, sep: str
) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        await ask_and_approve(conn, wire, text)
        cur = conn.cursor()
        async with cur.copy(text) as copy:
            for claim in range(950000, 950010):
                await copy.write(line(claim, sep))
        assert cur.rowcount == 10
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    assert loaded(ehr_dsn) == 10
    executed = await ended(wire, "action.executed")
    assert {"rows": 10, "status": "COPY 10"}.items() <= executed[0].items()


async def test_reviewers_are_told_the_rows_come_after_approval(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            async with conn.cursor().copy(COPY_TEXT) as copy:
                await copy.write(line(950000))
    gateway = wire.harness.gateway
    view = approval_json(gateway, pending(wire)[0], contents=True)
    warnings = view["action"]["review"]["warnings"]
    assert any("client sends after approval" in w for w in warnings), warnings


async def test_the_approval_runs_once(wire: Wire, ehr_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        await ask_and_approve(conn, wire, COPY_TEXT)
        async with conn.cursor().copy(COPY_TEXT) as copy:
            await copy.write(line(950000))
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            async with conn.cursor().copy(COPY_TEXT) as copy:
                await copy.write(line(950001))
    assert loaded(ehr_dsn) == 1
    assert len(pending(wire)) == 1


async def test_data_over_the_cap_aborts_the_copy(wire: Wire, ehr_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        await ask_and_approve(conn, wire, COPY_TEXT)
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="max_copy_in_bytes"):
            async with conn.cursor().copy(COPY_TEXT) as copy:
                for claim in range(950000, 950000 + 2 * CAP // len(line(0))):
                    await copy.write(line(claim))
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    assert loaded(ehr_dsn) == 0
    failed = await ended(wire, "action.failed")
    assert failed[0]["error_class"] == "copy_in_too_large"


async def test_copy_fail_rolls_back(wire: Wire, ehr_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        await ask_and_approve(conn, wire, COPY_TEXT)
        with pytest.raises(RuntimeError, match="changed my mind"):  # psycopg sends CopyFail
            async with conn.cursor().copy(COPY_TEXT) as copy:
                await copy.write(line(950000))
                raise RuntimeError("changed my mind")
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    assert loaded(ehr_dsn) == 0
    failed = await ended(wire, "action.failed")
    assert failed[0]["error_class"] == "copy_failed_by_client"


async def test_copy_fail_answers_as_the_server_would(wire: Wire, ehr_dsn: str) -> None:
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    try:
        client.send(codec.query(COPY_TEXT))
        await client.until(b"Z")
        await approve_all(wire)
        client.send(codec.query(COPY_TEXT))
        await client.until(b"G")
        client.send(codec.message(b"d", line(950000)) + codec.message(b"f", codec.cstr("stop")))
        client.send(codec.message(b"d", line(950001)) + codec.message(b"c"))  # ignored now
        answers = await client.until(b"Z")
        assert error_fields(answers)["C"] == "57014"
        assert "stop" in error_fields(answers)["M"]
        client.send(codec.query("SELECT 1"))
        assert [m.type for m in await client.until(b"Z")] == [b"T", b"D", b"C", b"Z"]
    finally:
        client.close()
    assert loaded(ehr_dsn) == 0


async def test_a_cancel_request_stops_the_copy(wire: Wire, ehr_dsn: str) -> None:
    client = await RawClient.connect(wire.port)
    try:
        hello = await client.login("dana", wire.harness.tokens["dana"])
        [key] = [m for m in hello if m.type == b"K"]
        client.send(codec.query(COPY_TEXT))
        await client.until(b"Z")
        await approve_all(wire)
        client.send(codec.query(COPY_TEXT))
        await client.until(b"G")
        client.send(codec.message(b"d", line(950000)))
        await client.writer.drain()
        canceler = await RawClient.connect(wire.port)
        canceler.send(codec.cancel_request(*struct.unpack("!ii", key.body)))
        assert await canceler.closed()
        canceler.close()
        client.send(codec.message(b"d", line(950001)) + codec.message(b"c"))
        answers = await client.until(b"Z")
        assert error_fields(answers)["C"] == "57014"
    finally:
        client.close()
    failed = await ended(wire, "action.failed")
    assert failed[0]["error_class"] == "copy_canceled"
    assert loaded(ehr_dsn) == 0


async def test_a_writer_error_reaches_the_client(wire: Wire, ehr_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        await ask_and_approve(conn, wire, COPY_TEXT)
        with pytest.raises(psycopg.errors.UniqueViolation):
            async with conn.cursor().copy(COPY_TEXT) as copy:
                await copy.write(line(950000) + line(950000))
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    assert loaded(ehr_dsn) == 0


async def test_a_client_leaving_mid_copy_rolls_it_back(wire: Wire, ehr_dsn: str) -> None:
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    client.send(codec.query(COPY_TEXT))
    assert error_fields(await client.until(b"Z"))["C"] == "55000"
    await approve_all(wire)
    client.send(codec.query(COPY_TEXT))
    assert (await client.until(b"G"))[-1].type == b"G"
    client.send(codec.message(b"d", line(950000)))
    await client.writer.drain()
    client.close()
    failed = await ended(wire, "action.failed")
    assert failed[0]["error_class"] == "client_disconnected"
    assert loaded(ehr_dsn) == 0


async def test_refused_before_approval(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana")) as conn:
        with pytest.raises(psycopg.errors.ActiveSqlTransaction):  # psycopg opened one
            async with conn.cursor().copy(COPY_TEXT) as copy:
                await copy.write(line(950000))
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    try:
        client.send(codec.query(COPY_TEXT + "; SELECT 1"))
        assert error_fields(await client.until(b"Z"))["C"] == "0A000"
    finally:
        client.close()
    assert not pending(wire)


async def test_revoking_the_token_mid_copy_ends_the_session_and_rolls_back(
    tmp_path: Path, ehr_dsn: str
) -> None:
    harness, listener = await start_wire(tmp_path, ehr_dsn, revocation_check_seconds=0.2)
    wire = Wire(harness, listener)
    client = await RawClient.connect(wire.port)
    try:
        await client.login("dana", harness.tokens["dana"])
        client.send(codec.query(COPY_TEXT))
        await client.until(b"Z")
        await approve_all(wire)
        client.send(codec.query(COPY_TEXT))
        await client.until(b"G")
        client.send(codec.message(b"d", line(950000)))
        for info in token_store(harness.gateway).list(subject="dana"):
            token_store(harness.gateway).revoke(info.id)
        answers = await client.until(b"E", limit_s=20)
        assert error_fields(answers)["C"] == "57P01"
        assert await client.closed()
        failed = await ended(wire, "action.failed")
        assert failed[0]["error_class"] == "client_disconnected"
    finally:
        client.close()
        await listener.close()
        await harness.gateway.close()
    assert loaded(ehr_dsn) == 0
