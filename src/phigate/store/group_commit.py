"""Group commit: writes that arrive while one transaction commits share the next one.

Every action writes its request and decision before it runs and its result after,
each together with audit records. Committing each alone makes the commit (an
fsync, or a round trip to PostgreSQL) the cost of every action; here one writer
thread takes all the writes waiting and commits them in one transaction.

Nothing is weakened: each caller waits until its own write is committed before it
acts. Writes must be safe to run again: when one raises (a compare-and-set that
lost, or the store failing), the shared transaction is rolled back and each write
is committed alone, so only the write at fault fails. (Savepoints would isolate
them too, at two statements per write on the path every action takes.)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, InvalidStateError
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa

from phigate.core import metrics
from phigate.store.database import Database

log = logging.getLogger(__name__)
T = TypeVar("T")
Write = Callable[[sa.Connection], T]

MAX_BATCH = 128
# How long a write behind (see `GroupCommit.run`) waits for a commit to share.
BEHIND_SECONDS = 0.01
# How long a batch waits for more writes others are likely to send (see `_gather`),
# like PostgreSQL's commit_delay: only when the last commit carried writes of several
# waiters, never for a lone writer.
SIBLING_SECONDS = 0.0005
# A kept PostgreSQL connection idle longer goes back to the pool, whose pre-ping checks
# it, before the next write: after a restart of the state database the first write
# would otherwise fail on a dead connection (refused, or an outcome retried later).
RECHECK_IDLE_SECONDS = 1.0


class WriterClosedError(RuntimeError):
    """The writer is closed or stopped: the write was not made."""


Settled = tuple["_Pending", Any, BaseException | None]


class Unwaited:
    """Stands for the future of a write nobody awaits (`GroupCommit.put_behind`): a
    commit settles nothing and wakes no one; a failure calls `on_error` on `loop`."""

    __slots__ = ("loop", "on_error")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, on_error: Callable[[BaseException], None]
    ) -> None:
        self.loop = loop
        self.on_error = on_error

    def done(self) -> bool:
        return False

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self.loop

    def set_result(self, value: Any) -> None:
        pass

    def set_exception(self, error: BaseException) -> None:
        try:
            self.on_error(error)
        except Exception:  # the other writes of the batch are still settled
            log.exception("handling a failed write behind failed")


@dataclass
class _Pending:
    write: Write[Any]
    # An asyncio future (`run`: settled on its loop, one wake-up per batch), a
    # thread future (`submit`: for callers outside an event loop), or `Unwaited`.
    done: Future[Any] | asyncio.Future[Any] | Unwaited
    behind: bool = False  # no one waits on it to act: it may ride with the next batch
    since: float = field(default_factory=time.monotonic)

    def start(self) -> bool:
        """False when its waiter gave up before the write started: it never runs."""
        if isinstance(self.done, Future):
            return self.done.set_running_or_notify_cancel()
        return not self.done.done()


_DUE = _Pending(lambda conn: None, Future())  # a marker, never committed
_WAKE = _Pending(lambda conn: None, Future(), behind=True)  # a marker: writes behind wait


class GroupCommit:
    """One writer thread; `run` hands it a write and waits until it is durable.

    The thread keeps one connection for all its transactions (no pool checkout,
    reset and return per commit), and wakes each waiting event loop once per
    committed batch, not once per write.
    """

    def __init__(
        self,
        db: Database,
        *,
        around: Callable[[sa.Connection], AbstractContextManager[object]] | None = None,
        max_batch: int = MAX_BATCH,
        recheck_idle: float = RECHECK_IDLE_SECONDS,
        sibling_wait: float = SIBLING_SECONDS,
        behind_wait: float = BEHIND_SECONDS,
    ) -> None:
        self._db = db
        # Wraps each transaction, e.g. the audit log reading and writing its head once.
        self._around = around or (lambda conn: nullcontext())
        self._max_batch = max_batch
        self._sibling_wait = sibling_wait
        self._behind_wait = behind_wait
        self._siblings = 0  # writes waited on in the last commit (`_gather`)
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        # Writes put behind (`put_behind`): the writer takes them whenever it wakes. Only
        # one put while it holds none wakes it (`_WAKE`): the others ride along.
        self._behind: collections.deque[_Pending] = collections.deque()
        self._holding = False  # the writer holds writes behind: it wakes when they are due
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        self._conn: sa.Connection | None = None  # owned by the writer thread
        self._used = 0.0  # when the kept connection last ended a transaction
        # SQLite's file does not go away under a kept connection: nothing to check.
        self._recheck_idle = math.inf if db.is_sqlite else recheck_idle

    async def run(self, write: Write[T], *, behind: bool = False) -> T:
        """Commit `write(conn)` (with whatever else is waiting) and return its result.

        `behind`: nothing is held up until it is durable (a result recorded after the
        statement ran), so it waits up to `BEHIND_SECONDS` for a write that is, and
        shares its commit: one commit per statement instead of two.
        """
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._put(_Pending(write, done, behind))
        return await done

    def put_behind(self, write: Write[Any], on_error: Callable[[BaseException], None]) -> None:
        """`run(write, behind=True)` without a waiter, from an event loop: the write is
        committed in order with the others, and nothing on the loop runs when it is
        (no future, no task woken per write); if it fails, `on_error(exc)` runs on the
        loop. Writes put before a later `run` are committed, or their `on_error`
        called, before that `run` returns (settled in order).

        Nor is the writer thread woken for each: while it holds writes behind already,
        it will wake when the oldest is due (or for the next write someone waits on),
        and takes this one then. Read after the append, `_holding` cannot miss it: the
        writer clears it only after a commit, then looks here again (`_settled`)."""
        pending = _Pending(write, Unwaited(asyncio.get_running_loop(), on_error), True)
        if self._closed:
            _deliver([(pending, None, WriterClosedError("the state store writer is closed"))])
            return
        self._ensure_started()
        self._behind.append(pending)
        if not self._holding:
            self._queue.put(_WAKE)

    def submit(self, write: Write[T]) -> Future[T]:
        done: Future[T] = Future()
        self._put(_Pending(write, done))
        return done

    def _put(self, pending: _Pending) -> None:
        if self._closed:
            _deliver([(pending, None, WriterClosedError("the state store writer is closed"))])
            return
        self._ensure_started()
        self._queue.put(pending)

    def close(self, timeout: float = 5.0) -> None:
        """Commit what is waiting, then stop the writer."""
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)

    def _ensure_started(self) -> None:
        if self._thread is not None:  # started: every write after the first
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="phigate-group-commit", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        held: list[_Pending] = []  # writes behind, waiting for a commit to share
        try:
            while True:
                first = self._next(held)
                self._take_behind(held)  # put before `first`: committed no later
                if first is None or first is _DUE:  # closing, or the writes behind are due
                    _deliver(self._commit(held))
                    held = self._settled()
                    if first is None:
                        return
                    continue
                if first is _WAKE:
                    continue
                if first.behind and len(held) < self._max_batch:
                    held.append(first)
                    self._holding = True
                    continue
                batch, stop = self._gather(first)
                self._take_behind(held)
                _deliver(self._commit(held + batch))
                held = self._settled()
                if stop:
                    return
        except BaseException:
            log.exception("the state store writer stopped")
            raise
        finally:  # nothing may wait forever on a writer that is gone: fail what is left
            self._closed = True
            self._fail_waiting()
            self._drop_connection()

    def _take_behind(self, held: list[_Pending]) -> None:
        """Add the writes put behind since the writer last looked to `held`."""
        behind = self._behind
        while behind:  # the writer thread alone takes from it
            held.append(behind.popleft())
        if held:
            self._holding = True

    def _settled(self) -> list[_Pending]:
        """After a commit: the writes behind it holds now, none unless some were put
        while it committed (their putters saw it holding, and did not wake it)."""
        self._holding = False
        held: list[_Pending] = []
        self._take_behind(held)
        return held

    def _next(self, held: list[_Pending]) -> _Pending | None:
        """The next write; None when closing; `_DUE` when the oldest write behind
        has waited `behind_wait` (`BEHIND_SECONDS`) and nothing came to share its commit."""
        if not held:
            return self._queue.get()
        due = held[0].since + self._behind_wait - time.monotonic()
        try:
            return self._queue.get(timeout=due) if due > 0 else self._queue.get_nowait()
        except queue.Empty:
            return _DUE

    def _fail_waiting(self) -> None:
        gone = WriterClosedError("the state store writer is closed")
        left: list[Settled] = []
        while self._behind:
            left.append((self._behind.popleft(), None, gone))
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None and item is not _WAKE and item.start():
                left.append((item, None, gone))
        _deliver(left)

    def _gather(self, first: _Pending) -> tuple[list[_Pending], bool]:
        """`first` and what else is waiting; then, if the last commit carried more
        writes someone waited on than this batch has, up to `sibling_wait` more for
        them (their waiters are likely about to send): fewer, fuller commits. A lone
        writer's last commit carried one, so it never waits."""
        batch = [first]
        waited = 0 if first.behind else 1
        deadline = None
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                if waited >= self._siblings or self._sibling_wait <= 0:
                    break
                now = time.monotonic()
                deadline = deadline or now + self._sibling_wait
                if now >= deadline:
                    break
                try:
                    item = self._queue.get(timeout=deadline - now)
                except queue.Empty:
                    break
            if item is None:
                return batch, True
            if item is _WAKE:
                continue  # its writes behind are taken before this batch commits
            batch.append(item)
            waited += not item.behind
        self._siblings = waited if waited > 1 else 0
        return batch, False

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        if self._conn is not None and time.monotonic() - self._used > self._recheck_idle:
            self._drop_connection()  # idle a while: let the pool check it first
        if self._conn is None:
            self._conn = self._db.writer_connection()
        try:
            with self._db.write_on(self._conn) as conn:
                yield conn
        finally:
            self._used = time.monotonic()

    def _drop_connection(self) -> None:
        """After a failure the kept connection may be broken: the next write opens anew."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("closing the writer's connection failed", exc_info=True)

    def _commit(self, batch: list[_Pending]) -> list[Settled]:
        live = [p for p in batch if p.start()]
        if not live:
            return []
        started = time.monotonic()
        try:
            with self._transaction() as conn, self._around(conn):
                values = [pending.write(conn) for pending in live]
        except Exception as exc:
            metrics.STATE_COMMIT_FAILURES.inc()
            self._drop_connection()
            if len(live) == 1:
                return [(live[0], None, exc)]
            # One write refused (or the store failed): none of the batch happened.
            # Commit them one by one so only the write at fault fails.
            log.debug("group commit of %d writes failed (%s); committing singly", len(live), exc)
            return [self._commit_one(pending) for pending in live]
        metrics.STATE_COMMIT_SECONDS.observe(time.monotonic() - started)
        metrics.STATE_COMMIT_WRITES.observe(len(live))
        return [(p, value, None) for p, value in zip(live, values, strict=True)]

    def _commit_one(self, pending: _Pending) -> Settled:
        try:
            with self._transaction() as conn, self._around(conn):
                value = pending.write(conn)
        except Exception as exc:
            self._drop_connection()
            return (pending, None, exc)
        return (pending, value, None)


def _deliver(settled: list[Settled]) -> None:
    """Settle each waiter: thread futures at once, each event loop's futures in one
    callback on that loop (one wake-up per batch, not one per write)."""
    on_loops: dict[asyncio.AbstractEventLoop, list[Settled]] = {}
    for item in settled:
        done = item[0].done
        if isinstance(done, Future):
            _settle(done, item[1], item[2])
        elif item[2] is None and isinstance(done, Unwaited):
            continue  # committed, and nobody waits on it
        else:
            on_loops.setdefault(done.get_loop(), []).append(item)
    for loop, items in on_loops.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there
            loop.call_soon_threadsafe(_settle_on_loop, items)


def _settle_on_loop(items: list[Settled]) -> None:
    for pending, value, error in items:
        _settle(pending.done, value, error)


def _settle(
    done: Future[Any] | asyncio.Future[Any] | Unwaited, value: Any, error: BaseException | None
) -> None:
    if done.done():  # its waiter gave up (cancelled) meanwhile
        return
    try:
        if error is None:
            done.set_result(value)
        else:
            done.set_exception(error)
    except (InvalidStateError, asyncio.InvalidStateError):  # gave up just now
        pass
