"""SessionStore against a migrated state store: what it keeps, what it refuses, and that
migration 0004 builds exactly the tables tables.py describes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from phigate.doors.console.sessions import SessionStore, session_key
from phigate.identity.principal import Principal, PrincipalKind
from phigate.store import Database
from phigate.store.tables import console_logins, console_sessions, metadata

KEY = session_key(b"a token key of at least sixteen bytes")
CAROL = Principal("carol", PrincipalKind.HUMAN, frozenset({"data-owners"}), None, "oidc")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'state.db'}")
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()


def test_a_session_comes_back_whole_and_only_for_its_id(db: Database) -> None:
    store = SessionStore(db, KEY, 60)
    session = store.create(CAROL, "oidc")
    found = store.get(session.id)
    assert found is not None
    assert (found.principal, found.csrf, found.signed_in_with) == (CAROL, session.csrf, "oidc")
    assert found.expires_at == pytest.approx(time.time() + 60, abs=5)
    assert store.get(session.id[:-1] + "x") is None
    assert store.get("x" * 1000) is None and store.get(None) is None
    assert SessionStore(db, session_key(b"another key, other gateway"), 60).get(session.id) is None


def test_sign_out_everywhere_ends_only_that_persons_sessions(db: Database) -> None:
    store = SessionStore(db, KEY, 60)
    first, second = store.create(CAROL, "demo"), store.create(CAROL, "token")
    other = store.create(Principal("bob", PrincipalKind.HUMAN), "demo")
    assert store.end_all("carol") == 2
    assert store.get(first.id) is None and store.get(second.id) is None
    assert store.get(other.id) is not None


def test_an_oidc_sign_in_is_taken_once_and_expires(db: Database) -> None:
    store = SessionStore(db, KEY, 60, login_seconds=60)
    login = store.begin_login({"state": "s", "nonce": "n", "verifier": "v"})
    assert store.login(login.id) == login
    assert store.take_login(login.id) == login
    assert store.take_login(login.id) is None and store.login(login.id) is None
    stale = SessionStore(db, KEY, 60, login_seconds=-1).begin_login()
    assert store.login(stale.id) is None


def test_prune_removes_only_expired_rows(db: Database) -> None:
    store = SessionStore(db, KEY, 60)
    SessionStore(db, KEY, -1).create(CAROL, "demo")
    SessionStore(db, KEY, 60, login_seconds=-1).begin_login()
    live = store.create(CAROL, "demo")
    store.prune()
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(console_sessions)).scalar() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(console_logins)).scalar() == 0
    assert store.get(live.id) is not None


def test_a_short_key_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        SessionStore(db, b"short", 60)


def test_migration_0004_matches_tables_py_and_downgrades(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "console_" in repr(d)] == []  # others' drift is not ours
    ours = {"console_sessions", "console_logins"}
    command.downgrade(db._alembic_config(), "0003")
    assert not ours & set(sa.inspect(db.engine).get_table_names())
    db.migrate()
    assert ours <= set(sa.inspect(db.engine).get_table_names())
