"""BENCH ONLY, NEVER FOR PRODUCTION: phigate's wire listener reduced to a relay.

After phigate has authenticated the client (token as password) and logged in
upstream, bytes are copied both ways unread: no classification, no policy, no
masking, no audit. It exists so `pgwire_vs_direct.py` can show, in the same run,
what the socket plumbing alone costs next to PgBouncer and to full phigate. Nothing
in `src/` can select it: it lives in bench/ and is importable only from here.
"""

from __future__ import annotations

import asyncio
import contextlib

from phigate.doors.pgwire.server import ClientConnection, WireListener

_CHUNK = 256 * 1024


class RelayOnlyConnection(ClientConnection):
    """A client connection that, once logged in, only copies bytes (bench only)."""

    async def _relay_both_ways(self) -> None:
        assert self.up_reader is not None and self.up_writer is not None
        leftover = bytes(self.messages._buf)  # sent by the client right after login
        if leftover:
            self.up_writer.write(leftover)
        pipes = [
            asyncio.create_task(_pipe(self.reader, self.up_writer), name="relay-up"),
            asyncio.create_task(_pipe(self.up_reader, self.writer), name="relay-down"),
        ]
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pipes:
                task.cancel()
            for task in pipes:
                with contextlib.suppress(BaseException):
                    await task


class RelayOnlyListener(WireListener):
    """BENCH ONLY: a wire listener whose sessions are relayed unread after login."""

    connection_class = RelayOnlyConnection


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(_CHUNK):
        writer.write(data)
        await writer.drain()
