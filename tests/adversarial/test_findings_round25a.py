"""Round 25a: a promises-only attack on the wire door's session state (prepared
statements, cursors and transactions out of step, extended-protocol batches) and on
the audit store failing mid-action.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests. The store is made to fail the way a full disk or a broken constraint
does: a SQLite trigger refuses the one audit record named, so everything before it
is written and that record is not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.adversarial.doors import SIMPLE, WIRE, cases
from tests.adversarial.harness import Bench, Oracle, run_direct

# ── the wire door: names whose meaning the server keeps across a rollback ─────
# PREPARE and DEALLOCATE are not transactional upstream: what a rolled-back block
# prepared stays prepared, and what it deallocated stays gone.
_STATE_GAMES = cases(
    WIRE,
    (
        "PREPARE r25a_p AS SELECT id, status FROM claims",
        "BEGIN",
        "DEALLOCATE r25a_p",
        "PREPARE r25a_p AS SELECT id, ssn AS status FROM patients",
        "ROLLBACK",
        "EXECUTE r25a_p",
    ),
    (
        "PREPARE r25a_q AS SELECT id, status FROM claims",
        "BEGIN",
        "DEALLOCATE ALL",
        "PREPARE r25a_q AS SELECT id, ssn AS status FROM patients",
        "ROLLBACK",
        "EXECUTE r25a_q",
    ),
    (
        "BEGIN",
        "PREPARE r25a_r AS SELECT id, ssn FROM patients",
        "SELECT 1/0",
        "ROLLBACK",
        "EXECUTE r25a_r",
    ),
    (
        "BEGIN",
        "DECLARE r25a_c CURSOR WITH HOLD FOR SELECT id, status FROM claims",
        "COMMIT",
        "BEGIN",
        "CLOSE r25a_c",
        "DECLARE r25a_c CURSOR WITH HOLD FOR SELECT id, ssn AS status FROM patients",
        "COMMIT",
        "FETCH ALL FROM r25a_c",
    ),
)


@pytest.mark.parametrize(("door", "statements"), _STATE_GAMES)
def test_held_names_followed_across_rollbacks(
    bench: Bench, oracle: Oracle, door: str, statements: list[str]
) -> None:
    """Promise 2: a name redefined inside a rolled-back block is masked as what it
    means upstream afterwards."""
    outcome = bench.wire(statements, simple=door == SIMPLE)
    direct = run_direct(bench.copy_dsn, statements)
    leaked = oracle.leaks(outcome.text, "; ".join(statements), direct)
    assert not leaked, [n.text for n in leaked[:5]]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT nextval('claims_id_seq')",
        "SELECT setval('claims_id_seq', 1)",
        "SELECT lo_from_bytea(0, 'x')",
        "SELECT lo_import('/etc/hostname')",
        "SELECT pg_advisory_lock(25)",
        "SET SESSION AUTHORIZATION DEFAULT",
        "RESET ALL",
        "DISCARD ALL",
    ],
)
def test_held_state_changers_on_the_extended_protocol(bench: Bench, sql: str) -> None:
    """Promise 1: sequences, large objects, locks and session resets sent with
    Parse/Bind/Execute wait for approval or are denied."""
    outcome = bench.wire([sql], simple=False)
    assert outcome.status in ("approval", "denied"), outcome.text[:300]


# ── the audit store failing mid-action ─────────────────────────────────────────
@pytest.fixture
def fresh(ehr_dsn: str, tmp_path: Path) -> Iterator[Bench]:
    """A gateway of its own (its state store is broken by the test). Its wire
    listener logs in with the connection's `dsn` and no `read_dsn` (optional,
    docs/configuration.md)."""
    b = Bench(ehr_dsn, ehr_dsn, tmp_path).start()
    try:
        yield b
    finally:
        b.close()


def _refuse_record(bench: Bench, event: str) -> None:
    """From now on the state store refuses to append an audit record of `event`."""
    with sqlite3.connect(bench.tmp / "state.db") as db:
        db.execute(
            "CREATE TRIGGER r25a_full BEFORE INSERT ON audit_log "
            f"WHEN json_extract(NEW.record, '$.event') = '{event}' "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )


def _approve_last_request(bench: Bench) -> None:
    records = bench.gateway.audit_records(since=0, limit=100_000)
    approval_id = [r for r in records if r["event"] == "action.decided"][-1]["approval_id"]
    voted = bench.call(
        bench.client.post(
            f"/v1/approvals/{approval_id}/approve",
            headers={"Authorization": f"Bearer {bench.tokens['alice']}"},
            json={},
        )
    )
    assert voted.status_code == 200, voted.text


def _claim_status(dsn: str, claim: int) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT status FROM claims WHERE id = %s", (claim,)).fetchone()
    return str(row[0]) if row else ""


def _write(conn: psycopg.Connection[object], simple: bool, claim: int) -> str:
    try:
        if simple:
            cur = psycopg.ClientCursor(conn)
            cur.execute(f"UPDATE claims SET status = 'r25a-paid' WHERE id = {claim}")
        else:
            cur = conn.cursor()
            cur.execute("UPDATE claims SET status = %s WHERE id = %s", ("r25a-paid", claim))
        return f"ok {cur.statusmessage}"
    except psycopg.Error as e:
        return f"error {e.sqlstate} {e}"


@pytest.mark.parametrize("simple", [True, False], ids=["simple", "extended"])
def test_an_approved_wire_write_is_never_reported_done_unrecorded(
    fresh: Bench, ehr_dsn: str, simple: bool
) -> None:
    """Promise 4 ("never report success without the outcome recorded"); docs/pgwire.md:
    "An approved write that ran but whose outcome the audit log cannot record is
    `08007` (transaction_resolution_unknown), saying it ran"; docs/rest.md: REST says
    `503 outcome_unrecorded` (it does, through the same store failure). On a wire
    session without `read_dsn`, the approved write runs in the client's session and
    its outcome is queued behind the answer as a read's is (`Execution.finish_behind`,
    `GroupCommit.put_behind`): the client is told `UPDATE 1`, and the log holds
    `action.execution_started` and nothing after it."""
    claim = 80 if simple else 81
    with psycopg.connect(fresh.wire_dsn(), autocommit=True) as conn:
        asked = _write(conn, simple, claim)
        assert asked.startswith("error 55000"), asked  # waits for approval
        _approve_last_request(fresh)
        _refuse_record(fresh, "action.executed")
        answer = _write(conn, simple, claim)
    ran = _claim_status(ehr_dsn, claim) == "r25a-paid"
    events = [r["event"] for r in fresh.gateway.audit_records(since=0, limit=100_000)]
    assert ran, answer  # the approved write ran upstream
    assert not answer.startswith("ok"), (
        f"the client was told {answer!r}; the log ends {events[-3:]}"
    )


@pytest.mark.parametrize("simple", [True, False], ids=["simple", "extended"])
def test_held_an_approved_wire_write_does_not_run_unrecorded(
    fresh: Bench, ehr_dsn: str, simple: bool
) -> None:
    """Promise 4: when the start of an approved write cannot be recorded, it does not
    run, and the client hears an error."""
    claim = 82 if simple else 83
    with psycopg.connect(fresh.wire_dsn(), autocommit=True) as conn:
        asked = _write(conn, simple, claim)
        assert asked.startswith("error 55000"), asked
        _approve_last_request(fresh)
        _refuse_record(fresh, "action.execution_started")
        answer = _write(conn, simple, claim)
    assert answer.startswith("error"), answer
    assert _claim_status(ehr_dsn, claim) != "r25a-paid", answer
