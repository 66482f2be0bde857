"""The connection to the state store (SQLite file or PostgreSQL) and its migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from phigate.errors import ConfigError, PhigateError
from phigate.store.private import private_file, tighten

_MIGRATIONS = Path(__file__).parent / "migrations"


class MigrationRequiredError(PhigateError):
    code = "migration_required"
    http_status = 503


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Database:
    """One SQLAlchemy engine. Writes that must serialise use `write()`."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self._prepare_sqlite_file()
            self.engine = sa.create_engine(
                self.url, connect_args={"check_same_thread": False, "timeout": 30}
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "begin", _sqlite_begin_immediate)
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True, pool_size=10)
        # SQLite allows one writer; serialising in-process avoids busy retries.
        self._write_lock = threading.Lock() if self.is_sqlite else None

    def _prepare_sqlite_file(self) -> None:
        """Create the database file 0600 before SQLite does (it would use the umask,
        usually 0644); SQLite gives its -wal and -shm files the database file's mode."""
        path = sa.engine.make_url(self.url).database
        if not path or path == ":memory:" or path.startswith("file:"):
            return
        database = Path(path)
        private_file(database)
        for suffix in ("-wal", "-shm", "-journal"):  # left by an older, wider file
            tighten(database.with_name(database.name + suffix))

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        with self.writer_connection() as conn, self.write_on(conn):
            yield conn

    def writer_connection(self) -> sa.Connection:
        """A connection for writes; one writer may keep it across many transactions
        (the group commit's thread does: no pool checkout and reset per commit)."""
        conn = self.engine.connect()
        return conn.execution_options(sqlite_immediate=True) if self.is_sqlite else conn

    @contextmanager
    def write_on(self, conn: sa.Connection) -> Iterator[sa.Connection]:
        """One write transaction on `conn` (from `writer_connection`), serialised
        in-process on SQLite."""
        with self._write_lock or nullcontext(), conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            yield conn

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        config.attributes["engine"] = self.engine
        return config

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (safe to run repeatedly)."""
        command.upgrade(self._alembic_config(), "head")

    def ensure_current(self, *, migrate: bool) -> None:
        """Migrate, or refuse with a clear message when the schema is behind."""
        if migrate:
            self.migrate()
            return
        current, head = self.current_revision(), self.head_revision()
        if current != head:
            raise MigrationRequiredError(
                f"state store at revision {current or 'empty'} but this phigate needs {head}; "
                "run `phigate migrate` or set state.migrate_on_start: true"
            )

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Disable pysqlite's own transaction handling so BEGIN IMMEDIATE below takes effect.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(conn: sa.Connection) -> None:
    # Writers take the write lock at BEGIN, so a read never has to be upgraded mid-way.
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def check_url(url: str) -> None:
    try:
        sa.engine.make_url(normalise_url(url))
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"state.url: not a database URL: {url!r}") from exc
