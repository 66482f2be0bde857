"""Replicas (or the workers of `serve --workers N`) starting at once on one state
database: each migrates on start, so the migrations must take turns. Every start
succeeds, the schema ends at head, and one compatibility window is recorded.

The stores are new, at an older build's head, or already at head (a worker after the
supervisor migrated): all three raced before migrations took an advisory lock.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from alembic.script import ScriptDirectory

from phigate.ops.pgserver import EmbeddedPostgres
from phigate.store import SchemaTooNewError
from phigate.store.compat import BREAKING, read_window, window
from phigate.store.database import MIGRATION_LOCK_KEY as LOCK_KEY
from tests.support.migrating import start_on_each
from tests.test_schema_compat import (
    MIGRATIONS,
    copy_migrations,
    database,
    fresh_database,
    head_of,
    newer_build,
    revision_of,
)
from tests.test_workers import wait_for

PROCESSES = 4
ROUNDS = 4  # stores of each kind; before the lock, every kind failed in most rounds


def stores(server: EmbeddedPostgres, tmp_path: Path) -> dict[str, str]:
    """url -> how it starts: new, at the previous build's head, or at this build's head."""
    older = copy_migrations(tmp_path, drop_newest=True)
    made: dict[str, str] = {}
    for _ in range(ROUNDS):
        made[server.dsn(fresh_database(server))] = "new"
        behind = server.dsn(fresh_database(server))
        database(behind, older).migrate()
        made[behind] = "older"
        current = server.dsn(fresh_database(server))
        database(current).migrate()
        made[current] = "at head"
    return made


def start_at_once(urls: list[str]) -> list[tuple[str, str]]:
    """PROCESSES processes migrate each store in turn, all released by one barrier."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(PROCESSES)
    results: multiprocessing.Queue[tuple[str, str]] = spawn.Queue()
    processes = [
        spawn.Process(target=start_on_each, args=(urls, barrier, results)) for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    try:
        return [results.get(timeout=180) for _ in range(PROCESSES * len(urls))]
    finally:
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join()


def test_replicas_migrating_one_store_at_once_take_turns(
    pg_server: EmbeddedPostgres, tmp_path: Path
) -> None:
    kinds = stores(pg_server, tmp_path)
    results = start_at_once(list(kinds))
    failures = [f"{kinds[url]}: {error}" for url, error in results if error]
    assert not failures, "\n".join(failures)
    assert Counter(url for url, _ in results) == dict.fromkeys(kinds, PROCESSES)
    scripts = ScriptDirectory(str(MIGRATIONS))
    head = scripts.get_current_head()
    assert head is not None
    for url in kinds:
        db = database(url)
        assert db.current_revision() == head, kinds[url]
        with db.read() as conn:
            assert read_window(conn) == tuple(window(scripts, head)), kinds[url]


def waiting_on_advisory_lock(server: EmbeddedPostgres, name: str) -> int:
    """Backends of database `name` waiting for an advisory lock."""
    with psycopg.connect(server.dsn(name), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = %s",
            (name,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_migration_waits_its_turn_on_its_own_database_only(
    pg_server: EmbeddedPostgres, caplog: pytest.LogCaptureFixture
) -> None:
    """While another process holds the turn, `migrate` waits (and says so); a store on
    another database of the same server migrates meanwhile; released, it proceeds."""
    held, other = fresh_database(pg_server), fresh_database(pg_server)
    caplog.set_level(logging.INFO, logger="phigate.store.database")
    with psycopg.connect(pg_server.dsn(held), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        waiting = threading.Thread(target=database(pg_server.dsn(held)).migrate)
        waiting.start()
        try:
            wait_for(lambda: waiting_on_advisory_lock(pg_server, held) == 1, "the wait")
            database(pg_server.dsn(other)).migrate()  # not behind the held database's turn
            assert revision_of(pg_server.dsn(other)) == head_of(MIGRATIONS)
            assert waiting.is_alive() and revision_of(pg_server.dsn(held)) is None
        finally:
            holder.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
            waiting.join(120)
    assert not waiting.is_alive()
    assert revision_of(pg_server.dsn(held)) == head_of(MIGRATIONS)
    assert "waiting for another phigate migrating the state store" in caplog.text


def test_a_refused_migration_gives_up_its_turn(pg_server: EmbeddedPostgres, tmp_path: Path) -> None:
    """An older build refusing to downgrade a newer store releases the lock on its way out:
    the next process in line is not left waiting on a pooled connection."""
    name = fresh_database(pg_server)
    database(pg_server.dsn(name), newer_build(tmp_path, (BREAKING,))).migrate()
    older = database(pg_server.dsn(name))
    with pytest.raises(SchemaTooNewError):
        older.migrate()
    with pytest.raises(SchemaTooNewError):
        older.ensure_current(migrate=True)
    with psycopg.connect(pg_server.dsn(name), autocommit=True) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        assert row == (True,)
