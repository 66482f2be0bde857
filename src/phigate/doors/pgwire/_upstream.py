"""The upstream's answers, relayed from the transport's own callback.

Once a session is logged in, its upstream transport's protocol is swapped for an
`UpstreamRelay`: each read of the upstream is framed, masked and written to the
client inside `data_received`, with no StreamReader buffer, waiter future or task
step per read (most reads are one statement's whole answer). What cannot finish
inline (a large row masked on the masking pool, a result long enough that other
sessions must get the loop, a client that does not read) continues in a task while
the upstream's reading is paused, so answers stay in order and memory stays flat.
The StreamReaderProtocol it replaces still hears of flow control and of the
connection's end, so the upstream's StreamWriter drains and closes as before.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Protocol

from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._codec import Message, MessageReader

if TYPE_CHECKING:
    from phigate.doors.pgwire.session import Session

_RUN = 512  # DataRows relayed in one call between the loop's turns
_TURN = 0.01  # seconds of inline masking before other tasks get the loop

Part = Message | codec.RowRun


class Downstream(Protocol):
    """What the relay needs of the client's connection."""

    session: Session
    writer: asyncio.StreamWriter

    @property
    def closing(self) -> bool: ...

    def cork(self) -> None: ...

    def uncork(self) -> None: ...


class UpstreamRelay(asyncio.Protocol):
    """Relays one upstream connection's answers to its client, in order."""

    def __init__(
        self,
        client: Downstream,
        framer: MessageReader,
        transport: asyncio.Transport,
        streams: asyncio.Protocol,
    ) -> None:
        self._client = client
        self._framer = framer
        self._transport = transport
        self._streams = streams  # the StreamReaderProtocol: flow control, connection end
        self._slow: asyncio.Task[None] | None = None  # a read that could not finish inline
        self._detached = False
        self.ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @classmethod
    def attach(
        cls, client: Downstream, framer: MessageReader, writer: asyncio.StreamWriter
    ) -> UpstreamRelay:
        transport = writer.transport
        assert isinstance(transport, asyncio.Transport)
        streams = transport.get_protocol()
        assert isinstance(streams, asyncio.Protocol)
        relay = cls(client, framer, transport, streams)
        transport.set_protocol(relay)
        return relay

    def detach(self) -> None:
        """The session is ending: relay nothing more."""
        self._detached = True
        if self._slow is not None:
            self._slow.cancel()

    # -- the transport's callbacks
    def data_received(self, data: bytes) -> None:
        if self._detached or self.ended.done():
            return
        self._framer.feed(data)
        if self._slow is None:  # else the task relays it, in order, once it is done
            self._relay()

    def eof_received(self) -> bool | None:
        keep_open = self._streams.eof_received()
        self._end(None)
        return bool(keep_open)

    def connection_lost(self, exc: Exception | None) -> None:
        self._streams.connection_lost(exc)
        self._end(exc)

    def pause_writing(self) -> None:
        self._streams.pause_writing()

    def resume_writing(self) -> None:
        self._streams.resume_writing()

    # -- relaying
    def _end(self, error: BaseException | None) -> None:
        if self._detached or self.ended.done():
            return
        if error is None:
            self.ended.set_result(None)
        else:
            self.ended.set_exception(error)

    def _relay(self) -> None:
        """Relay what the framer holds whole: inline when it can, else in a task."""
        client = self._client
        if client.closing:
            self._end(None)
            return
        taken, refused = self._framer.take_runs(client.session.inline_below)
        parts = _flat(taken)
        client.cork()
        try:
            at = relay_inline(client.session, parts, 0)
        except BaseException as exc:
            client.uncork()
            self._end(exc)
            return
        if at < len(parts):  # the cork is the task's to pull now
            self._go_slow(parts, at, refused)
            return
        client.uncork()
        if refused is not None:
            self._end(refused)
        elif _backlogged(client.writer):
            self._go_slow([], 0, None)
        elif client.closing:
            self._end(None)

    def _go_slow(self, parts: list[Part], at: int, refused: BaseException | None) -> None:
        self._transport.pause_reading()
        self._slow = asyncio.get_running_loop().create_task(
            self._relay_slowly(parts, at, refused), name="pgwire-upstream-relay"
        )

    async def _relay_slowly(
        self, parts: list[Part], at: int, refused: BaseException | None
    ) -> None:
        client = self._client
        try:
            if parts:
                try:
                    await relay_rest(client.session, parts, at)
                finally:
                    client.uncork()
            if refused is not None:
                raise refused
            if _backlogged(client.writer):
                await client.writer.drain()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self._end(exc)
            return
        finally:
            self._slow = None
        if self._detached or self.ended.done():
            return
        self._transport.resume_reading()
        self._relay()  # what arrived meanwhile


def relay_inline(session: Session, parts: list[Part], at: int) -> int:
    """Relay parts[at:] until one must be masked off the loop or the turn is up: the
    index of the first part not relayed."""
    turn_ends = time.monotonic() + _TURN
    end = len(parts)
    while at < end:
        part = parts[at]
        if isinstance(part, codec.RowRun):
            session.on_upstream_rows(part)
        elif session.masks_off_loop(part):
            return at
        else:
            session.on_upstream(part)
        at += 1
        if time.monotonic() >= turn_ends:
            return at
    return at


async def relay_rest(session: Session, parts: list[Part], at: int) -> None:
    """Relay parts[at:], awaiting the masking pool for large rows and giving other
    tasks the loop every _TURN seconds of inline masking."""
    while at < len(parts):
        part = parts[at]
        if not isinstance(part, codec.RowRun) and session.masks_off_loop(part):
            await session.on_upstream_off_loop(part)
            at += 1
        else:
            await asyncio.sleep(0)
        at = relay_inline(session, parts, at)


def _flat(taken: list[Part]) -> list[Part]:
    if all(not isinstance(item, codec.RowRun) or len(item) <= _RUN for item in taken):
        return [_alone(item) for item in taken]
    return [part for item in taken for part in _parts(item)]


def _alone(item: Part) -> Part:
    """A run of one row is the message it is (`Relay.handle`, as any lone row)."""
    if isinstance(item, codec.RowRun) and len(item) == 1:
        return Message(b"D", None, item.raw(0))
    return item


def _parts(item: Part) -> list[Part]:
    """What the relay takes in one call: a message alone, a run of DataRows in runs of
    at most _RUN (the loop's turn is checked between them), a run of one row (alone,
    or left over) as the message it is."""
    if not isinstance(item, codec.RowRun):
        return [item]
    return [_alone(run) for run in item.split(_RUN)]


def _backlogged(writer: asyncio.StreamWriter) -> bool:
    """Whether `writer.drain()` could do anything: wait for a peer that does not read
    (a transport pauses writing only with bytes in its buffer, and resumes once it is
    below the low mark), or raise for a closing transport (a connection lost with an
    error closes it). Otherwise the drain is a no-op, and an awaited coroutine or two
    for each of a statement's six (one per client message, one per read each way)."""
    transport = writer.transport
    return transport.get_write_buffer_size() > 0 or transport.is_closing()
