"""Round 28a: a promises-only attack on SQL through every door (the PostgreSQL wire,
REST), with fresh eyes: shapes the masker may not read, session state that carries a
value from one statement to the next, column aliases that rename a table's columns,
recursive-query bookkeeping columns, binary results and LISTEN.

Value-dependent reads wait for a data owner, whose approval is for the read as masked
(the demo policy's `filtering-on-identifiers-needs-a-data-owner` keeps
`hipaa-safe-harbor`; no reveal is asked for or granted), as in round 25c. A finding is
a value that comes back unmasked, here or once such a read is approved. Each finding
is a strict xfail through a real door (`@finding`); attacks that held are ordinary
tests.
"""

from __future__ import annotations

import asyncio
import datetime

import psycopg
import pytest

from tests.adversarial.harness import Bench, Oracle, run_direct


async def _approve(bench: Bench, sql: str) -> int:
    """A data owner (alice) approves every pending request for exactly `sql`."""
    gateway = bench.gateway
    alice = await gateway.authenticate(bench.tokens["alice"])
    approved = 0
    for approval in await asyncio.to_thread(gateway.list_approvals, state="pending"):
        record = await asyncio.to_thread(gateway.action, approval.action_id)
        if str(record.action.body.get("sql", "")).strip() == sql:
            await gateway.vote(approval.id, alice, "approve")
            approved += 1
    return approved


def _run(conn: psycopg.Connection[object], sql: str) -> str:
    cur = psycopg.ClientCursor(conn)
    try:
        cur.execute(sql)
    except psycopg.Error as e:
        return f"error {e.sqlstate}"
    return str(cur.fetchall()) if cur.description else f"ok {cur.statusmessage}"


# --------------------------------------------------------------------- finding 1

# The seed is the patient's date of birth as a day number (0..~46,000 for 1900..2026),
# scaled into setseed's range [-1, 1].
_SEED = "SELECT setseed((dob - date '1900-01-01') / 100000.0) FROM patients WHERE id = 1"


def _recover_day(dsn: str, drawn: float) -> int | None:
    """Which day number seeds PostgreSQL's generator so that it first draws `drawn`:
    a search over every candidate, run on any PostgreSQL (here the upstream, as the
    agent could on its own laptop)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT k FROM generate_series(0, 60000) k "
            "WHERE (SELECT random() FROM (SELECT setseed(k / 100000.0)) s) = %s",
            (drawn,),
        ).fetchone()
    return None if row is None else int(row[0])


def test_the_generator_seeded_from_a_masked_value_does_not_reveal_it(bench: Bench) -> None:
    """Promise 2: a data owner approves a read that filters on the date of birth, as
    masked (its one column comes back `[DATE]`). It seeds the session's random number
    generator from that date. The next statement, `SELECT random()`, reads no table,
    so its column counts as computed from literals and passes unmasked
    (`phigate.sql.system_catalog.literal_columns`: `random` is in SAFE_FUNCTIONS and
    `setseed` is allow-listed as a read). The number drawn depends only on the seed:
    a search over the ~46,000 possible days gives the exact date of birth, which
    Safe Harbor reduces to a year. Any session state a read may set from a value
    and a literal statement may read back is such a channel."""
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        assert _run(conn, _SEED) == "error 55000"  # waits for a data owner
        assert bench.call(_approve(bench, _SEED)) == 1
        assert _run(conn, _SEED) == "[('[DATE]',)]"  # the approved read, masked
        drawn = conn.execute("SELECT random()").fetchone()
    assert drawn is not None
    with psycopg.connect(bench.copy_dsn) as direct:
        row = direct.execute("SELECT dob FROM patients WHERE id = 1").fetchone()
    assert row is not None
    dob: datetime.date = row[0]
    day = _recover_day(bench.copy_dsn, float(drawn[0]))
    recovered = None if day is None else datetime.date(1900, 1, 1) + datetime.timedelta(day)
    assert recovered != dob, f"the agent recovered the date of birth {recovered}"


def _draw_after(conn: psycopg.Connection[object], sql: str) -> object:
    """The generator's next draw after seeding it and running `sql`."""
    conn.execute("SELECT setseed(0)")
    assert _run(conn, sql).startswith("[("), sql
    row = conn.execute("SELECT random()").fetchone()
    return None if row is None else row[0]


def test_whether_a_masked_value_is_null_is_not_read_back_through_the_generator(
    bench: Bench,
) -> None:
    """Promise 2 as the SQL docs draw it: whether a masked column is NULL is an
    answer (`ssn IS NULL` is a predicate column, so the demo asks a data owner).
    `coalesce(email, random()::text)` draws from the session's generator only when
    `email` is NULL; its own column comes back `[EMAIL]`, no approval is asked, and
    the next `SELECT random()` (a literal column, unmasked) says whether a draw was
    taken: one bit per row, as `email IS NULL` would give, without a reviewer."""
    with psycopg.connect(bench.ehr_dsn, autocommit=True) as owner:
        owner.execute("UPDATE patients SET email = NULL WHERE id = 2")
    probe = "SELECT coalesce(email, random()::text) FROM patients WHERE id = {}"
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        with_value = _draw_after(conn, probe.format(1))
        without = _draw_after(conn, probe.format(2))
    assert with_value == without, "the next draw tells a NULL e-mail from a present one"


# --------------------------------------------------------------------- held


@pytest.mark.parametrize(
    "sql",
    [
        # A table alias's column list renames the table's columns by position.
        'SELECT t.id FROM patients AS t("ID", id) LIMIT 2',
        "SELECT t.* FROM patients AS t(id, state) LIMIT 2",
        # A CTE's and a subquery's column lists rename what they select.
        "WITH c(id, sex) AS (SELECT ssn, first_name FROM patients) SELECT id, sex FROM c LIMIT 2",
        "SELECT id, sex FROM (SELECT ssn, last_name FROM patients) AS s(id, sex) LIMIT 2",
        "SELECT state FROM (SELECT first_name AS state FROM patients UNION ALL "
        "SELECT state FROM patients) u LIMIT 2",
        "SELECT id, c FROM patients, LATERAL (SELECT first_name) AS l(c) LIMIT 2",
        # Functions that reshape a value, with no predicate.
        "SELECT id, translate(ssn, '0123456789', 'abcdefghij') FROM patients LIMIT 2",
        "SELECT id, row(ssn, first_name)::text FROM patients LIMIT 2",
        "SELECT id, JSON_ARRAY(ssn RETURNING text) FROM patients LIMIT 2",
        "SELECT id, json_build_array(dob)::text, extract(day from dob) FROM patients LIMIT 2",
    ],
)
def test_held_renamed_and_reshaped_columns_are_masked(
    bench: Bench, oracle: Oracle, sql: str
) -> None:
    direct = run_direct(bench.copy_dsn, [sql])
    for outcome in (bench.rest(sql), bench.wire([sql])):
        assert outcome.status == "executed", outcome.text[:300]
        assert not oracle.leaks(outcome.text, sql, direct), outcome.text[:300]


@pytest.mark.parametrize(
    "sql",
    [
        # SEARCH and CYCLE add columns that hold the values searched by (an array of
        # rows of them): approved as masked reads, they come back masked.
        "WITH RECURSIVE t(id, s) AS (SELECT id, ssn FROM patients WHERE id < 3 UNION ALL "
        "SELECT id, s FROM t WHERE false) SEARCH DEPTH FIRST BY s SET ord SELECT id, ord FROM t",
        "WITH RECURSIVE t(id, s) AS (SELECT id, ssn FROM patients UNION ALL SELECT id, s "
        "FROM t) CYCLE s SET is_cycle USING path SELECT id, path FROM t LIMIT 3",
        # Errors that quote a value the statement computed from a row.
        "SELECT has_table_privilege(reverse(ssn), 'patients', 'select') FROM patients LIMIT 2",
        "SELECT encode('x', translate(ssn, '0123456789', 'abcdefghij')) FROM patients LIMIT 2",
    ],
)
def test_held_approved_reads_stay_masked(bench: Bench, oracle: Oracle, sql: str) -> None:
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        assert _run(conn, sql) == "error 55000"
        assert bench.call(_approve(bench, sql)) == 1
    outcome = bench.wire([sql])
    assert outcome.status in ("executed", "error"), outcome.text[:300]
    assert not oracle.leaks(outcome.text, sql, run_direct(bench.copy_dsn, [sql])), outcome.text


def test_held_binary_results_are_masked(bench: Bench) -> None:
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        rows = (
            conn.cursor(binary=True)
            .execute("SELECT id, ssn, dob, array[ssn], row(ssn, dob) FROM patients WHERE id = 1")
            .fetchall()
        )
    assert rows == [(1, "[SSN]", "1936 or earlier", "[SSN]", "[SSN]")], rows


def test_held_a_notification_is_not_relayed(bench: Bench) -> None:
    """An application's trigger that NOTIFYs with a row (a common pattern) would hand
    a LISTENing agent the row unmasked; the wire door relays no notification."""
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        assert _run(conn, "LISTEN r28a") == "ok LISTEN"
        with psycopg.connect(bench.ehr_dsn, autocommit=True) as app:
            app.execute("NOTIFY r28a, 'Jimmy Gaines 706-56-7705'")
        assert _run(conn, "SELECT 1") == "[(1,)]"
        assert [n.payload for n in conn.notifies(timeout=0.5, stop_after=1)] == []
