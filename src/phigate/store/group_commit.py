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
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from phigate import metrics
from phigate.store.database import Database

log = logging.getLogger(__name__)
T = TypeVar("T")
Write = Callable[[sa.Connection], T]

MAX_BATCH = 128


class WriterClosedError(RuntimeError):
    """The writer is closed or stopped: the write was not made."""


@dataclass
class _Pending:
    write: Write[Any]
    done: Future[Any]


class GroupCommit:
    """One writer thread; `run` hands it a write and waits until it is durable."""

    def __init__(
        self,
        db: Database,
        *,
        around: Callable[[sa.Connection], AbstractContextManager[object]] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._db = db
        # Wraps each transaction, e.g. the audit log reading and writing its head once.
        self._around = around or (lambda conn: nullcontext())
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    async def run(self, write: Write[T]) -> T:
        """Commit `write(conn)` (with whatever else is waiting) and return its result."""
        return await asyncio.wrap_future(self.submit(write))

    def submit(self, write: Write[T]) -> Future[T]:
        done: Future[T] = Future()
        if self._closed:
            done.set_exception(WriterClosedError("the state store writer is closed"))
            return done
        self._ensure_started()
        self._queue.put(_Pending(write, done))
        return done

    def close(self, timeout: float = 5.0) -> None:
        """Commit what is waiting, then stop the writer."""
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="phigate-group-commit", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                batch, stop = self._gather(first)
                self._commit(batch)
                if stop:
                    return
        except BaseException:
            log.exception("the state store writer stopped")
            raise
        finally:  # nothing may wait forever on a writer that is gone: fail what is left
            self._closed = True
            self._fail_waiting()

    def _fail_waiting(self) -> None:
        gone = WriterClosedError("the state store writer is closed")
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None and item.done.set_running_or_notify_cancel():
                _settle(item.done, None, gone)

    def _gather(self, first: _Pending) -> tuple[list[_Pending], bool]:
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _commit(self, batch: list[_Pending]) -> None:
        live = [p for p in batch if p.done.set_running_or_notify_cancel()]
        if not live:
            return
        started = time.monotonic()
        try:
            with self._db.write() as conn, self._around(conn):
                values = [pending.write(conn) for pending in live]
        except Exception as exc:
            metrics.STATE_COMMIT_FAILURES.inc()
            if len(live) == 1:
                _settle(live[0].done, None, exc)
                return
            # One write refused (or the store failed): none of the batch happened.
            # Commit them one by one so only the write at fault fails.
            log.debug("group commit of %d writes failed (%s); committing singly", len(live), exc)
            for pending in live:
                self._commit_one(pending)
            return
        metrics.STATE_COMMIT_SECONDS.observe(time.monotonic() - started)
        metrics.STATE_COMMIT_WRITES.observe(len(live))
        for pending, value in zip(live, values, strict=True):
            _settle(pending.done, value, None)

    def _commit_one(self, pending: _Pending) -> None:
        try:
            with self._db.write() as conn, self._around(conn):
                value = pending.write(conn)
        except Exception as exc:
            _settle(pending.done, None, exc)
        else:
            _settle(pending.done, value, None)


def _settle(done: Future[Any], value: Any, error: BaseException | None) -> None:
    try:
        if error is None:
            done.set_result(value)
        else:
            done.set_exception(error)
    except InvalidStateError:  # its waiter gave up before the write started
        pass
