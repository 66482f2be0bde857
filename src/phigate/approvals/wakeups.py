"""Wake-ups for requests waiting on an approval, across processes and hosts.

    decision on any replica ──► pg_notify(CHANNEL, approval id) in its transaction
                                    │ delivered at commit, to every listening process
    one LISTEN connection per process ──► DecisionWakeups.wake(id) ──► its waiters

A decision made in this process also wakes its waiters directly (the approval
service's `approval.decided` event), so SQLite, which has no notifications,
wakes local waiters at once too. A waiter re-reads the store when woken; a
notification only says "look now", never what was decided, so a forged or
duplicated one costs a read and nothing else.

Polling remains the fallback: every `POLL_SECONDS` while no listen connection is
up (SQLite, the state database restarting), and every `SAFETY_POLL_SECONDS`
while it is (expiry is not notified). The listener reconnects by itself, and
wakes every waiter when it does: notifications sent while it was away are lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import psycopg
import sqlalchemy as sa

from phigate.core import metrics

log = logging.getLogger(__name__)

CHANNEL = "phigate_approval_decided"
POLL_SECONDS = 0.25
SAFETY_POLL_SECONDS = 2.0
# How soon the listener tries again after losing its connection: quickly at first (a
# restart or fail-over takes seconds, and waiters are polling meanwhile), then every
# second once the outage has lasted `FAST_RECONNECT_FOR` seconds.
FAST_RECONNECT_SECONDS = 0.1
FAST_RECONNECT_FOR = 10.0
RECONNECT_SECONDS = 1.0
# How the listen connection shows in pg_stat_activity.
APPLICATION_NAME = "phigate-wakeups"
# How long the listener waits for a notification before probing its connection.
PROBE_SECONDS = 5.0


def notify_decided(conn: sa.Connection, approval_id: str) -> None:
    """Tell every listening replica, when this transaction commits, that `approval_id`
    was decided. No-op on SQLite (one process; waiters there are woken in-process)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_notify(CHANNEL, approval_id)))


class DecisionWakeups:
    """This process's waiters, keyed by approval id, and the connection that wakes them."""

    def __init__(self, url: str | None) -> None:
        # A libpq URL (postgresql://…) to LISTEN on, or None when there is nothing to hear.
        self._url = url
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._lock = threading.Lock()  # `wake` comes from worker threads too
        self.listening = False
        self.safety_poll_seconds = SAFETY_POLL_SECONDS
        self.received = 0  # notifications heard, for tests and metrics

    @property
    def poll_seconds(self) -> float:
        """How long a waiter may sleep between reads of the store."""
        return self.safety_poll_seconds if self.listening else POLL_SECONDS

    @contextlib.contextmanager
    def waiter(self, approval_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever `approval_id` may have been decided. Register it before
        reading the store, so a decision between the read and the wait is not missed."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(approval_id, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                waiting = self._waiters.get(approval_id, set())
                waiting.discard(entry)
                if not waiting:
                    self._waiters.pop(approval_id, None)

    def wake(self, approval_id: str) -> None:
        """Wake the waiters of one approval (from any thread)."""
        with self._lock:
            entries = list(self._waiters.get(approval_id, ()))
        _set_all(entries)

    def wake_all(self) -> None:
        with self._lock:
            entries = [entry for waiting in self._waiters.values() for entry in waiting]
        _set_all(entries)

    async def run(self) -> None:
        """Listen until cancelled, reconnecting after any failure."""
        if self._url is None:
            return
        down_since: float | None = None  # when the current outage began
        while True:
            try:
                await self._listen(self._url)
            except (psycopg.Error, OSError) as exc:
                if down_since is None or self.listening:  # once per outage, not per retry
                    log.warning(
                        "approval wake-ups: lost the listen connection (%s); polling every "
                        "%.2fs until it is back",
                        exc,
                        POLL_SECONDS,
                    )
            except Exception:  # waiters poll meanwhile; listening again is what matters
                log.exception("approval wake-ups: the listener failed; reconnecting")
            finally:
                if down_since is None or self.listening:
                    down_since = time.monotonic()
                self.listening = False
                metrics.APPROVAL_LISTENER_UP.set(0)
            await asyncio.sleep(_reconnect_delay(time.monotonic() - down_since))

    async def _listen(self, url: str) -> None:
        async with await psycopg.AsyncConnection.connect(
            url,
            autocommit=True,
            connect_timeout=5,
            keepalives=1,
            keepalives_idle=5,
            application_name=APPLICATION_NAME,
        ) as conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            self.listening = True
            metrics.APPROVAL_LISTENER_UP.set(1)
            self.wake_all()  # whatever was decided while nobody listened
            while True:
                async for note in conn.notifies(timeout=PROBE_SECONDS):
                    self.received += 1
                    metrics.APPROVAL_WAKEUPS.inc()
                    self.wake(note.payload)
                await conn.execute("SELECT 1")  # a dead connection raises here


def _reconnect_delay(down_for: float) -> float:
    """Try often early in an outage, so that waiters hear decisions again soon after
    the state database is back; then every second, not to hammer a store that is
    refusing for longer (a wrong password, connection slots exhausted)."""
    return FAST_RECONNECT_SECONDS if down_for < FAST_RECONNECT_FOR else RECONNECT_SECONDS


def _set_all(entries: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]) -> None:
    for loop, event in entries:
        with contextlib.suppress(RuntimeError):  # its loop has closed: nobody waits
            loop.call_soon_threadsafe(event.set)


def listen_url(state_url: str) -> str | None:
    """The libpq URL to LISTEN on for a state store URL, or None for SQLite."""
    url = sa.engine.make_url(state_url)
    if not url.drivername.startswith("postgres"):
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]


def with_wakeups(inner: Lifespan, wakeups: DecisionWakeups) -> Lifespan:
    """Wrap an ASGI lifespan so the listen connection lives while the app serves."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        task = asyncio.create_task(wakeups.run(), name="phigate-approval-wakeups")
        try:
            async with inner(app) as state:
                yield state
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan
