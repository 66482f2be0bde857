"""Upstream connections for one postgres connection, pooled per event loop.

Opening a connection costs a TCP handshake and a SCRAM exchange on every action;
a pool keeps a few open. Each event loop gets its own pool (an asyncio pool must
not be shared across loops), and a connection is checked before it is handed out,
so an upstream restart costs one failed check, not a failed action. The check is
ours, not the pool's: psycopg_pool sleeps out its reconnect back-off (1 s, then 2 s,
…) after each connection that fails its check, so after a restart, with every idle
connection dead, the first action waited 1–3.7 s. Here a dead connection is handed
back (the pool drops it and opens a new one at once) and the next is tried without
a pause. A caller that opens its transaction with a statement of no effect (the
connector's `BEGIN …; SET LOCAL …`) hands it over as the `opening`: it is sent in
place of the check, so it is the check, and one round trip per action is saved;
only a connection that is dead (closed, or broken by the attempt) is retried.

A read-only transaction's end changes nothing it read: a caller that has its whole
answer (`read_only=True`) goes on while the transaction is rolled back and the
connection handed back behind it (one round trip off its answer); `close` waits for
those ends.

A connection is reset (`DISCARD ALL`) each time it goes back to the pool: no
temporary table, prepared statement, setting or role one principal left on it
reaches the next. A reset that fails drops the connection instead. When every
connection is in use past the checkout timeout the action fails as busy (503);
when the pool could not connect at all it fails as unreachable (502).
`PrincipalSlots` keeps one principal from holding more than its share.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any

import psycopg
from psycopg.types.json import set_json_loads
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from phigate.core.errors import PrincipalBusyError, UpstreamBusyError, UpstreamError
from phigate.masking._json_text import load_bounded

MAX_CONNECTIONS = 10
CHECKOUT_TIMEOUT_SECONDS = 10.0
PROBE_TIMEOUT_SECONDS = 5  # the one direct connect that tells "down" from "busy"
# A statement of no effect that opens the caller's transaction (`UpstreamPool.connection`).
Opening = Callable[[psycopg.AsyncConnection[Any]], Awaitable[None]]


class _OpeningFailed(Exception):
    """The opening failed on a live connection: the caller's error, not a dead link."""

    def __init__(self, error: psycopg.Error) -> None:
        super().__init__(str(error))
        self.error = error


async def reset_connection(conn: psycopg.AsyncConnection[Any]) -> None:
    """Leave nothing for the next user: temp tables, prepared statements, cursors,
    settings, LISTENs, a SET ROLE. DISCARD ALL cannot run inside a transaction."""
    await conn.set_autocommit(True)
    await conn.execute("DISCARD ALL")
    await conn.set_autocommit(False)


class UpstreamPool:
    def __init__(
        self,
        name: str,
        dsn: Any,
        *,
        max_size: int = MAX_CONNECTIONS,
        timeout: float = CHECKOUT_TIMEOUT_SECONDS,
        reader: bool = False,
    ) -> None:
        self._name = name
        self._dsn = dsn  # a SecretRef, revealed only when a pool opens
        self._max_size = max_size
        self._timeout = timeout
        # A reader's rights are checked before its first use: a read_dsn that can
        # write would turn the second guard off without anyone noticing.
        self._unchecked = reader
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncConnectionPool] = (
            weakref.WeakKeyDictionary()
        )
        self._ending: set[asyncio.Task[None]] = set()  # reads ending behind their callers

    async def _pool(self) -> AsyncConnectionPool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = AsyncConnectionPool(
                self._dsn.reveal(),
                min_size=1,
                max_size=self._max_size,
                open=False,
                timeout=self._timeout,
                reset=reset_connection,
                configure=_bounded_json,
                # No automatic server-side prepares: the reset's DISCARD ALL drops them,
                # and psycopg would then fail (and drop the connection) deallocating one.
                kwargs={
                    "autocommit": False,
                    "application_name": "phigate",
                    "connect_timeout": 10,
                    "prepare_threshold": None,
                },
                name=f"phigate-{self._name}",
            )
            self._pools[loop] = pool
            await pool.open()
        return pool

    @contextlib.asynccontextmanager
    async def connection(
        self, opening: Opening | None = None, *, read_only: bool = False
    ) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A connection in a fresh transaction; rolled back if the body raises.

        `opening`: a statement of no effect that starts the caller's transaction; it
        stands in for the liveness check (see the module docstring). Its own error on
        a live connection is raised as it is, like an error of the body.
        `read_only`: the opening made the transaction READ ONLY; once the body ends
        it is rolled back behind the caller (see the module docstring)."""
        pool, conn = await self._checkout(opening)
        if not read_only:
            try:
                async with conn:  # committed, or rolled back if the body raises
                    yield conn
            finally:
                await pool.putconn(conn)  # reset, or dropped if broken
            return
        ended = self._end_read(pool, conn)
        try:
            yield conn
        except BaseException:
            await ended
            raise
        self._behind(ended, conn)

    async def _checkout(
        self, opening: Opening | None
    ) -> tuple[AsyncConnectionPool, psycopg.AsyncConnection[Any]]:
        try:
            pool = await self._pool()
            return pool, await self._checked(pool, opening)
        except PoolTimeout as exc:
            raise await self._timed_out(pool) from exc
        except _OpeningFailed as exc:
            raise exc.error from None
        except psycopg.Error as exc:
            raise self._cannot_connect(exc) from exc

    @staticmethod
    async def _end_read(pool: AsyncConnectionPool, conn: psycopg.AsyncConnection[Any]) -> None:
        with contextlib.suppress(psycopg.Error):  # a broken one is dropped below
            await conn.rollback()
        await pool.putconn(conn)  # reset, or dropped if broken

    def _behind(self, ended: Coroutine[Any, Any, None], conn: psycopg.AsyncConnection[Any]) -> None:
        task = asyncio.create_task(ended, name=f"phigate-{self._name}-end-{conn.info.backend_pid}")
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)

    async def _checked(
        self, pool: AsyncConnectionPool, opening: Opening | None
    ) -> psycopg.AsyncConnection[Any]:
        """A pooled connection that answers. After an upstream restart every idle one
        is dead: each is handed back (the pool drops it and starts opening a new one)
        and the next tried at once, up to one more than the pool holds; only a new
        connection that fails too (the upstream still down) is an error."""
        for _ in range(self._max_size + 1):
            conn = await pool.getconn()
            try:
                await self._open(conn, opening)
            except psycopg.Error as exc:
                await pool.putconn(conn)
                if opening is not None and not (conn.closed or conn.broken):
                    raise _OpeningFailed(exc) from exc
                continue
            except BaseException:
                await pool.putconn(conn)
                raise
            return conn
        raise psycopg.OperationalError("no upstream connection answered its check")

    async def _open(self, conn: psycopg.AsyncConnection[Any], opening: Opening | None) -> None:
        """The check (or the opening in its place); a reader's rights are checked
        before its first use, in a transaction of its own, before the opening."""
        if opening is None or self._unchecked:
            await AsyncConnectionPool.check_connection(conn)
        if self._unchecked:
            await self._check_reader(conn)
        if opening is not None:
            await opening(conn)

    async def _timed_out(self, pool: AsyncConnectionPool) -> UpstreamError:
        """Busy or down: psycopg_pool says PoolTimeout for both.

        Its connect attempts fail in the background, so a database that is down looks
        like a pool whose connections are all in use. Calling it busy sends callers
        into retries and the operator after a leak. Once the pool has seen a connect
        error, one direct attempt tells the two apart; a pool that never failed to
        connect is busy, and stays free of an extra connection when it is.
        """
        if not pool.get_stats().get("connections_errors"):
            return self._busy()
        try:
            probe = await psycopg.AsyncConnection.connect(
                self._dsn.reveal(),
                connect_timeout=PROBE_TIMEOUT_SECONDS,
                application_name="phigate",
            )
        except psycopg.Error as exc:
            return self._cannot_connect(exc)
        await probe.close()
        return self._busy()

    def _busy(self) -> UpstreamBusyError:
        return UpstreamBusyError(
            f"every upstream connection of {self._name!r} is in use; try again shortly"
        )

    def _cannot_connect(self, exc: psycopg.Error) -> UpstreamError:
        # The exception text may hold the host and user: name only the type.
        return UpstreamError(f"cannot connect to upstream {self._name!r}: {type(exc).__name__}")

    async def _check_reader(self, conn: psycopg.AsyncConnection[Any]) -> None:
        await check_reader(conn, self._name)
        await conn.rollback()
        self._unchecked = False

    async def close(self) -> None:
        """Close the pools this loop owns; pools of loops that ended die with them."""
        loop = asyncio.get_running_loop()
        mine = [task for task in self._ending if task.get_loop() is loop]
        await asyncio.gather(*mine, return_exceptions=True)
        for owner, pool in list(self._pools.items()):
            if owner is loop:
                await pool.close()
            elif owner.is_running():
                asyncio.run_coroutine_threadsafe(pool.close(), owner)
        self._pools.clear()


# What the reader role must not be able to do; each true line names a problem.
_READER_PROBLEMS = """
SELECT array_remove(ARRAY[
  CASE WHEN r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR r.rolcreatedb
       THEN 'has superuser, bypassrls, createrole or createdb' END,
  CASE WHEN EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid)
       THEN 'is a member of another role (SET ROLE could switch to it)' END,
  CASE WHEN current_setting('default_transaction_read_only') <> 'on'
       THEN 'does not start read-only (ALTER ROLE … SET default_transaction_read_only = on)' END,
  CASE WHEN has_function_privilege('lo_create(oid)', 'EXECUTE')
         OR has_function_privilege('lo_creat(integer)', 'EXECUTE')
         OR has_function_privilege('lo_from_bytea(oid, bytea)', 'EXECUTE')
       THEN 'may create large objects' END,
  CASE WHEN has_database_privilege(current_database(), 'TEMP')
       THEN 'may create temporary tables' END,
  CASE WHEN has_database_privilege(current_database(), 'CREATE')
       THEN 'may create schemas' END,
  CASE WHEN EXISTS (SELECT 1 FROM pg_namespace n WHERE has_schema_privilege(n.oid, 'CREATE'))
       THEN 'may create objects in a schema' END,
  CASE WHEN EXISTS (
         SELECT 1 FROM pg_class c
         WHERE c.relnamespace NOT IN ('pg_catalog'::regnamespace,
                                      'information_schema'::regnamespace)
           AND ((c.relkind IN ('r', 'p', 'v', 'f', 'm')
                 AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))
             OR (c.relkind = 'S' AND has_sequence_privilege(c.oid, 'USAGE, UPDATE'))))
       THEN 'may change a table or sequence' END
], NULL)
FROM pg_roles r WHERE r.rolname = current_user
"""


async def check_reader(conn: psycopg.AsyncConnection[Any], connection: str) -> None:
    """Raise unless the role `conn` logs in as can neither write nor create anything:
    a read_dsn that can write would turn the second guard off without anyone noticing."""
    row = await (await conn.execute(_READER_PROBLEMS)).fetchone()
    problems = list(row[0]) if row else ["does not exist"]
    if problems:
        raise UpstreamError(
            f"the read_dsn role of {connection!r} is not read-only: it "
            + "; it ".join(problems)
            + " (docs/security-roles.md); refusing to run reads with it"
        )


class PrincipalSlots:
    """How many upstream connections each principal holds; refuses one past `limit`."""

    def __init__(self, name: str, limit: int) -> None:
        self._name = name
        self._limit = limit
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()  # pools live on several event loops

    @contextlib.contextmanager
    def hold(self, subject: str) -> Iterator[None]:
        with self._lock:
            held = self._held.get(subject, 0)
            if held >= self._limit:
                raise PrincipalBusyError(
                    f"{subject!r} already holds {held} upstream connections of "
                    f"{self._name!r} (the limit); wait for one to finish"
                )
            self._held[subject] = held + 1
        try:
            yield
        finally:
            with self._lock:
                self._held[subject] -= 1
                if not self._held[subject]:
                    del self._held[subject]


async def _bounded_json(conn: psycopg.AsyncConnection[Any]) -> None:
    """`json`/`jsonb` values are read with bounded nesting: the server holds values
    thousands of levels deep, and Python's reader would recurse past its limit."""
    set_json_loads(load_bounded, conn)
