"""Byte caps and off-loop masking on the wire, with psycopg: past a cap the client
gets SQLSTATE 54000 (program_limit_exceeded), the session stays usable, and the
statement is audited as failed; large rows are masked off the event loop exactly
as small ones are on it."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.pgwire.conftest import Wire, start_wire


# One clinical note (PHI) in filler, repeated: about 5 kB times {times} per row.
# The note joined to a long constant (repeat over a note would be a condition on it:
# whether it fails past 1 GB depends on the note's length).
def big_notes(*, rows: int, times: int) -> str:
    return (
        f"SELECT id, note_text || ' ' || repeat('lorem ipsum dolor ', {250 * times}) AS body"
        f" FROM clinical_notes ORDER BY id LIMIT {rows}"
    )


MIB = 1024 * 1024


async def _wire(tmp_path: Path, dsn: str, **limits: Any) -> Wire:
    harness, listener = await start_wire(tmp_path, dsn, overrides={"limits": limits})
    return Wire(harness, listener)


async def _close(wire: Wire) -> None:
    await wire.listener.close()
    await wire.harness.gateway.close()


def _cursor(conn: psycopg.AsyncConnection[Any], protocol: str) -> Any:
    # ClientCursor sends a simple Query; the default cursor Parse/Bind/Execute.
    return psycopg.AsyncClientCursor(conn) if protocol == "simple" else conn.cursor()


@pytest.mark.parametrize("protocol", ["simple", "extended"])
@pytest.mark.parametrize(
    ("limits", "sql", "says"),
    [
        ({"max_value_bytes": 64 * 1024}, big_notes(rows=1, times=200), "max_value_bytes"),
        ({"max_result_bytes": 2 * MIB}, big_notes(rows=5, times=200), "max_result_bytes"),
    ],
    ids=["value", "result"],
)
async def test_a_value_or_result_past_its_cap_is_54000(
    tmp_path: Path, ehr_dsn: str, protocol: str, limits: dict[str, int], sql: str, says: str
) -> None:
    wire = await _wire(tmp_path, ehr_dsn, **limits)
    try:
        conn = await psycopg.AsyncConnection.connect(wire.dsn("claims-bot"), autocommit=True)
        async with conn:
            with pytest.raises(psycopg.Error) as caught:
                await _cursor(conn, protocol).execute(sql)
            assert caught.value.sqlstate == "54000"
            assert says in str(caught.value)
            cur = await _cursor(conn, protocol).execute("SELECT 1 AS still_here")
            assert await cur.fetchall() == [(1,)]
        await asyncio.sleep(0.3)  # results are recorded beside the session
        records = wire.harness.gateway.audit_records()
        failed = [r for r in records if r["event"] == "action.failed"]
        assert failed and failed[0]["result"]["error_class"] == "result_too_large"
    finally:
        await _close(wire)


async def test_large_rows_are_masked_off_the_loop_exactly_as_inline(
    tmp_path: Path, ehr_dsn: str
) -> None:
    sql = big_notes(rows=3, times=40)  # about 200 kB a row
    answers = []
    wire = await _wire(tmp_path, ehr_dsn)
    gateway = wire.harness.gateway
    try:
        for inline in (0, 64 * MIB):  # every row off the loop; every row on it
            limits = gateway.settings.limits.model_copy(update={"inline_mask_bytes": inline})
            gateway.settings = gateway.settings.model_copy(update={"limits": limits})
            conn = await psycopg.AsyncConnection.connect(wire.dsn("claims-bot"), autocommit=True)
            async with conn:
                for protocol in ("simple", "extended"):
                    cur = await _cursor(conn, protocol).execute(sql)
                    answers.append(await cur.fetchall())
    finally:
        await _close(wire)
    assert len(answers[0]) == 3 and all(a == answers[0] for a in answers)
    assert all(len(body) > 150_000 for _id, body in answers[0])
    plain = "lorem ipsum dolor " * 250
    assert all(body.count(plain) == 40 for _id, body in answers[0])
    with psycopg.connect(ehr_dsn) as direct:
        notes = direct.execute("SELECT note_text FROM clinical_notes ORDER BY id LIMIT 3")
        raw = [note for (note,) in notes]
    assert all(note not in body for note, (_id, body) in zip(raw, answers[0], strict=True))


async def test_a_row_no_cap_could_pass_ends_the_session_unbuffered(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """A DataRow longer than max_result_bytes is refused from its header: the gateway
    does not buffer it to find out; the session ends, the gateway serves on."""
    wire = await _wire(tmp_path, ehr_dsn, max_result_bytes=MIB)
    try:
        conn = await psycopg.AsyncConnection.connect(wire.dsn("claims-bot"), autocommit=True)
        async with conn:
            with pytest.raises(psycopg.OperationalError):
                await conn.execute(big_notes(rows=1, times=1000))  # one 5 MB row
        async with await psycopg.AsyncConnection.connect(
            wire.dsn("claims-bot"), autocommit=True
        ) as again:
            cur = await again.execute("SELECT 1 AS still_serving")
            assert await cur.fetchall() == [(1,)]
    finally:
        await _close(wire)


def masking_now() -> bool:
    """Whether a masking-pool thread is running phigate code (not idle on its queue)."""
    frames = sys._current_frames()
    for thread in threading.enumerate():
        frame = frames.get(thread.ident) if thread.name.startswith("phigate-mask") else None
        while frame is not None:
            if f"{os.sep}phigate{os.sep}" in frame.f_code.co_filename:
                return True
            frame = frame.f_back
    return False


async def test_other_sessions_are_served_while_a_50_mb_result_is_masked(
    tmp_path: Path, ehr_dsn: str
) -> None:
    wire = await _wire(tmp_path, ehr_dsn)

    def big_read() -> int:  # a client of its own, on its own thread
        with psycopg.connect(wire.dsn("claims-bot"), autocommit=True) as conn:
            rows = conn.execute(big_notes(rows=8, times=1400)).fetchall()  # 8 x 6.7 MB
            return sum(len(body) for _id, body in rows)

    try:
        big = asyncio.create_task(asyncio.to_thread(big_read), name="big-wire-read")
        served = during_masking = 0
        async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
            while not big.done():
                masking_before = masking_now()
                await conn.execute("SELECT 1")
                served += 1
                # Sent and answered while a row was being masked: the loop was free.
                during_masking += masking_before and masking_now() and not big.done()
                await asyncio.sleep(0.02)
        size = await big
    finally:
        await _close(wire)
    print(f"\nSELECT 1 while {size} B are masked: {served}, {during_masking} within one masking")
    # Counts, not speed (that is bench/): masking on the event loop would leave no
    # statement both sent and answered while a masking thread worked.
    assert size > 50_000_000 and served >= 5
    assert during_masking >= 1
