"""Round 20b: a promises-only attack on what changed this hour, data and connector side.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from phigate.ops.pgserver import EmbeddedPostgres
from phigate.pipeline import execution
from tests.adversarial.harness import Bench
from tests.conftest import Harness
from tests.connectors.support import harness_with
from tests.pgwire.conftest import Wire, serving

# ── helm: a status in debug mode prints the release's values and manifests ─────
RECORDER = """#!/bin/sh
printf '%s\\n' "$@" >> "$RECORD"
"""


@pytest.fixture
async def helm(tmp_path: Path) -> AsyncIterator[Harness]:
    """The REST door over an exec connection whose `helm` only records its argv."""
    program = tmp_path / "bin" / "helm"
    program.parent.mkdir()
    program.write_text(RECORDER)
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    settings = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(work),
        "env": {"RECORD": str(tmp_path / "ran"), "HOME": str(tmp_path)},
        "timeout_seconds": 20,
        "rule_sets": ["helm"],
    }
    h = await harness_with(tmp_path, {"deploy": settings})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _run_helm(h: Harness, *argv: str) -> httpx.Response:
    body = {"connection": "deploy", "argv": ["helm", *argv]}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


@pytest.mark.parametrize("argv", [["status", "api", "--debug"], ["--debug", "status", "api"]])
async def test_helm_status_in_debug_mode_is_an_export(
    helm: Harness, tmp_path: Path, argv: list[str]
) -> None:
    """docs/exec.md: `helm get values/manifest/all` and `status -o json|yaml` are
    `export` ("the whole release: values and rendered manifests"). helm's own
    `status` printer (cmd/helm/status.go, `statusPrinter.WriteTable`) writes, when the
    global `--debug` is set, `USER-SUPPLIED VALUES:`, `COMPUTED VALUES:`, every hook
    and `MANIFEST:` — the rendered Secrets — in its table form. `--debug` is on helm's
    global flag list and the table output is not checked, so it runs at once as a
    read under the demo policy, with the gateway's cluster credentials."""
    response = await _run_helm(helm, *argv)
    ran = tmp_path / "ran"
    assert response.status_code != 200 and not ran.exists(), (
        f"ran as a read ({ran.read_text() if ran.exists() else ''!r}): {response.text[:300]}"
    )


async def test_held_helm_status_without_debug_is_a_read(helm: Harness, tmp_path: Path) -> None:
    table = await _run_helm(helm, "status", "api", "--show-resources")
    assert table.status_code == 200, table.text
    exported = await _run_helm(helm, "get", "all", "api")
    assert exported.status_code == 202, exported.text


# ── the wire door: outcomes recorded behind the answer ────────────────────────
BIG_READ = "SELECT g, repeat('x', 2000) AS pad FROM generate_series(1, 300000) AS g"


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    async with serving(tmp_path, ehr_dsn, approval_wait_seconds=0.3) as served:
        yield served


def _statuses(wire: Wire, sql: str) -> list[str]:
    return [str(r.status) for r in wire.harness.gateway.recent_actions() if r.action.sql == sql]


async def _until(
    condition: Callable[[], bool],
    what: str,
    seconds: float = 30.0,
    extra: Callable[[], object] = lambda: "",
) -> None:
    deadline = time.monotonic() + seconds
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {extra()}"
        await asyncio.sleep(0.05)


def _refuse_every_outcome(state_db: Path) -> None:
    """The store refuses every `action.executed` and `action.failed` record."""
    state = sqlite3.connect(state_db)
    state.execute(
        "CREATE TRIGGER no_outcome BEFORE INSERT ON audit_log"
        ' WHEN NEW.record LIKE \'%"event":"action.executed"%\''
        ' OR NEW.record LIKE \'%"event":"action.failed"%\''
        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    state.commit()
    state.close()


def _hang_up_mid_result(dsn: str, sql: str) -> None:
    """Send `sql`, read the first bytes of its answer, then drop the connection."""
    conn = psycopg.connect(dsn, autocommit=True)
    try:
        conn.pgconn.send_query(sql.encode())
        conn.pgconn.flush()
        with socket.socket(fileno=os.dup(conn.pgconn.socket)) as sock:
            sock.settimeout(30)
            assert sock.recv(65536), "no answer began"
            sock.shutdown(socket.SHUT_RDWR)
    finally:
        with contextlib.suppress(psycopg.Error):
            conn.close()


async def test_held_a_read_the_client_hung_up_on_is_recorded(wire: Wire) -> None:
    await asyncio.to_thread(_hang_up_mid_result, wire.dsn("claims-bot"), BIG_READ)
    await _until(lambda: bool(_statuses(wire, BIG_READ)), "the read to be asked")
    ended = {"executed", "failed", "interrupted"}
    await _until(lambda: set(_statuses(wire, BIG_READ)) <= ended, "its outcome on record")
    verified = await asyncio.to_thread(wire.harness.gateway.verify_audit)
    assert verified.ok, verified


async def test_held_a_hung_up_read_whose_outcome_is_refused_ends_interrupted(
    wire: Wire, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/pgwire.md: a read's outcome the log cannot record ends `interrupted`
    (after retrying through an outage, shortened here)."""
    monkeypatch.setattr(execution, "OUTCOME_RETRY_SECONDS", 1.0)
    _refuse_every_outcome(tmp_path / "state.db")
    await asyncio.to_thread(_hang_up_mid_result, wire.dsn("claims-bot"), BIG_READ)
    await _until(lambda: bool(_statuses(wire, BIG_READ)), "the read to be asked")
    await _until(
        lambda: _statuses(wire, BIG_READ) == ["interrupted"],
        "it to end interrupted",
        extra=lambda: _statuses(wire, BIG_READ),
    )
    verified = await asyncio.to_thread(wire.harness.gateway.verify_audit)
    assert verified.ok, verified


def _read_until_killed(dsn: str, sql: str) -> str:
    """Run `sql` on the wire and read it whole; what ended it."""
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql).fetchall()
    except psycopg.Error as exc:
        return f"{exc.sqlstate}: {exc}"
    return "completed"


def _kill_upstream(superuser_dsn: str) -> bool:
    with psycopg.connect(superuser_dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE query LIKE %s AND pid <> pg_backend_pid()",
            ("%repeat(g::text, 20000)%",),
        ).fetchone()
    return bool(row and row[0])


async def test_held_a_read_whose_upstream_session_is_killed_is_recorded(
    wire: Wire, pg_server: EmbeddedPostgres
) -> None:
    sql = "SELECT g, md5(repeat(g::text, 20000)) AS h FROM generate_series(1, 300000) AS g"
    reading = asyncio.create_task(
        asyncio.to_thread(_read_until_killed, wire.dsn("claims-bot"), sql)
    )
    await _until(
        lambda: _kill_upstream(pg_server.dsn()),
        "the upstream session to be killed",
        extra=lambda: (reading.done() and reading.result(), _statuses(wire, sql)),
    )
    ended = await reading
    assert ended != "completed", ended
    await _until(
        lambda: _statuses(wire, sql) in (["failed"], ["interrupted"]),
        "its outcome on record",
        extra=lambda: _statuses(wire, sql),
    )
    verified = await asyncio.to_thread(wire.harness.gateway.verify_audit)
    assert verified.ok, verified


async def test_held_reads_answered_just_before_the_gateway_closes_are_recorded(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/pgwire.md: "closing the gateway commits what is waiting" — the outcomes of
    reads answered just before a shutdown, their client still connected, are on record."""
    statements = [f"SELECT {n} AS just_before_close" for n in range(25)]
    conn: psycopg.AsyncConnection[Any] | None = None
    try:
        async with serving(tmp_path, ehr_dsn) as served:
            conn = await psycopg.AsyncConnection.connect(served.dsn("claims-bot"), autocommit=True)
            for sql in statements:
                await conn.execute(sql)
    finally:
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                await conn.close()
    state = sqlite3.connect(tmp_path / "state.db")
    try:
        rows = state.execute(
            "SELECT status, count(*) FROM actions WHERE body LIKE '%just_before_close%'"
            " GROUP BY status"
        ).fetchall()
    finally:
        state.close()
    assert dict(rows) == {"executed": len(statements)}, rows


SLOW_READ = "SELECT g, md5(repeat(g::text, 20000)) AS h FROM generate_series(1, 300000) AS g"


async def test_held_a_read_running_when_the_gateway_closes_is_recorded(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """A read still streaming when the gateway shuts down is not left `executing`."""
    async with serving(tmp_path, ehr_dsn) as served:
        reading = asyncio.create_task(
            asyncio.to_thread(_read_until_killed, served.dsn("claims-bot"), SLOW_READ)
        )
        await _until(lambda: _statuses(served, SLOW_READ) == ["executing"], "the read to run")
    ended = await reading
    assert ended != "completed", ended
    state = sqlite3.connect(tmp_path / "state.db")
    try:
        rows = state.execute(
            "SELECT status FROM actions WHERE body LIKE '%repeat(g::text, 20000)%'"
        ).fetchall()
    finally:
        state.close()
    assert rows in ([("failed",)], [("interrupted",)]), rows


# ── masking: a note over 1 MiB is masked window by window ───────────────────────
NOTE_HEAD = "Patient Zebulon Quarrington was seen today. "
NOTE_TAIL = " Plan discussed; Quarrington agreed."
FILLER = "The wound was dressed and the dressing was changed. "
# A CSV export pasted into a note: the header names the columns, the rows hold no cue.
CSV_HEAD = "visit_id,patient,member,status\n10001,zebulon quarrington,QX77812,closed\n"
CSV_FILLER = "10002,n/a,n/a,open\n"
CSV_TAIL = "10003,ada quillfeather,QX99123,closed\n"


@pytest.fixture
def long_notes(bench: Bench, pg_server: EmbeddedPostgres) -> Iterator[dict[int, str]]:
    """Two notes of one patient that name him twice, once by his cue (`Patient …`):
    one of a few hundred bytes, one over 1 MiB (a pasted transcript); and a CSV export
    pasted as a note, short and over 1 MiB. id → text."""
    dbname = str(psycopg.conninfo.conninfo_to_dict(bench.ehr_dsn)["dbname"])
    notes = {
        900001: NOTE_HEAD + FILLER * 10 + NOTE_TAIL,
        900002: NOTE_HEAD + FILLER * 21000 + NOTE_TAIL,
        900003: CSV_HEAD + CSV_FILLER * 10 + CSV_TAIL,
        900004: CSV_HEAD + CSV_FILLER * 60000 + CSV_TAIL,
    }
    with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
        for note_id, text in notes.items():
            owner.execute(
                "INSERT INTO clinical_notes (id, patient_id, author, written_at, note_text)"
                " SELECT %s, min(id), 'Dr. Ames', now(), %s FROM patients",
                (note_id, text),
            )
    try:
        yield notes
    finally:
        with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
            owner.execute("DELETE FROM clinical_notes WHERE id = ANY(%s)", (list(notes),))


def _note_tail(bench: Bench, note_id: int) -> str:
    out = bench.rest(f"SELECT note_text FROM clinical_notes WHERE id = {note_id}")
    assert out.status == "executed", out.detail
    rows = json.loads(out.text.split("\n", 1)[0])["result"]["rows"]
    return str(rows[0][0])[-60:]


def test_held_a_name_found_in_a_short_note_is_masked_everywhere_in_it(
    bench: Bench, long_notes: dict[int, str]
) -> None:
    tail = _note_tail(bench, 900001)
    assert "Quarrington" not in tail and tail.endswith("; [PERSON] agreed."), tail


def test_a_name_found_in_a_long_note_is_masked_everywhere_in_it(
    bench: Bench, long_notes: dict[int, str]
) -> None:
    """docs/masking.md: a name found once in a text is masked wherever it recurs in
    that text (the short note above: `Plan discussed; [PERSON] agreed.`). A value over
    1 MiB is "scanned in overlapping windows" (`Masker._mask_long`), each window
    found alone: the patient's name the first window found by its cue is left as it
    is where it recurs past the first MiB. The same name, the same sentence; only
    the note's length differs."""
    tail = _note_tail(bench, 900002)
    assert "Quarrington" not in tail, tail


# ── exec: a name found in one block of output, recurring in a later block ──────
REPORT = """#!/bin/sh
echo 'Patient Zebulon Quarrington was seen today.'
i=0
while [ $i -lt "$1" ]; do
  echo 'The wound was dressed and the dressing was changed as planned.'
  i=$((i + 1))
done
echo 'Plan discussed; Quarrington agreed.'
"""


@pytest.fixture
async def reporter(tmp_path: Path) -> AsyncIterator[Harness]:
    """The REST door over an exec connection whose `report` prints a ~190 KB note."""
    program = tmp_path / "bin" / "report"
    program.parent.mkdir()
    program.write_text(REPORT)
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    settings = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(work),
        "timeout_seconds": 20,
        "rules": [{"name": "report", "program": "report", "args": [], "risk": "read"}],
    }
    h = await harness_with(tmp_path, {"reports": settings})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _report(h: Harness, lines: int) -> str:
    body = {"connection": "reports", "argv": ["report", str(lines)]}
    response = await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["result"]["stdout"])


async def test_held_a_name_found_in_short_exec_output_is_masked_where_it_recurs(
    reporter: Harness,
) -> None:
    stdout = await _report(reporter, 3)
    assert "Quarrington" not in stdout and stdout.endswith("; [PERSON] agreed.\n"), stdout


async def test_a_name_found_early_in_exec_output_is_masked_where_it_recurs(
    reporter: Harness,
) -> None:
    """docs/exec.md: output is masked block by block, each "scanned with the end of the
    same stream's earlier output (256 characters …)". A patient named with his cue on
    the first line is masked there, but where his surname recurs ~190 KB later, in a
    later block, nothing carries the name found: it leaves as it is."""
    stdout = await _report(reporter, 3000)
    assert stdout.startswith("Patient [PERSON]"), stdout[:100]
    assert "Quarrington" not in stdout, stdout[-80:]


def test_held_a_short_csv_export_in_a_note_is_masked_by_its_header(
    bench: Bench, long_notes: dict[int, str]
) -> None:
    tail = _note_tail(bench, 900003)
    assert "quillfeather" not in tail and "[PERSON]" in tail, tail


def test_a_csv_export_over_a_mib_in_a_note_is_masked_by_its_header(
    bench: Bench, long_notes: dict[int, str]
) -> None:
    """The same root as above, an export's worth of it: a CSV pasted into a note is
    masked by its header (`patient` column: `[PERSON]`) in a short note, but the
    rows past the first MiB are masked with no header, and a lower-case name in the
    `patient` column leaves as it is."""
    tail = _note_tail(bench, 900004)
    assert "quillfeather" not in tail, tail
