"""Round 21b: a promises-only attack on SQL as a hostile agent, over the wire and REST.

Each finding was a strict xfail through a real door (`@finding`), and is fixed: the
proxy keys protocol names as the server keeps them (63 bytes), forgets portals
whenever the server ends them, and understands a prepared FETCH/EXECUTE again at each
Bind. Attacks that held are ordinary tests.
"""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.adversarial.harness import Bench, Oracle, run_direct
from tests.pgwire.conftest import Wire, serving
from tests.pgwire.rawclient import RawClient, error_fields


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    async with serving(tmp_path, ehr_dsn) as served:
        yield served


def _parse(name: str, text: str) -> bytes:
    return codec.message(b"P", codec.cstr(name) + codec.cstr(text) + struct.pack("!h", 0))


def _bind(portal: str, statement: str) -> bytes:
    body = codec.cstr(portal) + codec.cstr(statement) + struct.pack("!hhh", 0, 0, 0)
    return codec.message(b"B", body)


async def _signed_in(wire: Wire, subject: str = "claims-bot") -> RawClient:
    client = await RawClient.connect(wire.port)
    await client.login(subject, wire.harness.tokens[subject])
    return client


async def _simple(client: RawClient, sql: str) -> list[codec.Message]:
    client.send(codec.query(sql))
    return await client.until(b"Z")


def _rows(messages: list[codec.Message]) -> list[list[bytes | None]]:
    return [codec.parse_data_row(m.body) for m in messages if m.type == b"D"]


def _surnames(dsn: str, n: int) -> list[bytes]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT last_name FROM patients ORDER BY id LIMIT %s", (n,))
        return [str(r[0]).encode() for r in rows]


# ── 1. SQL CLOSE of a protocol portal leaves the gateway's portal behind ──────────
@pytest.mark.parametrize("ender", ["CLOSE c", "CLOSE ALL", "ROLLBACK TO a", "COMMIT; BEGIN"])
async def test_a_cursor_declared_over_a_closed_portal_is_masked_as_what_it_runs(
    wire: Wire, ehr_dsn: str, ender: str
) -> None:
    """docs/pgwire.md: Execute is forwarded only for portals a Bind the proxy saw
    created, and a name's meaning is learnt from the upstream's answers. A portal bound
    from `SELECT status FROM claims` (a column kept by its name) is closed by SQL
    `CLOSE c`, which the upstream acknowledges; `DECLARE c CURSOR FOR SELECT last_name
    AS status FROM patients` then takes the name. A protocol Execute of `c` runs the
    cursor upstream, but the proxy still holds its own portal `c` and masks the rows as
    claims.status: the surnames come back as stored. `CLOSE ALL`, and `ROLLBACK TO` a
    savepoint taken before the Bind (the server drops portals of a rolled back
    subtransaction), and `COMMIT; BEGIN` in one Query (the session is never seen idle, so
    the proxy's sweep of ended portals never runs), end the portal upstream just the same."""
    client = await _signed_in(wire)
    try:
        await _simple(client, "BEGIN; SAVEPOINT a")
        client.send(
            _parse("s", "SELECT status FROM claims ORDER BY id")
            + _bind("c", "s")
            + codec.execute("c", 1)
            + codec.SYNC
        )
        assert [m.type for m in await client.until(b"Z")][-3:] == [b"D", b"s", b"Z"]
        assert error_fields(await _simple(client, ender)) == {}
        declared = await _simple(
            client, "DECLARE c CURSOR FOR SELECT last_name AS status FROM patients ORDER BY id"
        )
        assert error_fields(declared) == {}, declared
        client.send(codec.execute("c", 5) + codec.SYNC)
        got = await client.until(b"Z")
    finally:
        client.close()
    shown = [row[0] for row in _rows(got)]
    assert shown, got
    leaked = set(shown) & set(_surnames(ehr_dsn, 5))
    assert not leaked, f"surnames returned as stored: {shown}"


# ── 2. A prepared FETCH or EXECUTE keeps the meaning its name had when parsed ──────
REDEFINED = {
    "fetch": (
        "DECLARE c CURSOR FOR SELECT status FROM claims ORDER BY id",
        "CLOSE c",
        "DECLARE c CURSOR FOR SELECT last_name AS status FROM patients ORDER BY id",
        "FETCH 2 FROM c",
    ),
    "execute": (
        "PREPARE s1 AS SELECT status FROM claims ORDER BY id LIMIT 2",
        "DEALLOCATE s1",
        "PREPARE s1 AS SELECT last_name AS status FROM patients ORDER BY id LIMIT 2",
        "EXECUTE s1",
    ),
}


@pytest.mark.parametrize("kind", sorted(REDEFINED))
async def test_a_prepared_fetch_or_execute_is_masked_as_what_its_name_means_now(
    wire: Wire, ehr_dsn: str, kind: str
) -> None:
    """psycopg with `prepare=True` (or after `prepare_threshold` runs) prepares `FETCH 2
    FROM c` or `EXECUTE s1` once and binds it again. `c` (or `s1`) first reads
    claims.status, a column kept by its name; it is closed (deallocated) and defined
    again over patients.last_name renamed `status`, each step admitted, and the
    prepared statement run again returns the surnames as stored: the proxy masks it with
    the lineage it classified at Parse. Round 4's
    `test_a_statement_that_executes_a_redefined_name_is_masked_as_what_runs` held only
    because the free-text detector happened to know the name it redefined to."""
    define, drop, redefine, run = REDEFINED[kind]
    async with await psycopg.AsyncConnection.connect(wire.dsn("claims-bot")) as conn:
        cur = conn.cursor()
        await cur.execute(define)
        await cur.execute(run, prepare=True)
        assert [r[0] for r in await cur.fetchall()] == ["paid", "pending"]
        await cur.execute(drop)
        await cur.execute(redefine)
        await cur.execute(run, prepare=True)
        shown = [str(r[0]).encode() for r in await cur.fetchall()]
    assert shown
    leaked = set(shown) & set(_surnames(ehr_dsn, 2))
    assert not leaked, f"surnames returned as stored: {shown}"


async def _execute_redefined(client: RawClient, shown: str, runs: str) -> list[Any]:
    """Parse s1 as `shown`, and w as `EXECUTE s1` (run once, admitted as `shown`); Close
    s1 and Parse it again as `runs` (decided by policy only: a Parse runs nothing); then
    Bind and Execute w again: admitted as before, run upstream as `runs`."""
    client.send(_parse("s1", shown) + codec.SYNC)
    assert error_fields(await client.until(b"Z")) == {}
    client.send(_parse("w", "EXECUTE s1") + _bind("", "w") + codec.execute("", 0) + codec.SYNC)
    assert error_fields(await client.until(b"Z")) == {}
    client.send(codec.close("S", "s1") + _parse("s1", runs) + codec.SYNC)
    assert error_fields(await client.until(b"Z")) == {}
    client.send(_bind("", "w") + codec.execute("", 0) + codec.SYNC)
    return list(await client.until(b"Z"))


async def test_a_condition_on_phi_run_through_a_prepared_execute_waits_for_approval(
    wire: Wire, ehr_dsn: str
) -> None:
    """The stale meaning also skips admission. A Parse is only checked against policy
    (one needing approval is still forwarded: it runs nothing), and the prepared
    `EXECUTE s1` keeps the decision it got when s1 was `SELECT 0::bigint`. Re-Parsing s1
    as `SELECT count(*) FROM patients WHERE ssn LIKE '5%'` and running `EXECUTE s1`
    again answers the count at once, no approval asked."""
    guarded = "SELECT count(*) AS n FROM patients WHERE ssn LIKE '5%'"
    with psycopg.connect(ehr_dsn) as direct:
        row = direct.execute(guarded).fetchone()
    assert row is not None and row[0] > 0
    client = await _signed_in(wire)
    try:
        got = await _execute_redefined(client, "SELECT 0::bigint AS n", guarded)
    finally:
        client.close()
    assert [[str(row[0]).encode()]] != _rows(got), f"answered without approval: {got}"


async def test_a_write_run_through_a_prepared_execute_does_not_run_unapproved(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Without `read_dsn` (optional; the wire session is the writer) the same steps run
    `UPDATE claims SET status = status WHERE id = 1` with no approval: `UPDATE 1`
    comes back and the row's xmin moves (its value is left as it was)."""
    update = "UPDATE claims SET status = status WHERE id = 1"
    xmin = "SELECT xmin::text FROM claims WHERE id = 1"
    with psycopg.connect(ehr_dsn, autocommit=True) as direct:
        before = direct.execute(xmin).fetchone()
    async with serving(tmp_path, ehr_dsn, reader=False) as writer_wire:
        client = await _signed_in(writer_wire)
        try:
            got = await _execute_redefined(client, "SELECT 0::bigint AS n", update)
        finally:
            client.close()
    with psycopg.connect(ehr_dsn, autocommit=True) as direct:
        after = direct.execute(xmin).fetchone()
    tags = [codec.parse_cstring(m.body) for m in got if m.type == b"C"]
    assert before == after, f"ran unapproved: {tags}"


# ── 3. Names longer than PostgreSQL keeps are two names to the proxy, one upstream ──
async def test_statement_names_alike_in_their_first_63_bytes_are_one_name(
    wire: Wire, ehr_dsn: str
) -> None:
    """docs/pgwire.md: Bind is forwarded only for statements a Parse the proxy saw
    created, and a name's meaning is learnt from the upstream's answers. PostgreSQL
    keeps a prepared statement's name in NAMEDATALEN (63 bytes): `<63 s>X`, `<63 s>Y`
    and `<63 s>Z` are one statement upstream. Parse `<63 s>X` as `SELECT status FROM
    claims`; Close `<63 s>Z` (a name the proxy never saw, so it forgets nothing, and the
    upstream drops `<63 s>X`); Parse `<63 s>Y` as `SELECT last_name AS status FROM
    patients` (admitted, read at once); Bind `<63 s>X` runs the surnames upstream, and
    the proxy masks them as claims.status: they come back as stored."""
    prefix = "s" * 63
    client = await _signed_in(wire)
    try:
        client.send(
            _parse(prefix + "X", "SELECT status FROM claims ORDER BY id LIMIT 3") + codec.SYNC
        )
        assert error_fields(await client.until(b"Z")) == {}
        client.send(codec.close("S", prefix + "Z") + codec.SYNC)
        assert error_fields(await client.until(b"Z")) == {}
        client.send(
            _parse(prefix + "Y", "SELECT last_name AS status FROM patients ORDER BY id LIMIT 3")
            + codec.SYNC
        )
        assert error_fields(await client.until(b"Z")) == {}
        client.send(_bind("", prefix + "X") + codec.execute("", 0) + codec.SYNC)
        got = await client.until(b"Z")
    finally:
        client.close()
    shown = [row[0] for row in _rows(got)]
    assert shown, got
    leaked = set(shown) & set(_surnames(ehr_dsn, 3))
    assert not leaked, f"surnames returned as stored: {shown}"


async def test_portal_names_alike_in_their_first_63_bytes_are_one_name(
    wire: Wire, ehr_dsn: str
) -> None:
    """The same for portals: inside a transaction, portal `<63 p>X` is bound from
    `SELECT status FROM claims`; a Close of portal `<63 p>Z` drops it upstream; portal
    `<63 p>Y` is bound from the surnames; an Execute of `<63 p>X` runs them, masked as
    claims.status."""
    prefix = "p" * 63
    client = await _signed_in(wire)
    try:
        await _simple(client, "BEGIN")
        client.send(
            _parse("benign", "SELECT status FROM claims ORDER BY id LIMIT 3")
            + _parse("names", "SELECT last_name AS status FROM patients ORDER BY id LIMIT 3")
            + _bind(prefix + "X", "benign")
            + codec.SYNC
        )
        assert error_fields(await client.until(b"Z")) == {}
        client.send(codec.close("P", prefix + "Z") + _bind(prefix + "Y", "names") + codec.SYNC)
        assert error_fields(await client.until(b"Z")) == {}
        client.send(codec.execute(prefix + "X", 0) + codec.SYNC)
        got = await client.until(b"Z")
    finally:
        client.close()
    shown = [row[0] for row in _rows(got)]
    assert shown, got
    leaked = set(shown) & set(_surnames(ehr_dsn, 3))
    assert not leaked, f"surnames returned as stored: {shown}"


async def _alias_and_run(client: RawClient, prefix: str, shown: str, runs: str) -> list[Any]:
    """Parse `shown` as `<prefix>X`, drop it upstream through `<prefix>Z`, Parse `runs`
    as `<prefix>Y` (decided by policy only: a Parse runs nothing), then Bind and
    Execute `<prefix>X`: admitted as `shown`, run upstream as `runs`."""
    client.send(_parse(prefix + "X", shown) + codec.SYNC)
    assert error_fields(await client.until(b"Z")) == {}
    client.send(codec.close("S", prefix + "Z") + codec.SYNC)
    assert error_fields(await client.until(b"Z")) == {}
    client.send(_parse(prefix + "Y", runs) + codec.SYNC)
    assert error_fields(await client.until(b"Z")) == {}
    client.send(_bind("", prefix + "X") + codec.execute("", 0) + codec.SYNC)
    return list(await client.until(b"Z"))


async def test_a_condition_on_phi_parsed_under_an_aliased_name_waits_for_approval(
    wire: Wire, ehr_dsn: str
) -> None:
    """The same aliasing skips admission: a Parse is only checked against policy (a
    read that needs approval is still forwarded; its Execute would wait), and the
    Execute of `<63 q>X` is admitted as `SELECT 0::bigint`. So `SELECT count(*) FROM
    patients WHERE ssn LIKE '5%'`, which waits for a data owner when sent as itself,
    answers at once with no approval asked."""
    guarded = "SELECT count(*) AS n FROM patients WHERE ssn LIKE '5%'"
    with psycopg.connect(ehr_dsn) as direct:
        row = direct.execute(guarded).fetchone()
    assert row is not None and row[0] > 0
    client = await _signed_in(wire)
    try:
        got = await _alias_and_run(client, "q" * 63, "SELECT 0::bigint AS n", guarded)
    finally:
        client.close()
    assert [[str(row[0]).encode()]] != _rows(got), f"answered without approval: {got}"


async def test_a_write_parsed_under_an_aliased_name_does_not_run_unapproved(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """`read_dsn` is optional (docs/configuration.md; without it wire sessions log in as
    the writer and "only the classifier" stands in front of the data). The aliasing
    runs `UPDATE claims SET status = status WHERE id = 1` when `SELECT 0::bigint` was
    admitted: `UPDATE 1`, committed, no approval asked (the row's xmin moves; its
    value is left as it was)."""
    update = "UPDATE claims SET status = status WHERE id = 1"
    xmin = "SELECT xmin::text FROM claims WHERE id = 1"
    with psycopg.connect(ehr_dsn, autocommit=True) as direct:
        before = direct.execute(xmin).fetchone()
    async with serving(tmp_path, ehr_dsn, reader=False) as writer_wire:
        client = await _signed_in(writer_wire)
        try:
            got = await _alias_and_run(client, "w" * 63, "SELECT 0::bigint AS n", update)
        finally:
            client.close()
    with psycopg.connect(ehr_dsn, autocommit=True) as direct:
        after = direct.execute(xmin).fetchone()
    tags = [codec.parse_cstring(m.body) for m in got if m.type == b"C"]
    assert before == after and "UPDATE 1" not in tags, f"ran unapproved: {tags}"


# ── attacks that held ────────────────────────────────────────────────────────────
async def test_held_a_cursor_declared_again_in_one_query_is_masked_as_what_it_runs(
    wire: Wire, ehr_dsn: str
) -> None:
    """Held: CLOSE, DECLARE again and FETCH in one simple Query are classified in order,
    so the FETCH is masked as the cursor declared just before it."""
    client = await _signed_in(wire)
    try:
        await _simple(client, "BEGIN")
        await _simple(client, "DECLARE c CURSOR FOR SELECT status FROM claims ORDER BY id")
        got = await _simple(
            client,
            "CLOSE c; DECLARE c CURSOR FOR SELECT last_name AS status FROM patients"
            " ORDER BY id; FETCH 3 FROM c",
        )
    finally:
        client.close()
    shown = [row[0] for row in _rows(got)]
    assert len(shown) == 3 and not set(shown) & set(_surnames(ehr_dsn, 3)), shown


async def test_held_sql_names_longer_than_63_bytes_are_cut_as_the_server_cuts_them(
    wire: Wire, ehr_dsn: str
) -> None:
    """Held: SQL cursor names are cut to 63 bytes by the classifier as by the server, so
    a CLOSE and DECLARE under another long spelling of the same name are followed."""
    prefix = "c" * 63
    client = await _signed_in(wire)
    try:
        await _simple(client, "BEGIN")
        await _simple(client, f"DECLARE {prefix}x CURSOR FOR SELECT status FROM claims ORDER BY id")
        await _simple(client, f"CLOSE {prefix}y")
        await _simple(
            client,
            f"DECLARE {prefix}y CURSOR FOR SELECT last_name AS status FROM patients ORDER BY id",
        )
        got = await _simple(client, f"FETCH 3 FROM {prefix}x")
    finally:
        client.close()
    shown = [row[0] for row in _rows(got)]
    assert len(shown) == 3 and not set(shown) & set(_surnames(ehr_dsn, 3)), (shown, got)


def test_held_rest_requests_do_not_share_session_settings(bench: Bench) -> None:
    """Held: a REST read that changes a session setting (`set_config(…, false)`) leaves
    it on no pooled connection: the next requests read dates as before."""
    changed = bench.rest("SELECT set_config('datestyle', 'SQL, DMY', false)")
    assert changed.status == "executed", changed.detail
    months = [bench.rest("SELECT extract(month FROM '03/04/2024'::date) AS m") for _ in range(3)]
    assert all('"rows":[[3]]' in m.text.replace(" ", "") for m in months), months


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT rank('M') WITHIN GROUP (ORDER BY last_name) FROM patients",
        "SELECT cume_dist('5') WITHIN GROUP (ORDER BY ssn) FROM patients",
        "SELECT mode() WITHIN GROUP (ORDER BY last_name) FROM patients",
        "SELECT id, pg_column_size(last_name) FROM patients LIMIT 3",
        "SELECT id, pg_input_is_valid(ssn, 'int') FROM patients LIMIT 3",
        "SELECT id, ssn IS JSON FROM patients LIMIT 3",
        "SELECT * FROM patients NATURAL JOIN (SELECT id, 'x' AS last_name FROM patients) s",
    ],
)
def test_held_hypothetical_aggregates_and_value_tests_wait(bench: Bench, sql: str) -> None:
    """Held: an ordered-set or hypothetical-set aggregate over PHI, a storage size, an
    input test and a NATURAL join on a PHI column are conditions: they wait."""
    outcome = bench.rest(sql)
    assert outcome.status in ("approval", "denied"), outcome.detail


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM patients p JOIN claims c USING (id) LIMIT 3",
        "SELECT j.*, 1 FROM claims JOIN encounters USING (id) AS j LIMIT 3",
        "SELECT * FROM (SELECT id, last_name FROM patients) AS s(status) LIMIT 3",
        "SELECT status, * FROM (SELECT last_name AS status, id FROM patients) s LIMIT 3",
        "SELECT (c).* FROM (SELECT p AS c FROM patients p) s LIMIT 3",
        "SELECT id, encode(convert_to(last_name, 'UTF8'), 'hex') FROM patients LIMIT 3",
    ],
)
def test_held_renamed_and_joined_columns_are_masked(bench: Bench, oracle: Oracle, sql: str) -> None:
    """Held: star expansion through USING joins, join aliases, column alias lists and
    record expansion keeps each column's lineage."""
    outcome = bench.rest(sql)
    leaked = oracle.leaks(outcome.text, sql, run_direct(bench.copy_dsn, [sql]))
    assert outcome.status == "executed" and not leaked, (leaked[:3], outcome.detail)
