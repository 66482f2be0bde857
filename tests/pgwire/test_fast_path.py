"""Work done once per prepared statement (its decision, its row masker) is reused
only where it cannot change the outcome: every run is still decided, recorded
before it runs, masked and audited, each with its own parameters and counts."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg

from tests.pgwire.conftest import Wire

BY_ID = "SELECT id, ssn, first_name FROM patients WHERE id = %s"


async def _executed(wire: Wire, ids: set[str], n: int) -> list[dict[str, Any]]:
    """The `action.executed` records of `ids`, once `n` are there: results are recorded
    beside the session, so this polls (until a deadline) for the condition itself."""
    deadline = time.monotonic() + 10
    while True:
        records = wire.harness.gateway.audit_records()
        found = [r for r in records if r["event"] == "action.executed" and r["action_id"] in ids]
        if len(found) >= n or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.02)


async def test_every_run_of_a_prepared_statement_is_recorded_masked_and_audited(
    wire: Wire,
) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        for patient in (1, 2, 3):
            cur = await conn.execute(BY_ID, [patient], prepare=True)
            rows = await cur.fetchall()
            assert [(r[0], r[1]) for r in rows] == [(patient, "[SSN]")]
    records = wire.harness.gateway.audit_records()
    runs = [
        r
        for r in records
        if r["event"] in ("action.requested", "action.admitted")
        and "WHERE id" in r["what"]["body"]["sql"]
    ]
    assert [r["what"]["body"]["params"] for r in runs] == [[1], [2], [3]]  # binary int4
    ids = {r["action_id"] for r in runs}
    executed = await _executed(wire, ids, 3)
    assert len(executed) == 3
    # Each run's own count: a masker reused across runs neither loses nor carries counts.
    assert [r["result"]["masked"].get("SSN") for r in executed] == [1, 1, 1]
    assert [r["result"]["rows"] for r in executed] == [1, 1, 1]
    assert wire.harness.gateway.verify_audit().ok


async def test_sampling_starts_over_on_each_run_of_a_prepared_statement(wire: Wire) -> None:
    """A column classified from its values (a parameter cast to text) is sampled anew
    on each run with the reused masker: the second run is masked as a first would be."""
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        query = "SELECT %s::text AS v"
        first = await (await conn.execute(query, ["hello"], prepare=True)).fetchall()
        second = await (await conn.execute(query, ["123-45-6789"], prepare=True)).fetchall()
    assert first == [("hello",)]
    assert second[0][0] != "123-45-6789" and "SSN" in second[0][0]
