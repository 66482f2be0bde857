"""Real clients through the wire front door: masked reads, denials, audit, prepared statements."""

from __future__ import annotations

import asyncio
import datetime
import subprocess
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
import pytest
import sqlalchemy as sa

from phigate.identity.principal import PrincipalKind
from phigate.ops.pgserver import bin_path
from tests.pgwire.conftest import Wire, start_wire
from tests.support.state import token_store

AGED_90_PLUS = f"{datetime.date.today().year - 90} or earlier"
SSN_ROWS = "SELECT id, first_name, ssn, dob FROM patients ORDER BY id LIMIT 3"


def _audit_events(wire: Wire) -> list[tuple[str, dict[str, Any]]]:
    return [(r["event"], r) for r in wire.harness.gateway.audit_records()]


async def _settled(wire: Wire) -> None:
    """Results are recorded beside the session; give the recorder a moment."""
    await asyncio.sleep(0.3)


async def test_psycopg_text_results_are_masked_and_retyped(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        cur = await conn.execute(SSN_ROWS)
        rows = await cur.fetchall()
        assert cur.description is not None
        types = [c.type_code for c in cur.description]
    assert [r[0] for r in rows] == [1, 2, 3]
    assert all(r[2] == "[SSN]" for r in rows)
    # dates generalise to a year, and years implying an age of 90+ to one category
    assert all(len(str(r[3])) == 4 or r[3] == AGED_90_PLUS for r in rows)
    assert types[0] == 23 and types[2] == 25 and types[3] == 25  # masked columns become text


async def test_psycopg_binary_params_and_results(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        cur = conn.cursor(binary=True)
        await cur.execute("SELECT id, ssn, mrn FROM patients WHERE id = %b", [7])
        rows = await cur.fetchall()
    assert rows == [(7, "[SSN]", rows[0][2])]
    assert "MRN" in rows[0][2] or rows[0][2] != ""


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
async def test_psycopg_server_side_cursors_stream_masked_rows(wire: Wire, binary: bool) -> None:
    """A named cursor: DECLARE, a protocol Describe of the cursor, then FETCHes."""
    async with (
        await psycopg.AsyncConnection.connect(wire.dsn("claims-bot")) as conn,
        conn.cursor(name="rows", binary=binary) as cur,
    ):
        await cur.execute("SELECT id, ssn, dob FROM patients ORDER BY id")
        assert cur.description is not None
        assert [(c.name, c.type_code) for c in cur.description] == [
            ("id", 23),
            ("ssn", 25),  # masked columns are announced as text, as their FETCH says
            ("dob", 25),
        ]
        first = await cur.fetchmany(2)
        await cur.scroll(3)
        later = await cur.fetchone()
        rest = [row async for row in cur]
    assert [r[0] for r in first] == [1, 2] and later is not None and later[0] == 6
    assert {r[1] for r in [*first, later, *rest]} == {"[SSN]"}
    assert len(rest) > 100


async def test_psycopg_pipeline_mode(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        async with conn.pipeline():
            cursors = [
                await conn.execute("SELECT id, ssn FROM patients WHERE id = %s", [i])
                for i in range(1, 6)
            ]
        results = [await c.fetchall() for c in cursors]
    assert [r[0][0] for r in results] == [1, 2, 3, 4, 5]
    assert {r[0][1] for r in results} == {"[SSN]"}


@pytest.mark.parametrize("execute", ["simple", "extended"])
async def test_a_syntax_error_names_the_parsers_message(wire: Wire, execute: str) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as caught:
            if execute == "simple":
                await conn.execute("SELEC * FROM patients", prepare=False)
            else:
                await conn.execute("SELEC * FROM patients WHERE id = %s", [1])
        assert "unknown-denied" in str(caught.value)
        assert 'syntax error at or near "SELEC", at index 0' in str(caught.value)
        cur = await conn.execute("SELECT 1")
        assert (await cur.fetchone()) == (1,)


async def test_denied_statement_names_rule_and_session_stays_usable(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            await conn.execute("DROP TABLE patients")
        assert "schema-privilege-admin-denied" in str(caught.value)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("SELECT pg_sleep(%s)", [0])  # extended protocol, denied at Parse
        cur = await conn.execute("SELECT count(*) FROM patients")
        assert (await cur.fetchone()) == (200,)


async def test_every_execution_is_audited_with_text_and_params(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        for i in (3, 4):
            await (await conn.execute("SELECT ssn FROM patients WHERE id = %s", [i])).fetchall()
    await _settled(wire)
    requested = [f for e, f in _audit_events(wire) if e in ("action.requested", "action.admitted")]
    bodies = [f["what"]["body"] for f in requested]
    # psycopg declares a small int's type (int2, OID 21): recorded with the value.
    read = "SELECT ssn FROM patients WHERE id = $1"
    assert {"sql": read, "params": [3], "param_types": [21]} in bodies
    assert {"sql": read, "params": [4], "param_types": [21]} in bodies
    assert all(f["where"]["front_door"] == "pgwire" for f in requested)
    executed = [f for e, f in _audit_events(wire) if e == "action.executed"]
    assert sum(1 for f in executed if f["result"].get("masked", {}).get("SSN") == 1) >= 2
    assert wire.harness.gateway.verify_audit().ok


async def test_asyncpg_prepared_statements_binary(wire: Wire) -> None:
    conn = await asyncpg.connect(wire.url("dana"))
    try:
        stmt = await conn.prepare("SELECT id, ssn, dob, city FROM patients WHERE id = $1")
        first = await stmt.fetchrow(1)
        second = await stmt.fetchrow(2)
        assert first is not None and second is not None
        assert first["id"] == 1 and first["ssn"] == "[SSN]" and second["id"] == 2
        assert isinstance(first["dob"], str)
        assert len(first["dob"]) == 4 or first["dob"] == AGED_90_PLUS
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DROP TABLE patients")
        assert await conn.fetchval("SELECT count(*) FROM encounters") > 0
    finally:
        await conn.close()


async def test_asyncpg_looks_up_the_types_it_decodes(wire: Wire) -> None:
    """asyncpg reads pg_type (a recursive catalog query) before decoding an array; the
    answer is catalog structure, so it passes unmasked and typed, and masked arrays
    still come back masked."""
    conn = await asyncpg.connect(wire.url("claims-bot"))
    try:
        ids = await conn.fetchval("SELECT array_agg(id ORDER BY id) FROM patients WHERE id < 4")
        assert ids == [1, 2, 3]
        # array_agg fails on arrays of unequal dimensions: a condition, held (round 15b)
        names = await conn.fetchval("SELECT ARRAY[last_name] FROM patients WHERE id = 1")
        assert names == "[PERSON]"
        assert await conn.fetchval("SELECT 1") == 1  # a health check: literals keep their type
    finally:
        await conn.close()
    lookups = [
        r
        for r in wire.harness.gateway.audit_records()
        if r["event"] in ("action.requested", "action.admitted")
        and "typeinfo_tree" in str(r["what"]["body"])
    ]
    assert lookups, "asyncpg's type lookup went through the gateway, and is audited"


async def test_transactions_commit_and_rollback(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana")) as conn:
        await conn.execute("SELECT 1")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        await conn.rollback()
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("DROP TABLE claims")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        await conn.rollback()
        cur = await conn.execute("SELECT count(*) FROM claims")
        assert (await cur.fetchone())[0] > 0  # type: ignore[index]


def _sqlalchemy_rows(url: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    sa.text("SELECT id, last_name FROM patients WHERE id < :n ORDER BY id"),
                    {"n": 3},
                ).all()
            )
    finally:
        engine.dispose()


async def test_sqlalchemy_core(wire: Wire) -> None:
    # Blocking clients run in a thread: the proxy runs on this test's event loop.
    rows = await asyncio.to_thread(_sqlalchemy_rows, wire.url("dana", "postgresql+psycopg"))
    assert [r[0] for r in rows] == [1, 2]
    assert all(r[1] == "[PERSON]" for r in rows)


def _reflect(url: str) -> list[object]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return [
            inspector.get_table_names(),
            inspector.get_pk_constraint("patients"),
            inspector.get_foreign_keys("claims"),
            inspector.get_indexes("patients"),
            inspector.get_unique_constraints("patients"),
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns("claims")],
        ]
    finally:
        engine.dispose()


async def test_sqlalchemy_reflection_sees_the_schema_as_it_is(wire: Wire, ehr_dsn: str) -> None:
    """Reflection reads the catalogs and matches constraints to tables by OID: the
    catalog structure passes unmasked and typed, so it reflects what a direct
    connection reflects."""
    direct = await asyncio.to_thread(_reflect, "postgresql+psycopg://" + ehr_dsn.split("://")[1])
    proxied = await asyncio.to_thread(_reflect, wire.url("dana", "postgresql+psycopg"))
    assert proxied == direct
    assert direct[1]["constrained_columns"] == ["id"]  # type: ignore[index]


async def test_psql_describes_tables(wire: Wire) -> None:
    env = {"PGPASSWORD": wire.harness.tokens["dana"], "PGSSLMODE": "disable"}
    base = [str(bin_path("psql")), "-X", "-h", "127.0.0.1", "-p", str(wire.port)]
    for meta, expected in [
        (r"\d patients", "patients_pkey"),
        (r"\d+ claims", "claims_patient_id_fkey"),
        (r"\dt", "clinical_notes"),
        (r"\dx", "plpgsql"),
    ]:
        done = await asyncio.to_thread(
            subprocess.run,
            [*base, "-U", "dana", "-d", "ehr", "-c", meta],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0 and expected in done.stdout, (meta, done.stderr)


async def test_a_masked_date_is_text_while_the_catalog_says_date(wire: Wire) -> None:
    """docs/pgwire.md, "a masked column's type in the catalog and in a result differ"."""
    env = {"PGPASSWORD": wire.harness.tokens["dana"], "PGSSLMODE": "disable"}
    psql = [str(bin_path("psql")), "-X", "-h", "127.0.0.1", "-p", str(wire.port), "-U", "dana"]
    done = await asyncio.to_thread(
        subprocess.run,
        [*psql, "-d", "ehr", "-c", r"\d patients"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    dob = next(line for line in done.stdout.splitlines() if line.strip().startswith("dob"))
    assert dob.split("|")[1].strip() == "date", done.stdout
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        cur = await conn.execute("SELECT dob FROM patients WHERE id = 1")
        row = await cur.fetchone()
        assert cur.description is not None and cur.description[0].type_code == 25
    assert row is not None and isinstance(row[0], str)


async def test_psql_reads_masked_and_sees_denial(wire: Wire) -> None:
    env = {
        "PGPASSWORD": wire.harness.tokens["dana"],
        "PGSSLMODE": "disable",
        "PATH": "/usr/bin:/bin",
    }
    cmd = [
        str(bin_path("psql")),
        "-h",
        "127.0.0.1",
        "-p",
        str(wire.port),
        "-U",
        "dana",
        "-d",
        "ehr",
        "-X",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=0",
        "-c",
        "SELECT ssn FROM patients WHERE id = 1",
        "-c",
        "DROP TABLE patients",
        "-c",
        "SELECT count(*) FROM patients",
    ]
    done = await asyncio.to_thread(
        subprocess.run, cmd, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.split() == ["[SSN]", "200"], done.stderr
    assert "42501" in done.stderr or "denied" in done.stderr


async def test_wrong_token_or_subject_is_refused(wire: Wire) -> None:
    bad = wire.dsn("dana").replace(wire.harness.tokens["dana"], "phg_wrong")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        await psycopg.AsyncConnection.connect(bad)
    other = wire.dsn("dana").replace("user=dana", "user=alice")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        await psycopg.AsyncConnection.connect(other)
    refusals = [
        r["why"]["reason"]
        for r in wire.harness.gateway.audit_records()
        if r["event"] == "auth.refused" and r["detail"]["front_door"] == "pgwire"
    ]
    assert "unknown API token" in refusals and "the token belongs to another subject" in refusals


async def test_a_flood_of_wrong_passwords_is_capped_and_counted(wire: Wire) -> None:
    """Each wrong password is still refused with 28P01, but from one address only the
    first 30 a minute are recorded in full; the rest are counted in one record."""
    bad = wire.dsn("dana").replace(wire.harness.tokens["dana"], "phg_wrong")
    before, _ = wire.harness.gateway.audit_head()
    for _ in range(34):
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            await psycopg.AsyncConnection.connect(bad)
    middle, _ = wire.harness.gateway.audit_head()
    assert middle - before == 30
    await wire.harness.gateway.admission.flush_refusals()
    counted = wire.harness.gateway.audit_records(since=middle)
    assert [(r["event"], r["what"]["refused"]) for r in counted] == [("refusals.counted", 4)]
    assert counted[0]["where"]["client_addr"] == "127.0.0.1"


async def test_an_alias_logs_in_as_its_person(tmp_path: Path, ehr_dsn: str) -> None:
    """With `identity.aliases`, a token made out to dana's second name logs in under
    either name and acts as dana; another person's name is still refused."""
    overrides = {"identity": {"aliases": {"dana": ["dana@example.org"]}}}
    harness, listener = await start_wire(tmp_path, ehr_dsn, overrides=overrides)
    try:
        token, _ = token_store(harness.gateway).create(
            subject="dana@example.org", kind=PrincipalKind.HUMAN, groups=("clinicians",)
        )
        base = f"host=127.0.0.1 port={listener.port} dbname=ehr password={token} sslmode=disable"
        for user in ("dana@example.org", "dana"):
            async with await psycopg.AsyncConnection.connect(f"{base} user={user}") as conn:
                assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            await psycopg.AsyncConnection.connect(f"{base} user=alice")
        who = [
            r["who"]
            for r in harness.gateway.audit_records()
            if r["event"] in ("action.requested", "action.admitted")
        ]
        assert {w["subject"] for w in who} == {"dana"}
        assert {w["signed_in_as"] for w in who} == {"dana@example.org"}
    finally:
        await listener.close()
        await harness.gateway.close()
