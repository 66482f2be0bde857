"""Round 34b: a promises-only attack on the PostgreSQL wire door's extended protocol
(written message by message with a raw client: statements replaced between Bind and
Execute, approvals claimed after the session changed, pipelined batches an error skips)
and on binary result formats for masked columns.

Findings are strict xfails (`@finding`); attacks that held stay as cheap tests.
"""

from __future__ import annotations

import asyncio
import struct

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._session_settings import keeps_settings
from tests.adversarial.harness import AGENT, Bench, Oracle
from tests.pgwire.rawclient import RawClient, error_fields

APPROVE = b"approve"  # a step that has a data owner approve every pending request


def _parse(name: str, sql: str, types: tuple[int, ...] = ()) -> bytes:
    body = codec.cstr(name) + codec.cstr(sql) + struct.pack("!h", len(types))
    return codec.message(b"P", body + b"".join(struct.pack("!i", t) for t in types))


def _bind(
    portal: str, statement: str, params: tuple[bytes | None, ...] = (), rfmt: tuple[int, ...] = ()
) -> bytes:
    return codec.build_bind(codec.Bind(portal, statement, (), params, rfmt))


async def _approve_pending(bench: Bench) -> None:
    gateway = bench.gateway
    alice = await gateway.authenticate(bench.tokens["alice"])
    for approval in await asyncio.to_thread(gateway.list_approvals, state="pending"):
        await gateway.vote(approval.id, alice, "approve")


async def _steps(bench: Bench, steps: list[bytes]) -> list[list[codec.Message]]:
    """Each step on one session: a simple Query, APPROVE, or extended messages that
    a Sync ends; the answers of each up to its ReadyForQuery."""
    client = await RawClient.connect(bench.listener.port)
    await client.login(AGENT, bench.tokens[AGENT])
    answers = []
    for step in steps:
        if step == APPROVE:
            await _approve_pending(bench)
            continue
        client.send(step if step.startswith(b"Q") else step + codec.SYNC)
        answers.append(await client.until(b"Z"))
    client.close()
    return answers


def _claim(bench: Bench, claim: int, column: str) -> str:
    with psycopg.connect(bench.ehr_dsn) as conn:
        row = conn.execute(f"SELECT {column}::text FROM claims WHERE id = %s", (claim,)).fetchone()
    return str(row[0]) if row else ""


def _codes(answers: list[list[codec.Message]]) -> list[str]:
    return [error_fields(a).get("C", "ok") for a in answers]


# ── held: the statement a portal runs is the one it was bound from ──────────────
def test_held_a_statement_replaced_between_bind_and_execute_is_judged_as_bound(
    bench: Bench,
) -> None:
    """Promise 1/3: the unnamed statement (or a closed named one) is parsed again as a
    read after its portal was bound to a write; the Execute is judged as the write."""
    evil = "UPDATE claims SET status = 'r34b-evil' WHERE id = 3"
    swaps = [
        _parse("", evil) + _bind("", "") + _parse("", "SELECT 1") + codec.execute("", 0),
        _parse("s1", evil)
        + _bind("p1", "s1")
        + codec.close("S", "s1")
        + _parse("s1", "SELECT 1")
        + codec.execute("p1", 0),
    ]
    codes = _codes(bench.call(_steps(bench, swaps)))
    assert codes == ["55000", "55000"], codes
    assert _claim(bench, 3, "status") != "r34b-evil"


# ── held: a named statement's approval covers one value, once ──────────────────
def test_held_a_prepared_write_approved_for_one_value_runs_it_once(bench: Bench) -> None:
    """Promise 1: a named statement approved for one bound value; re-bound with another
    value it asks again, and the approved value runs once only."""
    again = _bind("", "s18", (b"ok18",)) + codec.execute("", 0)
    other = _bind("", "s18", (b"evil18",)) + codec.execute("", 0)
    steps = [_parse("s18", "UPDATE claims SET status = $1 WHERE id = 18"), again, APPROVE]
    codes = _codes(bench.call(_steps(bench, [*steps, again, other, again])))
    assert codes == ["ok", "55000", "ok", "55000", "55000"], codes
    assert _claim(bench, 18, "status") == "ok18"


# ── held: masked columns asked for in binary come back as masked text ───────────
def test_held_binary_result_formats_are_masked(bench: Bench, oracle: Oracle) -> None:
    for sql in (
        "SELECT ssn, dob, mrn, first_name FROM patients WHERE id = 1",
        "SELECT p FROM patients p WHERE id = 1",
        "SELECT array[dob] FROM patients WHERE id = 1",
        "SELECT convert_to(ssn, 'UTF8') FROM patients WHERE id = 1",
    ):
        step = _parse("", sql) + _bind("", "", rfmt=(1,)) + codec.execute("", 0)
        (answer,) = bench.call(_steps(bench, [step]))
        rows = [m.body for m in answer if m.type == b"D"]
        assert rows and not oracle.found(repr(rows)), (sql, rows)
        assert b"[" in rows[0], (sql, rows)  # a mask token, as text


# ── held: a suspended portal stays masked after its statement is replaced ───────
def test_held_a_suspended_portal_stays_masked_across_changes(bench: Bench, oracle: Oracle) -> None:
    """Promise 2: a portal over `ssn` executed with a row limit inside a transaction;
    its statement closed and parsed again as a kept column, settings changed, then the
    portal executed again: its rows stay masked."""
    more = codec.execute("p1", 2)
    steps = [
        codec.query("BEGIN"),
        _parse("s1", "SELECT ssn, first_name FROM patients")
        + _bind("p1", "s1")
        + codec.execute("p1", 1),
        codec.close("S", "s1") + _parse("s1", "SELECT status, payer FROM claims"),
        more,
        codec.query("SET DateStyle = 'SQL, DMY'"),
        more,
        codec.query("COMMIT"),
    ]
    answers = bench.call(_steps(bench, steps))
    rows = [m.body for a in answers for m in a if m.type == b"D"]
    assert len(rows) == 5 and all(b"[SSN]" in r for r in rows), rows
    assert not oracle.found(repr(rows)), rows


# ── fixed 1: an approval claimed after DateStyle changed what the text means ──
def test_an_approved_write_is_not_claimed_under_other_session_settings(bench: Bench) -> None:
    """Promise 1: an approval is bound to exactly that action. docs/pgwire.md: "the
    same write under other settings is another action". On a session without
    `read_dsn` (the bench's wire door, where the write runs in the client's own
    session) the action carries no `settings`: `'03/04/2024'` is asked for and approved
    while the session reads it as 4 March (ISO, MDY), the agent then sends `SET
    DateStyle = 'ISO, DMY'` (allowed as a read) and the identical Parse/Bind/Execute,
    which claims the approval and stores 3 April. The reviewer approved another date."""
    update = "UPDATE claims SET service_date = $1 WHERE id = 14"
    write = _parse("", update) + _bind("", "", (b"03/04/2024",)) + codec.execute("", 0)
    before = _claim(bench, 14, "service_date")
    steps = [write, APPROVE, codec.query("SET DateStyle = 'ISO, DMY'"), write]
    codes = _codes(bench.call(_steps(bench, steps)))
    after = _claim(bench, 14, "service_date")
    assert after != "2024-04-03", (codes, before, after)


def test_an_approved_simple_query_write_is_not_claimed_under_other_settings(
    bench: Bench,
) -> None:
    """Finding 1 on the simple protocol: the same text after `SET DateStyle` is another
    action, asked for again (55000), not run on the approval given under MDY."""
    write = codec.query("UPDATE claims SET service_date = '03/04/2024' WHERE id = 16")
    steps = [write, APPROVE, codec.query("SET DateStyle = 'ISO, DMY'"), write]
    codes = _codes(bench.call(_steps(bench, steps)))
    assert codes == ["55000", "ok", "55000"], codes
    assert _claim(bench, 16, "service_date") != "2024-04-03"


# ── fixed 2: a write the server skipped after an earlier error spends its approval ─
def test_a_write_the_server_skips_does_not_spend_its_approval(bench: Bench) -> None:
    """Promise 1/4 (docs/pgwire.md: after a failed message "the server skips everything
    up to Sync ... and so does phigate: nothing is judged, asked, run, recorded or
    answered"). An approved write pipelined after `SELECT 1/0` in one batch: the server
    skips it, yet phigate admits it, claims its approval and records the action as
    failed; the write then sent alone asks for approval again (55000). The audit says
    an approved action was tried that never reached the server."""
    update = "UPDATE claims SET status = 'r34b-skip' WHERE id = 15"
    write = _parse("", update) + _bind("", "") + codec.execute("", 0)
    fail = _parse("", "SELECT 1/0") + _bind("", "") + codec.execute("", 0)
    codes = _codes(bench.call(_steps(bench, [write, APPROVE, fail + write, write])))
    assert codes[:2] == ["55000", "22012"], codes
    assert codes[2] == "ok" and _claim(bench, 15, "status") == "r34b-skip", codes


# ── fixed 2, reads: a read the server skipped after an error is not recorded as run ─
def test_a_read_the_server_skips_is_recorded_as_not_run(bench: Bench) -> None:
    """A read pipelined after `SELECT 1/0` in one batch: not waited for (no round trip
    per statement), so it is admitted, and its outcome says it was skipped, never that
    it ran."""
    read = _parse("", "SELECT 'r34b-read' AS marker") + _bind("", "") + codec.execute("", 0)
    fail = _parse("", "SELECT 1/0") + _bind("", "") + codec.execute("", 0)
    since = bench.gateway.audit_head()[0]
    codes = _codes(bench.call(_steps(bench, [fail + read])))
    assert codes == ["22012"], codes
    ended: dict[str, dict[str, object]] = {}
    for _ in range(50):
        records = bench.gateway.audit_records(since=since)
        ids = {r.get("action_id") for r in records if "r34b-read" in repr(r)} - {None}
        ended = {r["event"]: r for r in records if r.get("action_id") in ids}
        if set(ended) & {"action.executed", "action.failed"}:
            break
        bench.call(asyncio.sleep(0.1))
    assert "action.executed" not in ended, ended
    assert "skipped after an error" in repr(ended.get("action.failed")), ended


def test_a_write_pipelined_after_begin_is_asked_for(bench: Bench) -> None:
    """psycopg pipelines `BEGIN` (autocommit off) before a write, one Sync: BEGIN changes
    no setting, so the write behind it is bound to the settings reported at the last
    ReadyForQuery and asked for (55000), not refused (0A000)."""
    begin = _parse("", "BEGIN") + _bind("", "") + codec.execute("", 0)
    write = _parse("", "UPDATE claims SET status = 'r34b-b' WHERE id = 17")
    write += _bind("", "") + codec.execute("", 0)
    codes = _codes(bench.call(_steps(bench, [begin + write])))
    assert codes == ["55000"], codes


@pytest.mark.parametrize(
    ("text", "kinds", "keeps"),
    [
        ("BEGIN", ["TRANSACTION"], True),
        ("SAVEPOINT a", ["TRANSACTION"], True),
        ("UPDATE claims SET status = 'x'", ["UPDATE"], True),
        ("COMMIT", ["TRANSACTION"], False),  # ends a SET LOCAL
        ("ROLLBACK", ["TRANSACTION"], False),  # undoes a SET
        ("BEGIN; SET DateStyle = 'DMY'", ["TRANSACTION", "SET"], False),
        ("UPDATE claims SET status = set_config('DateStyle', 'DMY', false)", ["UPDATE"], False),
        ("BEGIN", ["SET"], False),  # kinds and tree disagree
    ],
)
def test_which_statements_keep_the_sessions_settings(
    text: str, kinds: list[str], keeps: bool
) -> None:
    assert keeps_settings(text, kinds) is keeps
