"""Round 26a: a promises-only attack on the PostgreSQL wire door's named things and
session settings: approvals of statements that run a prepared name (bound to what the
name means when it runs, also when it is redefined in the same Query or in a pipeline
of Queries), session settings that carry computed values back (ParameterStatus,
`SHOW`, `current_setting`), and `EXECUTE` parameters as a way to feed a setting.

No finding: every attack below held, and stays as a cheap test.
"""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.adversarial.harness import AGENT, Bench
from tests.pgwire.rawclient import RawClient, error_fields


async def _approve_pending(bench: Bench) -> list[dict[str, object]]:
    """A data owner (alice) approves every pending request; their action bodies."""
    gateway = bench.gateway
    alice = await gateway.authenticate(bench.tokens["alice"])
    bodies = []
    for approval in await asyncio.to_thread(gateway.list_approvals, state="pending"):
        record = await asyncio.to_thread(gateway.action, approval.action_id)
        bodies.append(dict(record.action.body))
        await gateway.vote(approval.id, alice, "approve")
    return bodies


def _claim_status(bench: Bench, claim: int) -> str:
    with psycopg.connect(bench.ehr_dsn) as conn:
        row = conn.execute("SELECT status FROM claims WHERE id = %s", (claim,)).fetchone()
    return str(row[0]) if row else ""


def _run(conn: psycopg.Connection[object], sql: str) -> str:
    cur = psycopg.ClientCursor(conn)
    try:
        cur.execute(sql)
        return f"ok {cur.statusmessage}"
    except psycopg.Error as e:
        return f"error {e.sqlstate}"


def test_held_a_name_redefined_in_the_same_query_is_asked_for_as_redefined(
    bench: Bench,
) -> None:
    """Promise 1: a `PREPARE` of a write is approved; then one Query deallocates it,
    prepares the name again over another write and executes it. Admitting the
    `EXECUTE` with the name's old meaning would spend the first approval on the
    second write; the request shows the new definition (`runs.defined_as`) instead."""
    good = "PREPARE w26(int) AS UPDATE claims SET status = 'r26a-ok' WHERE id = $1"
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        assert _run(conn, good) == "error 55000"
        bench.call(_approve_pending(bench))
        assert _run(conn, good) == "ok PREPARE"
        evil = (
            "DEALLOCATE w26; PREPARE w26(int) AS UPDATE claims SET status = 'r26a-evil' "
            "WHERE id = $1; EXECUTE w26(90)"
        )
        assert _run(conn, evil) == "error 55000"
    asked = bench.call(_approve_pending(bench))
    assert "r26a-evil" in str(asked[-1].get("runs", "")), asked
    assert _claim_status(bench, 90) != "r26a-evil"


async def _pipelined(bench: Bench) -> list[str]:
    """A prepared write approved and defined, then DEALLOCATE, PREPARE of another
    write under the same name and EXECUTE sent back to back, no answer awaited."""
    client = await RawClient.connect(bench.listener.port)
    await client.login(AGENT, bench.tokens[AGENT])
    good = "PREPARE v26(int) AS UPDATE claims SET status = 'r26a-ok2' WHERE id = $1"
    client.send(codec.query(good))
    await client.until(b"Z")
    await _approve_pending(bench)
    client.send(codec.query(good))
    await client.until(b"Z")
    client.send(codec.query("DEALLOCATE v26"))
    client.send(
        codec.query("PREPARE v26(int) AS UPDATE claims SET status = 'r26a-evil2' WHERE id = $1")
    )
    client.send(codec.query("EXECUTE v26(91)"))
    codes = [error_fields(await client.until(b"Z")).get("C", "ok") for _ in range(3)]
    client.close()
    return codes


def test_held_a_name_redefined_in_a_pipeline_of_queries_is_not_run_unapproved(
    bench: Bench,
) -> None:
    """The same as one pipeline of three Queries. The `PREPARE` is admitted while the
    `DEALLOCATE` is still in flight, so the name is live to the classifier and the
    `PREPARE` is refused (42501); nothing else is defined under the name, so the
    `EXECUTE` (asked for with the old definition) can run nothing else."""
    codes = bench.call(_pipelined(bench))
    assert codes[0] == "ok" and codes[1] == "42501", codes
    assert codes[2] in ("55000", "42501", "26000"), codes
    assert _claim_status(bench, 91) != "r26a-evil2"


@pytest.mark.parametrize(
    "sql",
    [
        # A setting keeps no lineage: a TimeZone (shown to the client as the server
        # reports it) holding an SSN as a POSIX zone name would come back unmasked.
        "SELECT set_config('TimeZone', '<' || replace(ssn, '-', '') || '>+3', false) "
        "FROM patients WHERE id = 1",
        "SELECT set_config('TimeZone', (SELECT '<' || mrn || '>+3' FROM patients "
        "WHERE id = 1), false)",
    ],
)
def test_held_a_reported_setting_is_not_set_from_rows(bench: Bench, sql: str) -> None:
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        assert _run(conn, sql) == "error 42501"
        assert conn.info.parameter_status("TimeZone") == "Etc/UTC"


def test_held_an_execute_parameter_cannot_feed_a_setting_from_rows(bench: Bench) -> None:
    """`set_config(name, $1)` is a client's parameter (asyncpg sends one); SQL
    `EXECUTE` parameters are expressions, but the server refuses a subquery among
    them, so no row reaches TimeZone this way."""
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        assert _run(conn, "PREPARE tz26(text) AS SELECT set_config('TimeZone', $1, false)") == (
            "ok PREPARE"
        )
        answer = _run(
            conn,
            "EXECUTE tz26('<' || (SELECT replace(ssn, '-', '') FROM patients "
            "WHERE id = 1) || '>+3')",
        )
        assert answer.startswith("error"), answer
        assert conn.info.parameter_status("TimeZone") == "Etc/UTC"
        assert conn.execute("SHOW TimeZone").fetchone() == ("Etc/UTC",)
