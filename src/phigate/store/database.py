"""The connection to the state store (SQLite file or PostgreSQL) and its migrations."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from phigate.core.errors import ConfigError, PhigateError
from phigate.store.compat import Schema, read_window
from phigate.store.hot import HotStatement
from phigate.store.private import private_file, tighten

_MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


class MigrationRequiredError(PhigateError):
    code = "migration_required"
    http_status = 503


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Database:
    """One SQLAlchemy engine. Writes that must serialise use `write()`.

    `migrations` is for tests only: another script directory stands in for an
    older (or newer) build of phigate on the same store.
    """

    def __init__(
        self, url: str, *, migrations: Path | None = None, lock_timeout: float = 5.0
    ) -> None:
        self.url = normalise_url(url)
        # The key audit records are MAC'd with (phigate.audit.mac), set by whoever opens
        # the store with the configuration (`phigate.audit.keys.open_state`); None: no MACs.
        self.record_key: bytes | None = None
        self.migrations = migrations or _MIGRATIONS
        self.schema: Schema | None = None  # what ensure_current found, for /readyz
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self._prepare_sqlite_file()
            self.engine = sa.create_engine(
                self.url, connect_args={"check_same_thread": False, "timeout": 30}
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "begin", _sqlite_begin_immediate)
        else:
            # A session holding a row lock and gone quiet (a frozen replica, a DBA's open
            # transaction on the audit head) must not stall every action: a wait for a
            # lock ends after `lock_timeout` with an error, which callers refuse on.
            options = f"-c lock_timeout={max(1, round(lock_timeout * 1000))}"
            self.engine = sa.create_engine(
                self.url, pool_pre_ping=True, pool_size=10, connect_args={"options": options}
            )
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
        config.set_main_option("script_location", str(self.migrations))
        config.attributes["engine"] = self.engine
        return config

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return self._scripts().get_current_head()

    def _scripts(self) -> ScriptDirectory:
        return ScriptDirectory.from_config(self._alembic_config())

    def inspect_schema(self) -> Schema:
        """The store's revision against this build's head; when the store is newer
        (at a revision this build does not know), the window the newer build recorded."""
        scripts = self._scripts()
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            if current is None or _knows(scripts, current):
                return Schema(current, scripts.get_current_head())
            return Schema(current, scripts.get_current_head(), True, read_window(conn))

    def migrate(self) -> None:
        """Bring the schema to the newest revision (safe to run repeatedly); never
        downgrade a store a newer phigate migrated."""
        with self._in_turn():
            self._migrate()

    def _migrate(self) -> None:
        """`migrate` for a caller already in turn: the check and the upgrade both see
        what the previous process in turn left."""
        schema = self.inspect_schema()
        if schema.newer:
            raise schema.no_downgrade()
        command.upgrade(self._alembic_config(), "head")

    def ensure_current(self, *, migrate: bool) -> Schema:
        """Migrate, or refuse with a clear message when the schema is behind; on a newer
        schema, serve only inside the window it records (and say so)."""
        with self._in_turn() if migrate else nullcontext():
            schema = self.inspect_schema()
            if schema.newer:
                if not schema.serves:
                    raise schema.refusal()
                log.warning("%s", schema.newer_note())
            elif migrate:
                self._migrate()
                schema = self.inspect_schema()
            elif not schema.serves:
                raise MigrationRequiredError(
                    f"state store at revision {schema.database or 'empty'} but this phigate "
                    f"needs {schema.build}; run `phigate migrate` or set "
                    "state.migrate_on_start: true"
                )
        self.schema = schema
        return schema

    @contextmanager
    def _in_turn(self) -> Iterator[None]:
        """One migrating process at a time per PostgreSQL state database.

        Replicas and the workers of `serve --workers N` start at once and each may
        migrate: without turns they raced (two CREATE TABLE alembic_version, the same
        column added twice, two windows written into schema_compatibility). A session
        advisory lock on its own connection spans the schema check, the upgrade and
        the window, whatever transactions a migration uses; the next process then
        finds the schema at head and does nothing. SQLite state has one process.
        """
        if self.is_sqlite:
            yield
            return
        with self.engine.connect() as conn:
            if not conn.execute(_TRY_LOCK, _LOCK_KEY).scalar_one():
                log.info("waiting for another phigate migrating the state store")
                # A migration may take longer than the lock timeout: wait it out.
                conn.execute(_NO_LOCK_TIMEOUT)
                conn.execute(_LOCK, _LOCK_KEY)
            conn.commit()
            try:
                yield
            finally:  # closing the session would release it too, but this goes back to the pool
                conn.execute(_UNLOCK, _LOCK_KEY)
                conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()


# The advisory lock migrations take turns on: a fixed key ("phigate" in ASCII), scoped
# by PostgreSQL to the one database, so stores sharing a server do not wait on each other.
MIGRATION_LOCK_KEY = int.from_bytes(b"phigate", "big")
_LOCK_KEY = {"key": MIGRATION_LOCK_KEY}
_TRY_LOCK = sa.text("SELECT pg_try_advisory_lock(:key)")
_LOCK = sa.text("SELECT pg_advisory_lock(:key)")
_UNLOCK = sa.text("SELECT pg_advisory_unlock(:key)")
_NO_LOCK_TIMEOUT = sa.text("SET LOCAL lock_timeout = 0")


def _knows(scripts: ScriptDirectory, revision: str) -> bool:
    """Exactly: alembic resolves a prefix, so it would take an unknown `001` for `0010`."""
    return any(script.revision == revision for script in scripts.walk_revisions())


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Disable pysqlite's own transaction handling so BEGIN IMMEDIATE below takes effect.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    # Every commit fdatasyncs the WAL before it returns: a record is on disk before the
    # action runs, through a power loss too. NORMAL would sync only at checkpoints (a
    # commit survives a crash of the process, not of the host), and some SQLite builds
    # make that the WAL default (SQLITE_DEFAULT_WAL_SYNCHRONOUS): so it is set here.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(conn: sa.Connection) -> None:
    # Writers take the write lock at BEGIN, so a read never has to be upgraded mid-way.
    # On the driver's cursor (phigate.store.hot): SQLAlchemy's execution machinery
    # cost more than the BEGIN itself, once per transaction of every action.
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    (_BEGIN_IMMEDIATE if immediate else _BEGIN).execute(conn, {}).close()


_BEGIN = HotStatement(sa.text("BEGIN"))
_BEGIN_IMMEDIATE = HotStatement(sa.text("BEGIN IMMEDIATE"))


def check_url(url: str) -> None:
    try:
        sa.engine.make_url(normalise_url(url))
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"state.url: not a database URL: {url!r}") from exc
