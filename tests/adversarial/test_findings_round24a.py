"""Round 24a: a promises-only attack on the PostgreSQL wire door and the SQL tools
(statement smuggling, prepared statements and cursors, approval binding).

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.harness import Bench, Oracle, error_text
from tests.conftest import Harness

_APPROVAL = re.compile(r"approval (apr_[A-Za-z0-9_-]+)")


def _approve(bench: Bench, approval_id: str, voter: str = "alice") -> None:
    """A data owner approves one request (what the reviewer was shown is what it names)."""
    gateway = bench.gateway

    async def vote() -> None:
        principal = await gateway.authenticate(bench.tokens[voter])
        await gateway.vote(approval_id, principal, "approve")

    bench.call(vote())


def _run(
    conn: psycopg.Connection[tuple[object, ...]], sql: str, extended: bool = False
) -> list[tuple[object, ...]]:
    """`sql` as a simple Query, or on the extended protocol (Parse/Bind/Execute: psycopg
    sends a text without parameters as a simple Query, except in a pipeline)."""
    if not extended:
        cur = psycopg.ClientCursor(conn)
        cur.execute(sql)
        return cur.fetchall() if cur.description is not None else []
    with conn.pipeline():
        cur = conn.cursor()
        cur.execute(sql)
    return cur.fetchall() if cur.description is not None else []


def _asked(conn: psycopg.Connection[tuple[object, ...]], sql: str, extended: bool = False) -> str:
    """Send `sql`, which must wait for approval; the approval's id."""
    try:
        _run(conn, sql, extended)
    except psycopg.Error as e:
        found = _APPROVAL.search(error_text(e))
        assert e.sqlstate == "55000" and found, error_text(e)
        return found.group(1)
    raise AssertionError(f"{sql!r} ran without approval")


def _approved(
    bench: Bench, conn: psycopg.Connection[tuple[object, ...]], sql: str
) -> list[tuple[object, ...]]:
    """`sql` asked for approval, approved by a data owner, sent again: its rows."""
    _approve(bench, _asked(conn, sql))
    return _run(conn, sql)


def _surnames(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {str(r[0]) for r in conn.execute("SELECT last_name FROM patients")}


# ── 1. an approved EXECUTE/FETCH runs what the name means later, masked as before ──
_SHOWN = "SELECT status FROM claims WHERE member_id = 'M1'"
_SWAPPED = "SELECT last_name AS status FROM patients WHERE ssn <> 'x'"
_SHAPES = {
    "prepare": ("PREPARE {name} AS {sql}", "EXECUTE {name}", "DEALLOCATE {name}"),
    "cursor": (
        "DECLARE {name} CURSOR WITH HOLD FOR {sql}",
        "FETCH ALL FROM {name}",
        "CLOSE {name}",
    ),
}


def _shape(shape: str, extended: bool, test: str) -> tuple[str, str, str]:
    """DEFINE (a format taking `sql`), RUN and DROP texts of `shape` under a name of this
    test's own: an approval one test granted and never ran is claimable by the same
    caller's identical text in the next (one bench per module), as it should be."""
    name = f"{shape[0]}_{test}_{'ext' if extended else 'simple'}"
    define, run, drop = _SHAPES[shape]
    return define.replace("{name}", name), run.format(name=name), drop.format(name=name)


@pytest.mark.parametrize("extended", [False, True], ids=["simple", "extended"])
@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_an_approved_execute_runs_the_redefined_statement_masked_as_the_shown_one(
    bench: Bench, shape: str, extended: bool
) -> None:
    """Promise 1/2: an approval is bound to exactly that action; nothing reaches the
    caller unmasked. docs/pgwire.md: `EXECUTE name` and `FETCH` get the class and
    lineage of what they run. `EXECUTE p` (p: claims.status for one member, a column
    kept whole) waits for a data owner. While it waits, the agent deallocates p and
    prepares p again over `patients.last_name AS status` (a request of its own, which
    a reviewer approves: prepared, its rows would be masked). The reviewer approves
    `EXECUTE p` as shown (claims.status). Sent again, `EXECUTE p` is classified as the
    new p, needs approval, and pipeline/admission.py `_twin` finds the approved request
    of the same fingerprint (text, params, principal: not what the name means):
    `_claim_twin` hands back the old record, and the session masks the rows with ITS
    lineage (session.py `_execution` reads `record.description`): every surname comes
    back as stored. The same on the extended protocol (Parse/Bind/Execute of the text),
    though docs/pgwire.md says such a portal's first Execute "is admitted afresh as
    that (no earlier decision is reused)"."""
    define, run, drop = _shape(shape, extended, "swap")
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        _approved(bench, conn, define.format(sql=_SHOWN))
        pending = _asked(conn, run, extended)  # the reviewer is shown claims.status
        _run(conn, drop)
        _approved(bench, conn, define.format(sql=_SWAPPED))
        _approve(bench, pending)
        try:
            rows = _run(conn, run, extended)
        except psycopg.Error:
            rows = []  # refused or asked again: the promise held
        _run(conn, drop)
    shown = {str(r[0]) for r in rows} & _surnames(bench.ehr_dsn)
    assert not shown, f"{len(rows)} rows, surnames unmasked: {sorted(shown)[:5]}"


# ── 1b. the same columns, another filter: one member's claims become every member's ──
_ONE_MEMBER = "SELECT status FROM claims WHERE member_id = 'M1'"
_ALL_BUT_ONE = "SELECT status FROM claims WHERE member_id <> 'M1'"


@pytest.mark.parametrize("extended", [False, True], ids=["simple", "extended"])
@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_an_approved_execute_is_not_claimed_after_its_name_got_another_filter(
    bench: Bench, shape: str, extended: bool
) -> None:
    """Promise 1: an approval is bound to exactly that action. `body.runs` names the
    columns, lineage and predicate columns of what `EXECUTE p` runs, not its filter:
    redefined over the same column with `member_id <> 'M1'` (every other member), the
    same text must be asked for again, not run on the approval shown for one member."""
    define, run, drop = _shape(shape, extended, "filter")
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        _approved(bench, conn, define.format(sql=_ONE_MEMBER))
        pending = _asked(conn, run, extended)  # the reviewer is shown member M1's claims
        _run(conn, drop)
        _approved(bench, conn, define.format(sql=_ALL_BUT_ONE))
        _approve(bench, pending)
        try:
            asked_again = bool(_asked(conn, run, extended))
        finally:
            _run(conn, drop)
    assert asked_again


# ── 1c. the same through REST: an approved read claimed after its view was redefined ──
@pytest.fixture
def dba(pg_server: EmbeddedPostgres, ehr_dsn: str) -> str:
    """The EHR database's owner DSN: a DBA's changes, made outside the gateway."""
    return pg_server.dsn(str(conninfo_to_dict(ehr_dsn)["dbname"]))


def _upstream(dsn: str, sql: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


_DROP_CODES = (
    "DO $$ BEGIN EXECUTE (SELECT CASE relkind WHEN 'v' THEN 'DROP VIEW ' ELSE 'DROP TABLE ' END "
    "|| 'r24a_codes' FROM pg_class WHERE relname = 'r24a_codes'); "
    "EXCEPTION WHEN OTHERS THEN NULL; END $$; DROP TABLE IF EXISTS r24a_fresh"
)


async def test_an_approved_rest_read_is_asked_again_once_its_view_reads_other_columns(
    harness: Harness, ehr_dsn: str, dba: str
) -> None:
    """Promise 2: nothing reaches the caller unmasked. A read filtered on a masked
    column waits for a data owner, who approves it over a plain table's `status`
    (kept whole). A DBA then makes the table a view of `patients.last_name AS status`
    and the catalog reloads. The same text sent again is the same fingerprint, but
    not the same reading: claimed, its rows would be masked by the lineage the
    reviewer saw (pipeline/admission.py `_twin`); it is asked for again instead."""
    _upstream(dba, _DROP_CODES)
    _upstream(dba, "CREATE TABLE r24a_codes (id int, status text, ssn text)")
    _upstream(dba, "INSERT INTO r24a_codes VALUES (1, 'open', '123-45-6789')")
    _upstream(dba, "GRANT SELECT ON r24a_codes TO PUBLIC")
    try:
        text = "SELECT id, status FROM r24a_codes WHERE ssn <> ''"
        asked = await harness.submit("claims-bot", text)
        assert asked.status_code == 202, asked.text
        approval = asked.json()["approval"]["id"]
        voted = await harness.client.post(
            f"/v1/approvals/{approval}/approve", headers=harness.auth("alice"), json={}
        )
        assert voted.status_code == 200, voted.text
        _upstream(
            dba,
            "DROP TABLE r24a_codes; CREATE VIEW r24a_codes AS "
            "SELECT id, last_name AS status, ssn FROM patients; "
            "GRANT SELECT ON r24a_codes TO PUBLIC",
        )
        # Any statement naming a relation the catalog does not know reloads it at once.
        _upstream(dba, "CREATE TABLE r24a_fresh (id int); GRANT SELECT ON r24a_fresh TO PUBLIC")
        fresh = await harness.submit("claims-bot", "SELECT id FROM r24a_fresh")
        assert fresh.status_code == 200, fresh.text
        again = await harness.submit("claims-bot", text)
        rows = again.json().get("result", {}).get("rows", []) if again.status_code == 200 else []
        shown = {str(row[1]) for row in rows} & _surnames(ehr_dsn)
        assert not shown, f"surnames unmasked: {sorted(shown)[:5]}"
        assert again.status_code == 202, again.text  # asked again, as the view reads now
        assert again.json()["approval"]["id"] != approval
    finally:
        _upstream(dba, _DROP_CODES)


# ── held: COPY TO STDOUT with delimiters and quotes that disguise the cells ─────────
def _copy_out(dsn: str, sql: str) -> str:
    try:
        with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor().copy(sql) as copy:
            return b"".join(bytes(block) for block in copy).decode(errors="replace")
    except psycopg.Error as e:
        return error_text(e)


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT last_name, ssn FROM patients) TO STDOUT (FORMAT csv, DELIMITER 'a')",
        "COPY (SELECT last_name, ssn FROM patients) TO STDOUT "
        "(FORMAT csv, QUOTE 'e', ESCAPE 'e', FORCE_QUOTE *)",
        "COPY patients (last_name, ssn) TO STDOUT (FORMAT csv, DELIMITER '\"', QUOTE '''')",
        "COPY (SELECT last_name FROM patients) TO STDOUT (FORMAT text, NULL 'Gaines')",
        "COPY (SELECT first_name || E'\\n' || last_name, ssn FROM patients) TO STDOUT (FORMAT csv)",
    ],
)
def test_held_copy_out_with_disguising_options_leaks_nothing(
    bench: Bench, oracle: Oracle, sql: str
) -> None:
    """docs/pgwire.md: COPY output is masked row by row, read from the parse tree."""
    answer = _copy_out(bench.wire_dsn(), sql)
    leaked = oracle.leaks(answer, sql, _copy_out(bench.copy_dsn, sql))
    assert not leaked, [(n.column, n.text) for n in leaked[:5]]
