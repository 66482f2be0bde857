"""The relay drains a writer only where the drain could do anything: a peer that
does not read still holds the relay back (`server._backlogged`)."""

from __future__ import annotations

import asyncio
import contextlib
import socket

from phigate.doors.pgwire.server import _backlogged


async def test_a_writer_is_drained_whenever_a_drain_could_wait_or_raise() -> None:
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    reader, writer = await asyncio.open_connection(sock=ours)
    assert not _backlogged(writer)  # nothing buffered: a drain returns at once
    writer.write(b"x" * 100)
    await asyncio.sleep(0)
    chunk = b"y" * 65536
    # The peer reads nothing: once the socket's buffer is full the transport buffers,
    # then pauses writing past its high mark; a drain would wait, and is not skipped.
    while not writer.transport.get_write_buffer_size():
        writer.write(chunk)
    assert _backlogged(writer)
    while writer.transport.get_write_buffer_size() <= 64 * 1024:
        writer.write(chunk)
    draining = asyncio.create_task(writer.drain())
    await asyncio.sleep(0.01)
    assert not draining.done()  # paused: only the peer reading releases it
    while not draining.done() or writer.transport.get_write_buffer_size():  # the peer reads
        with contextlib.suppress(BlockingIOError):
            theirs.recv(1 << 20)
        await asyncio.sleep(0)
    await draining
    assert not _backlogged(writer)  # resumed, and all of it sent
    writer.close()
    assert _backlogged(writer)  # closing: a drain would tell the caller
    theirs.close()
    await asyncio.sleep(0)
    del reader
