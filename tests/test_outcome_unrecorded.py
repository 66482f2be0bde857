"""A run whose outcome cannot be recorded is answered with what is known of it.

An approved write runs and commits upstream; then the state store refuses the
outcome record (a trigger stands in for a full disk). The requester is told `503
outcome_unrecorded`: it ran, and its outcome is not on record, never "not run". The
action ends `interrupted` saying so, with its own audit record, and its approval
stays spent: asking to run it again is refused, so the write is never made twice.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from phigate.core.action_store import UNRECORDED_OUTCOME
from tests.conftest import Harness

UPDATE = "UPDATE claims SET status = 'denied' WHERE id = 4"


def refuse_outcome_records(state_db: Path) -> None:
    """The store refuses every `action.executed` record (and nothing else)."""
    state = sqlite3.connect(state_db)
    state.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON audit_log"
        ' WHEN NEW.record LIKE \'%"event":"action.executed"%\''
        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    state.commit()
    state.close()


async def test_an_unrecorded_write_is_answered_ran_ends_interrupted_and_never_runs_again(
    harness: Harness, ehr_dsn: str, tmp_path: Path
) -> None:
    asked = await harness.submit("claims-bot", UPDATE)
    assert asked.status_code == 202, asked.text
    approval, action = asked.json()["approval"]["id"], asked.json()["id"]
    vote = await harness.client.post(
        f"/v1/approvals/{approval}/approve", headers=harness.auth("alice"), json={}
    )
    assert vote.status_code == 200, vote.text
    with psycopg.connect(ehr_dsn, autocommit=True) as conn:
        conn.execute("UPDATE claims SET status = 'paid' WHERE id = 4")
    refuse_outcome_records(tmp_path / "state.db")
    run = f"/v1/actions/{action}/run"
    ran = await harness.client.post(run, headers=harness.auth("claims-bot"))
    assert ran.status_code == 503, ran.text
    error = ran.json()["error"]
    assert error["code"] == "outcome_unrecorded"
    assert "the action ran" in error["message"] and "not run" not in error["message"]
    with psycopg.connect(ehr_dsn) as conn:
        assert conn.execute("SELECT status FROM claims WHERE id = 4").fetchone() == ("denied",)
    record = harness.gateway.action(action)
    assert record.status == "interrupted"
    assert record.result_summary is not None
    assert record.result_summary[UNRECORDED_OUTCOME]["status"] == "executed"
    assert harness.gateway.approval(approval).state == "executed"  # spent
    again = await harness.client.post(run, headers=harness.auth("claims-bot"))
    assert again.status_code == 409, again.text
    log = await harness.client.get("/v1/audit", headers=harness.auth("admin"))
    [interrupted] = [
        r
        for r in log.json()["records"]
        if r["event"] == "action.interrupted" and r["action_id"] == action
    ]
    assert "it ran" in interrupted["result"]["reason"]
