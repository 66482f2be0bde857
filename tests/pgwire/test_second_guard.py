"""The database is the second guard, on the wire (issue 14, items 7 and 10).

Wire sessions log in as the reader role: whatever a client sends, PostgreSQL
itself refuses writes, temporary tables and role switches. What policy and
approval admitted as a write runs on the writer, in its own transaction. And
one principal (or all of them) cannot use up the upstream's connection slots.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pgsql

from phigate.core.errors import UpstreamError
from phigate.doors.pgwire import PgWireSettings
from tests.conftest import reader_dsn_for
from tests.pgwire.conftest import Wire, start_wire
from tests.pgwire.test_statements import _approve_when_asked, slow_wire  # noqa: F401
from tests.test_second_guard import PLANTS


def _role(dsn: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(dsn)["user"])


async def _claims(wire: Wire, subject: str) -> tuple[int, str]:
    async with await psycopg.AsyncConnection.connect(wire.dsn(subject), autocommit=True) as conn:
        cur = await conn.execute("SELECT count(*), min(cpt_code) FROM claims")
        row = await cur.fetchone()
    assert row is not None
    return row[0], row[1]


async def test_a_wire_session_runs_as_the_reader(wire: Wire, ehr_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        row = await (await conn.execute("SELECT current_user")).fetchone()
    assert row == (_role(reader_dsn_for(ehr_dsn)),)


@pytest.mark.parametrize("plant", PLANTS)
async def test_a_read_cannot_plant_a_temp_table_on_the_wire(wire: Wire, plant: str) -> None:
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.Error):
            await conn.execute(plant)
        row = await (await conn.execute("SELECT count(*), min(cpt_code) FROM claims")).fetchone()
        assert row is not None and row[0] == 200 and row[1].isdigit()
    for subject in ("dana", "alice"):
        count, cpt = await _claims(wire, subject)
        assert count == 200 and cpt.isdigit()


async def test_a_client_cannot_switch_to_the_writer(wire: Wire, ehr_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute(pgsql.SQL("SET ROLE {}").format(pgsql.Identifier(_role(ehr_dsn))))


async def test_an_approved_write_runs_on_the_writer_and_answers_in_order(
    slow_wire: Wire,  # noqa: F811
) -> None:
    async with await psycopg.AsyncConnection.connect(
        slow_wire.dsn("dana"), autocommit=True
    ) as conn:
        voter = asyncio.create_task(_approve_when_asked(slow_wire), name="voter")
        cur = await conn.execute(
            "UPDATE claims SET status = 'denied' WHERE id = 5 RETURNING id, status"
        )
        await voter
        assert cur.statusmessage == "UPDATE 1"
        assert await cur.fetchall() == [("5", "denied")]  # rendered as text
        row = await (await conn.execute("SELECT status FROM claims WHERE id = 5")).fetchone()
        assert row == ("denied",)  # the reader sees the writer's committed change
        assert (await (await conn.execute("SELECT 1")).fetchone()) == (1,)


async def test_a_write_inside_a_transaction_is_refused_before_approval(
    slow_wire: Wire,  # noqa: F811
) -> None:
    """It would run in a transaction of its own and not roll back with the client's:
    refused before a reviewer is asked, and the client's transaction is aborted, as
    after any error."""
    async with await psycopg.AsyncConnection.connect(
        slow_wire.dsn("dana"), autocommit=True
    ) as conn:
        query = "SELECT status FROM claims WHERE id = 6"
        before = await (await conn.execute(query)).fetchone()
        with pytest.raises(psycopg.errors.ActiveSqlTransaction, match="COMMIT or ROLLBACK"):
            async with conn.transaction():
                try:
                    await conn.execute("UPDATE claims SET status = 'other' WHERE id = 6")
                finally:
                    status = conn.info.transaction_status
                    assert status == psycopg.pq.TransactionStatus.INERROR
        assert await (await conn.execute(query)).fetchone() == before  # it did not run
    assert not slow_wire.harness.gateway.list_approvals(state="pending")


@pytest.fixture
async def capped_wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    harness, listener = await start_wire(
        tmp_path, ehr_dsn, max_sessions=3, max_sessions_per_principal=2
    )
    try:
        yield Wire(harness, listener)
    finally:
        await listener.close()
        await harness.gateway.close()


async def test_wire_sessions_are_capped_per_principal_and_in_all(capped_wire: Wire) -> None:
    async def connect(subject: str) -> psycopg.AsyncConnection[object]:
        return await psycopg.AsyncConnection.connect(capped_wire.dsn(subject), autocommit=True)

    bots = [await connect("claims-bot"), await connect("claims-bot")]
    with pytest.raises(psycopg.OperationalError, match="too many wire sessions for 'claims-bot'"):
        await connect("claims-bot")
    dana = await connect("dana")  # another principal still gets in
    with pytest.raises(psycopg.OperationalError, match="too many wire sessions on 'ehr'"):
        await connect("alice")
    await bots.pop().close()
    for _ in range(40):  # the gateway notices the session end right after the client
        try:
            bots.append(await connect("claims-bot"))
            break
        except psycopg.OperationalError:
            await asyncio.sleep(0.05)
    assert len(bots) == 2
    for conn in (*bots, dana):
        await conn.close()


def test_wire_caps_are_checked() -> None:
    with pytest.raises(ValueError, match="is more than max_sessions"):
        PgWireSettings(max_sessions=2, max_sessions_per_principal=3)


async def test_a_listener_whose_reader_can_write_does_not_start(
    tmp_path: Path, ehr_dsn: str
) -> None:
    with pytest.raises(UpstreamError, match=r"not read-only: it .*may change a table"):
        await start_wire(tmp_path, ehr_dsn, reader_dsn=ehr_dsn)


async def test_an_extended_protocol_write_asks_for_approval(wire: Wire) -> None:
    """Parse/Bind/Execute with values: decided on the text and the values (the writer
    runs it once approved, tests/pgwire/test_wire_writes.py); until then nothing runs."""
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="approval"):
            await conn.execute("UPDATE claims SET status = %s WHERE id = 7", ("paid",))
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    assert len(wire.harness.gateway.list_approvals(state="pending")) == 1


HOSTILE = [
    "SET ROLE {writer}",
    "SELECT set_config('role', '{writer}', false)",
    "SET SESSION AUTHORIZATION {writer}",
    "BEGIN READ WRITE; INSERT INTO claims SELECT id + 300000, patient_id, payer, member_id, "
    "amount, cpt_code, icd10_code, status, service_date FROM claims LIMIT 1; COMMIT",
    "DO $$ BEGIN INSERT INTO encounters SELECT id + 300000, patient_id, encounter_date, "
    "provider, department, reason, diagnosis_code FROM encounters LIMIT 1; END $$",
    "CREATE TEMP TABLE planted AS SELECT 1 AS a",
    "SELECT lo_create(0)",
]


@pytest.mark.parametrize("attempt", HOSTILE)
async def test_hostile_statements_leave_no_trace(wire: Wire, ehr_dsn: str, attempt: str) -> None:
    """Whatever the classifier makes of them, nothing is written and nobody changes role."""
    with psycopg.connect(ehr_dsn) as direct:
        before = direct.execute(_COUNTS).fetchone()
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.Error):
            await conn.execute(attempt.format(writer=_role(ehr_dsn)))
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            await conn.execute("ROLLBACK")
        who = await (await conn.execute("SELECT current_user")).fetchone()
        assert who == (_role(reader_dsn_for(ehr_dsn)),)
    with psycopg.connect(ehr_dsn) as direct:
        assert direct.execute(_COUNTS).fetchone() == before


_COUNTS = (
    "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM encounters), "
    "(SELECT count(*) FROM pg_largeobject_metadata)"
)
