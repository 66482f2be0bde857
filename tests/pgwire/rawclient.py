"""A minimal wire client for hostile tests: it sends exactly the bytes a test asks for."""

from __future__ import annotations

import asyncio
import struct

from phigate.doors.pgwire import _codec as codec


class RawClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.messages = codec.MessageReader()

    @classmethod
    async def connect(cls, port: int) -> RawClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def login(self, user: str, token: str) -> list[codec.Message]:
        self.send(codec.startup_message({"user": user, "database": "ehr"}))
        first = await self.until(b"R")
        assert first[-1].body == struct.pack("!i", 3), first
        self.send(codec.message(b"p", codec.cstr(token)))
        return await self.until(b"Z")

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def until(self, kind: bytes, limit_s: float = 10.0) -> list[codec.Message]:
        """Messages up to and including the first of type `kind` (or an EOF)."""
        out: list[codec.Message] = []
        async with asyncio.timeout(limit_s):
            while True:
                for msg in self.messages:
                    out.append(msg)
                    if msg.type == kind:
                        return out
                data = await self.reader.read(65536)
                if not data:
                    return out
                self.messages.feed(data)

    async def closed(self, limit_s: float = 10.0) -> bool:
        async with asyncio.timeout(limit_s):
            while await self.reader.read(65536):
                pass
        return True

    def close(self) -> None:
        self.writer.close()


def error_fields(messages: list[codec.Message]) -> dict[str, str]:
    for msg in messages:
        if msg.type == b"E":
            return dict(codec.parse_fields(msg.body))
    return {}
