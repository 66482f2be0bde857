"""State files are the gateway user's alone (issue 15, item 10): the SQLite state store
and its -wal/-shm, the demo's keys and credentials, 0600 in new 0700 directories,
whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from phigate.ops.demo.runner import _secret_file
from phigate.store import Database
from phigate.store.private import write_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual umask, which would leave files 0644 and directories 0755."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_the_state_database_and_its_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "phigate" / "state.db"
    database = Database(f"sqlite:///{path}")
    try:
        database.migrate()
        with database.write() as conn:  # WAL and shared-memory files exist while in use
            conn.execute(sa.text("SELECT 1"))
            files = [path, path.with_name("state.db-wal"), path.with_name("state.db-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        database.dispose()
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700


def test_an_older_wider_state_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    Database(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600


def test_demo_secrets_and_credentials_are_private(tmp_path: Path) -> None:
    key = tmp_path / "demo" / "secrets" / "token_hash_key"
    assert _secret_file(key, lambda: "k" * 32) == "k" * 32
    credentials = tmp_path / "home" / "credentials.json"
    write_private(credentials, "{}")
    assert mode(key) == 0o600 and mode(credentials) == 0o600
    assert mode(key.parent) == 0o700 and mode(key.parent.parent) == 0o700
