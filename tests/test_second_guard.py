"""The database is the second guard (issue 14, item 7 and the caps of item 10).

Reads run as a role that can only SELECT, so a statement the classifier gets
wrong fails in PostgreSQL; pooled connections are reset between uses; one
principal cannot hold every upstream connection. Through REST and against the
real upstream roles the fixtures create (tests/conftest.py `ehr_dsn`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pgsql

from phigate.config import PostgresConnection, SecretRef, Settings
from phigate.connectors._pg_pool import UpstreamPool
from phigate.connectors.postgres import PostgresConnector
from phigate.core.actions import Action, Description
from phigate.core.errors import UpstreamBusyError, UpstreamError
from phigate.core.risk import RiskClass
from phigate.ops.pgserver import EmbeddedPostgres
from tests.conftest import Harness, demo_config, make_harness, reader_dsn_for

CLAIMS = 200  # one per patient in the fixture's EHR
PLANTS = [
    "EXPLAIN ANALYZE CREATE TEMP TABLE claims AS SELECT id, id AS patient_id, 'x' AS payer, "
    "ssn AS member_id, 1 AS amount, ssn AS cpt_code, 'I10' AS icd10_code, 'paid' AS status, "
    "dob AS service_date FROM patients",
    "CREATE TEMP TABLE claims AS SELECT id, ssn AS cpt_code FROM patients",
    "SELECT id, ssn AS cpt_code INTO TEMP claims FROM patients",
]


def _role(dsn: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(dsn)["user"])


@pytest.mark.parametrize("plant", PLANTS)
async def test_a_read_cannot_plant_a_temp_table_others_then_read(
    harness: Harness, plant: str
) -> None:
    planted = await harness.submit("claims-bot", plant)
    assert planted.json()["status"] != "executed", planted.text
    for subject in ("dana", "alice", "claims-bot"):
        got = await harness.submit(subject, "SELECT count(*), min(cpt_code) FROM claims")
        assert got.status_code == 200, got.text
        count, cpt = got.json()["result"]["rows"][0]
        assert count == CLAIMS and cpt.isdigit(), (subject, got.text)  # the real table


async def test_the_plant_fails_in_postgresql_when_the_classifier_calls_it_a_read(
    harness: Harness,
) -> None:
    """A classifier miss, simulated at the connector seam: the reader refuses it."""
    connector = harness.gateway.connector("ehr")
    assert isinstance(connector, PostgresConnector)
    for plant, risk in ((PLANTS[0], RiskClass.READ), (PLANTS[1], RiskClass.EXPORT)):
        with pytest.raises(UpstreamError, match=r"upstream error (25006|42501)"):
            await _run_as(harness, connector, plant, risk)


WRITES = [
    "INSERT INTO claims SELECT id + 100000, patient_id, payer, member_id, amount, "
    "cpt_code, icd10_code, status, service_date FROM claims LIMIT 1",
    "UPDATE claims SET status = 'paid'",
    "DELETE FROM encounters",
    "CREATE TEMP TABLE planted (a int)",
    "CREATE TABLE public.planted (a int)",
    "CREATE SCHEMA planted",
    "SELECT phigate_test_write()",
    "SELECT lo_create(0)",
    "SELECT lo_from_bytea(0, 'planted')",
]


@pytest.mark.parametrize("statement", WRITES)
async def test_a_misclassified_write_fails_in_postgresql(
    harness: Harness, pg_server: EmbeddedPostgres, ehr_dsn: str, statement: str
) -> None:
    """Through the connector, as a read: refused (read-only transaction, and the role)."""
    await asyncio.to_thread(_create_writing_function, pg_server, ehr_dsn)
    connector = harness.gateway.connector("ehr")
    assert isinstance(connector, PostgresConnector)
    with pytest.raises(UpstreamError, match=r"upstream error (25006|42501)"):
        await _run_as(harness, connector, statement, RiskClass.READ)


@pytest.mark.parametrize("statement", WRITES)
def test_the_reader_role_cannot_write_even_with_read_only_off(
    pg_server: EmbeddedPostgres, ehr_dsn: str, statement: str
) -> None:
    """A wire client can turn read-only transactions off; the role still has no right to
    write or create anything: PostgreSQL answers 42501 whatever the classifier said."""
    _create_writing_function(pg_server, ehr_dsn)
    with psycopg.connect(reader_dsn_for(ehr_dsn), autocommit=True) as conn:
        conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_the_reader_cannot_become_anyone_else(ehr_dsn: str) -> None:
    reader = reader_dsn_for(ehr_dsn)
    assert reader != ehr_dsn
    with psycopg.connect(reader, autocommit=True) as conn:
        conn.execute("SET default_transaction_read_only = off")
        for role in (_role(ehr_dsn), "postgres", "pg_write_server_files"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(pgsql.SQL("SET ROLE {}").format(pgsql.Identifier(role)))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT set_config('role', %s, false)", (_role(ehr_dsn),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET SESSION AUTHORIZATION postgres")
        member_of = conn.execute(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
            "WHERE r.rolname = current_user"
        ).fetchone()
        assert member_of == (0,)


async def test_reads_run_as_the_reader_and_approved_writes_as_the_writer(
    harness: Harness, ehr_dsn: str
) -> None:
    got = await harness.submit("dana", "SELECT current_user")
    assert got.status_code == 200, got.text
    assert got.json()["result"]["rows"] == [[_role(reader_dsn_for(ehr_dsn))]]
    asked = await harness.submit("dana", "UPDATE claims SET status = 'paid' WHERE id = 3")
    approval = asked.json()["approval"]["id"]
    voted = await harness.client.post(
        f"/v1/approvals/{approval}/approve", headers=harness.auth("alice"), json={}
    )
    assert voted.status_code == 200, voted.text
    ran = await harness.client.post(
        f"/v1/actions/{asked.json()['id']}/run", headers=harness.auth("dana")
    )
    assert ran.status_code == 200 and ran.json()["result"]["status"] == "UPDATE 1", ran.text


async def test_a_pooled_connection_is_reset_before_its_next_use(
    pg_server: EmbeddedPostgres,
) -> None:
    """What one use leaves on a connection (temp table, prepared statement, setting,
    role) is gone at the next: DISCARD ALL when it goes back to the pool."""
    pool = UpstreamPool("reset", SecretRef(ref=pg_server.dsn()), max_size=1)
    try:
        async with pool.connection() as conn:
            pid = conn.info.backend_pid
            await conn.execute("CREATE TEMP TABLE claims (fake text)")
            await conn.execute("PREPARE p AS SELECT 1")
            await conn.execute("SET search_path = pg_temp, public")
            await conn.execute("SET SESSION ROLE pg_monitor")
            await conn.commit()
        async with pool.connection() as conn:
            assert conn.info.backend_pid == pid  # the same connection, reset
            row = await (
                await conn.execute(
                    "SELECT to_regclass('pg_temp.claims'), current_setting('search_path'), "
                    "current_user = session_user, (SELECT count(*) FROM pg_prepared_statements)"
                )
            ).fetchone()
            assert row == (None, '"$user", public', True, 0)
    finally:
        await pool.close()


async def test_a_full_pool_answers_busy(pg_server: EmbeddedPostgres) -> None:
    pool = UpstreamPool("busy", SecretRef(ref=pg_server.dsn()), max_size=1, timeout=0.3)
    try:
        async with pool.connection():
            with pytest.raises(UpstreamBusyError, match="in use") as caught:
                async with pool.connection():
                    pass
        assert caught.value.http_status == 503
    finally:
        await pool.close()


async def test_a_pool_that_cannot_connect_says_so_not_busy() -> None:
    """Nothing listens on port 1: the pool's background connects fail and it times
    out, which must read as "cannot connect" (502), not as a full pool."""
    dsn = "host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2"
    pool = UpstreamPool("down", SecretRef(ref=dsn), max_size=1, timeout=0.5)
    try:
        with pytest.raises(UpstreamError, match="cannot connect") as caught:
            async with pool.connection():
                pass
        assert not isinstance(caught.value, UpstreamBusyError)
        assert caught.value.http_status == 502
    finally:
        await pool.close()


async def test_one_principal_cannot_hold_every_upstream_connection(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Past its share a principal gets 429 at once; another principal still gets through."""
    h = await make_harness(_with_connection(demo_config(tmp_path, ehr_dsn), per_principal=1))
    slow = "SELECT count(*) FROM generate_series(1, 20000000)"
    try:
        first = asyncio.create_task(h.submit("claims-bot", slow), name="first")
        await asyncio.sleep(0.5)
        second = await h.submit("claims-bot", "SELECT 1")
        other = await h.submit("dana", "SELECT 1")
        assert second.status_code == 429, second.text
        assert "too_many_connections" in second.text and "claims-bot" in second.text
        assert other.status_code == 200, other.text
        assert (await first).status_code == 200
        assert (await h.submit("claims-bot", "SELECT 1")).status_code == 200  # released
    finally:
        await h.client.aclose()
        await h.gateway.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"read_dsn": "file:/same"}, "read_dsn must log in as a read-only role"),
        ({"pool_size": 2, "max_connections_per_principal": 3}, "is more than pool_size"),
    ],
)
def test_connection_settings_are_checked(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PostgresConnection.model_validate({"type": "postgres", "dsn": "file:/same", **change})


# -- helpers


async def _run_as(
    harness: Harness, connector: PostgresConnector, sql: str, risk: RiskClass
) -> None:
    principal = await harness.gateway.authenticate(harness.tokens["claims-bot"])
    action = Action("ehr", "sql", {"sql": sql, "params": []}, principal, "test")
    masker = harness.gateway.masking.masker("hipaa-safe-harbor", groups=principal.groups)
    await connector.run(action, Description(risk), masker)


def _create_writing_function(pg_server: EmbeddedPostgres, ehr_dsn: str) -> None:
    """A function that writes, callable by anyone: what a classifier allow-list could miss."""
    database = str(psycopg.conninfo.conninfo_to_dict(ehr_dsn)["dbname"])
    with psycopg.connect(pg_server.dsn(database), autocommit=True) as conn:
        conn.execute(
            "CREATE OR REPLACE FUNCTION public.phigate_test_write() RETURNS int "
            "LANGUAGE sql AS $$ INSERT INTO claims SELECT id + 200000, patient_id, payer, "
            "member_id, amount, cpt_code, icd10_code, status, service_date FROM claims "
            "LIMIT 1 RETURNING 1 $$"
        )


def _with_connection(settings: Settings, *, per_principal: int) -> Settings:
    ehr = settings.connections["ehr"]
    updated = ehr.model_copy(update={"max_connections_per_principal": per_principal})
    return settings.model_copy(update={"connections": {**settings.connections, "ehr": updated}})


async def test_a_read_dsn_that_can_write_is_refused(tmp_path: Path, ehr_dsn: str) -> None:
    """Fail closed: reads are refused, with the reason, rather than run as a writer."""
    settings = demo_config(tmp_path, ehr_dsn)
    writer = SecretRef(ref=ehr_dsn + "?connect_timeout=9")  # the writer under another name
    ehr = settings.connections["ehr"].model_copy(update={"read_dsn": writer})
    h = await make_harness(
        settings.model_copy(update={"connections": {**settings.connections, "ehr": ehr}})
    )
    try:
        got = await h.submit("dana", "SELECT count(*) FROM claims")
        assert got.status_code == 502, got.text
        assert "not read-only" in got.text and "may change a table" in got.text
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_each_action_opens_its_transaction_with_its_guards(
    harness: Harness, ehr_dsn: str
) -> None:
    """BEGIN, statement_timeout and READ ONLY go in one message: a read on the writer's
    own role (no read_dsn) is still read-only and bounded; the same pooled connection
    then runs a write as a write, and goes back to the pool as it came."""
    settings = PostgresConnection(
        type="postgres",
        dsn=SecretRef(ref=ehr_dsn),
        statement_timeout_ms=300,
        pool_size=1,
        max_connections_per_principal=1,
    )
    connector = PostgresConnector("solo", settings)
    try:
        with pytest.raises(UpstreamError, match=r"upstream error 25006"):
            await _run_as(harness, connector, "CREATE TEMP TABLE planted (a int)", RiskClass.READ)
        with pytest.raises(UpstreamError, match=r"upstream error 57014"):  # query_canceled
            await _run_as(harness, connector, "SELECT pg_sleep(5)", RiskClass.READ)
        await _run_as(harness, connector, "UPDATE claims SET status = status", RiskClass.WRITE)
        async with connector.pool.connection() as conn:
            assert not conn.autocommit
            timeout = await (await conn.execute("SHOW statement_timeout")).fetchone()
            assert timeout != ("300ms",)  # SET LOCAL: the action's transaction only
    finally:
        await connector.close()


async def test_the_first_use_after_an_upstream_restart_does_not_wait_out_a_backoff(
    pg_server: EmbeddedPostgres,
) -> None:
    """A restart leaves every idle pooled connection dead. psycopg_pool's own check
    sleeps its reconnect back-off (1 s, then 2 s) after each dead one; the pool's
    own check is replaced so the first action after a restart reconnects at once."""
    pool = UpstreamPool("restart", SecretRef(ref=pg_server.dsn()), max_size=3)
    try:
        async with pool.connection() as a, pool.connection() as b:
            pids = [a.info.backend_pid, b.info.backend_pid]
        async with await psycopg.AsyncConnection.connect(
            pg_server.dsn(), autocommit=True
        ) as admin:  # what a restart does to the pool's connections
            # With a timeout the call returns once the backend has exited, not when
            # the signal is sent: the pool's next use cannot reach a dying backend.
            await admin.execute(
                "SELECT pg_terminate_backend(pid, 10000) FROM unnest(%s::int[]) pid", [pids]
            )
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with pool.connection() as conn:
            row = await (await conn.execute("SELECT pg_backend_pid()")).fetchone()
        elapsed = loop.time() - started
        assert row is not None and row[0] not in pids
        assert elapsed < 0.8, f"the first use after a restart took {elapsed:.2f} s"
    finally:
        await pool.close()


async def test_the_opening_stands_in_for_the_check_and_is_retried_on_a_dead_connection(
    pg_server: EmbeddedPostgres,
) -> None:
    """The connector's BEGIN is sent in place of the liveness check: on a live
    connection it is the only statement before the body (the transaction is open and
    read-only when the body starts); after a restart it is retried on a new
    connection at once; its own error on a live connection is the caller's, raised as
    it is, not "cannot connect"."""
    pool = UpstreamPool("opening", SecretRef(ref=pg_server.dsn()), max_size=3)
    opened: list[int] = []

    async def opening(conn: psycopg.AsyncConnection[object]) -> None:
        opened.append(conn.info.backend_pid)
        await conn.set_autocommit(True)
        await conn.execute("BEGIN READ ONLY")

    try:
        async with pool.connection(opening) as a, pool.connection(opening) as b:
            row = await (await a.execute("SHOW transaction_read_only")).fetchone()
            pids = [a.info.backend_pid, b.info.backend_pid]
        assert row == ("on",) and opened == pids
        async with await psycopg.AsyncConnection.connect(
            pg_server.dsn(), autocommit=True
        ) as admin:  # every idle pooled connection is now dead
            # With a timeout the call returns once the backend has exited, not when
            # the signal is sent: the pool's next use cannot reach a dying backend.
            await admin.execute(
                "SELECT pg_terminate_backend(pid, 10000) FROM unnest(%s::int[]) pid", [pids]
            )
        del opened[:]
        async with pool.connection(opening) as conn:
            row = await (await conn.execute("SELECT pg_backend_pid()")).fetchone()
        assert row is not None and row[0] not in pids and opened[-1] == row[0]
        assert opened[0] in pids  # tried on a dead one first, then on a new one

        async def refused(conn: psycopg.AsyncConnection[object]) -> None:
            await conn.set_autocommit(True)
            await conn.execute("BEGIN; SET LOCAL no_such_setting_at_all = 1")

        with pytest.raises(psycopg.errors.UndefinedObject):
            async with pool.connection(refused):
                pytest.fail("the body ran after its opening failed")
    finally:
        await pool.close()


async def test_a_read_answers_before_its_transaction_ends_and_leaves_nothing_behind(
    harness: Harness, ehr_dsn: str
) -> None:
    """A read's READ ONLY transaction is rolled back behind its answer: with one pooled
    connection and one slot per principal, reads back to back still run (the next
    waits for the connection, never refused as busy), a write after them commits, and
    the connection comes back out of any transaction, reset, in autocommit off."""
    settings = PostgresConnection(
        type="postgres",
        dsn=SecretRef(ref=ehr_dsn),
        statement_timeout_ms=300,
        pool_size=1,
        max_connections_per_principal=1,
    )
    connector = PostgresConnector("solo", settings)
    try:
        for _ in range(3):
            await _run_as(harness, connector, "SELECT count(*) FROM claims", RiskClass.READ)
        await _run_as(
            harness, connector, "UPDATE claims SET status = status WHERE id = 1", RiskClass.WRITE
        )
        async with connector.pool.connection() as conn:
            assert not conn.autocommit
            timeout = await (await conn.execute("SHOW statement_timeout")).fetchone()
            assert timeout != ("300ms",)
            ro = await (await conn.execute("SHOW transaction_read_only")).fetchone()
            assert ro == ("off",)
    finally:
        await connector.close()
