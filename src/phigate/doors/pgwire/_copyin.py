"""One approved `COPY … FROM STDIN` of a read-only wire session, run on the writer.

The reader role cannot take the rows, so the session hands the client's CopyData
to `Gateway.copy_in`, which streams it to a writer connection as it arrives: a
short queue between the two (`_DEPTH` messages), so a client faster than the
upstream is slowed by TCP, and nothing holds the whole input. The statement is
what was approved; the data is what the client sends after approval (reviewers
are told so). What the client may send is capped (`pgwire.max_copy_in_bytes`):
past it, or on CopyFail, or when the client goes away, the COPY is aborted and
rolls back, and the action is recorded as failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator

from phigate.core.action_store import ActionRecord
from phigate.core.errors import PhigateError, RequestTooLargeError
from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire import _writer
from phigate.pipeline.gateway import Gateway, Outcome, OutcomeStatus

_DEPTH = 16  # CopyData messages in flight between the client and the writer


class CopyTooLargeError(RequestTooLargeError):
    code = "copy_in_too_large"
    sqlstate = "54000"  # program_limit_exceeded


class CopyFailedError(PhigateError):
    """The client sent CopyFail: it aborts its own COPY, as PostgreSQL answers it."""

    code = "copy_failed_by_client"
    sqlstate = "57014"  # query_canceled


class CopyCanceledError(PhigateError):
    """A CancelRequest for the session: the COPY stops, as PostgreSQL stops it."""

    code = "copy_canceled"
    sqlstate = "57014"  # query_canceled


class CopyIn:
    """Feeds one COPY on the writer; every answer is wire bytes for the client."""

    def __init__(self, gateway: Gateway, record: ActionRecord, max_bytes: int) -> None:
        self.gateway = gateway
        self.record = record
        self.max_bytes = max_bytes
        self.received = 0
        self._queue: asyncio.Queue[bytes | PhigateError | None] = asyncio.Queue(maxsize=_DEPTH)
        self._began: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._task: asyncio.Task[Outcome] | None = None
        self._canceled = False

    async def start(self) -> bytes | None:
        """The CopyInResponse for the client once the writer is in COPY; None when the
        writer refused the statement (then `answer` says why)."""
        self._task = asyncio.create_task(
            self.gateway.copy_in(self.record, self._data(), self._on_began),
            name=f"pgwire-copy-{self.record.id}",
        )
        waits: set[asyncio.Future[object]] = {self._began, self._task}  # type: ignore[arg-type]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        return self._began.result() if self._began.done() else None

    def _on_began(self, overall: int, formats: tuple[int, ...]) -> None:
        body = struct.pack("!bh", overall, len(formats))
        body += b"".join(struct.pack("!h", f) for f in formats)
        self._began.set_result(codec.message(b"G", body))

    async def _data(self) -> AsyncIterator[bytes]:
        while (item := await self._queue.get()) is not None:
            if self._canceled:
                raise CopyCanceledError("canceling statement due to user request")
            if isinstance(item, PhigateError):
                raise item
            yield item

    def cancel(self) -> bool:
        """A CancelRequest: the writer's COPY is aborted (rolled back) at once; the client
        hears 57014 in answer to what it sends next, as after a server-side cancel."""
        if self._task is None or self._task.done():
            return False
        self._canceled = True
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(CopyCanceledError("canceling statement due to user request"))
        return True

    async def data(self, chunk: bytes) -> bool:
        """One CopyData; False once the COPY has ended (failed upstream, over the cap, or
        canceled)."""
        if self._canceled:
            return False
        self.received += len(chunk)
        if self.received > self.max_bytes:
            await self._put(
                CopyTooLargeError(
                    f"COPY FROM STDIN sent more than pgwire.max_copy_in_bytes "
                    f"({self.max_bytes} bytes); nothing was loaded"
                )
            )
            return False
        return await self._put(chunk)

    async def done(self) -> bytes:
        """CopyDone: the CommandComplete (`COPY n`) or the writer's error."""
        await self._put(None)
        return await self.answer()

    async def fail(self, message: str) -> bytes:
        await self._put(CopyFailedError(f"COPY from stdin failed: {message}"))
        return await self.answer()

    async def answer(self) -> bytes:
        assert self._task is not None
        try:
            outcome = await self._task
        except PhigateError as exc:  # recording the end failed (the audit store, say)
            return codec.error_response("58000", f"phigate: {exc.message}")
        if outcome.status is OutcomeStatus.EXECUTED and outcome.result is not None:
            return codec.message(b"C", codec.cstr(str(outcome.result.get("status") or "")))
        error = outcome.error or PhigateError("the COPY failed")
        sqlstate = getattr(error, "sqlstate", None)
        if sqlstate is None:
            return _writer.failure(self.record, error.code, error.message)
        return codec.error_response(
            sqlstate, f"phigate: {error.message}", detail=f"action {self.record.id}"
        )

    async def abort(self) -> None:
        """The session ends mid-COPY: stop it (it rolls back and is recorded as failed)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    async def _put(self, item: bytes | PhigateError | None) -> bool:
        """Queue `item` for the writer, waiting while the queue is full (backpressure),
        unless the COPY ends first."""
        assert self._task is not None
        if self._task.done():
            return False
        try:
            self._queue.put_nowait(item)
            return True
        except asyncio.QueueFull:
            pass
        put = asyncio.create_task(self._queue.put(item), name=f"pgwire-copy-feed-{self.record.id}")
        await asyncio.wait({put, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not put.done():
            put.cancel()
            return False
        return True
