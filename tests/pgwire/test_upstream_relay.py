"""The upstream's answers are relayed from its transport's callback (`_upstream`): a
client that does not read still holds the upstream back (its reading is paused, the
bytes waiting for the client stay bounded), and every row arrives, in order, once it
reads again; rows masked inline and rows masked off the loop alike."""

from __future__ import annotations

import asyncio
import time

import pytest

from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._upstream import UpstreamRelay
from phigate.doors.pgwire.server import ClientConnection
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient

ROWS = 6000
MIB = 1024 * 1024


async def _paused(conn: ClientConnection, limit_s: float = 20.0) -> None:
    assert conn.up_writer is not None
    transport = conn.up_writer.transport
    assert isinstance(transport, asyncio.Transport)
    deadline = time.monotonic() + limit_s
    while transport.is_reading():
        assert time.monotonic() < deadline, "the upstream was never paused"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("width", [3000, 5000], ids=["inline", "off-loop"])
async def test_a_client_that_does_not_read_holds_the_upstream_back(wire: Wire, width: int) -> None:
    client = await RawClient.connect(wire.port)
    try:
        await client.login("claims-bot", wire.harness.tokens["claims-bot"])
        (conn,) = wire.listener.sessions.values()
        assert conn.up_writer is not None
        assert isinstance(conn.up_writer.transport.get_protocol(), UpstreamRelay)
        # About 18-30 MB: more than the sockets between the three of them can hold.
        client.send(
            codec.query(f"SELECT g, repeat('x', {width}) FROM generate_series(1, {ROWS}) g")
        )
        await _paused(conn)
        assert conn.writer.transport.get_write_buffer_size() < 4 * MIB
        answers = await client.until(b"Z", limit_s=60)
    finally:
        client.close()
    rows = [m for m in answers if m.type == b"D"]
    assert len(rows) == ROWS
    assert [codec.parse_data_row(m.body)[0] for m in rows[:3]] == [b"1", b"2", b"3"]
    tags = [m.body for m in answers if m.type == b"C"]
    assert tags == [f"SELECT {ROWS}".encode() + b"\0"]
