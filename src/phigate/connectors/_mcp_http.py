"""Keep the HTTP connection to an MCP upstream open across tool calls.

A streamable-HTTP upstream with sessions answers each POST with a short event
stream: the JSON-RPC response, then the end of the stream. The SDK's client stops
reading at the response and closes the response there, before the end has been
read, and an HTTP/1.1 connection whose body was not read to its end cannot carry
another request: the pool drops it, and the next call opens a new TCP connection
(and the upstream sets up a new one too). Measured with the bench's upstream: one
connection per call, about a tenth of the gateway's CPU per call.

`keep_alive_hooks()` gives the client a response hook that wraps every POST's
event stream so that closing it first reads what is left of it, bounded in time
and bytes, which lets the connection go back to the pool. The result has already
been handed to the caller by then; what is read here is discarded (the SDK would
have discarded it too). A stream that does not end in time is closed as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx2

# A well-behaved upstream ends the stream right after the response; these only
# bound a misbehaving one, whose connection is then closed as the SDK would.
DRAIN_SECONDS = 0.25
DRAIN_BYTES = 64 * 1024


class _DrainOnClose(httpx2.AsyncByteStream):
    """A response body that, closed before its end, reads to the end first."""

    def __init__(self, inner: httpx2.AsyncByteStream) -> None:
        self._inner = inner
        self._parts: AsyncIterator[bytes] | None = None
        self._ended = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self  # one pass over the inner body, resumed by `_drain`

    async def __anext__(self) -> bytes:
        if self._parts is None:
            self._parts = self._inner.__aiter__()
        try:
            return await self._parts.__anext__()
        except StopAsyncIteration:
            self._ended = True
            raise

    async def aclose(self) -> None:
        try:
            if not self._ended:
                await self._drain()
        finally:
            await self._inner.aclose()

    async def _drain(self) -> None:
        read = 0
        with anyio.move_on_after(DRAIN_SECONDS):
            async for part in self:
                read += len(part)
                if read > DRAIN_BYTES:
                    return


async def _keep_alive(response: httpx2.Response) -> None:
    content_type = response.headers.get("content-type", "").lower()
    if response.request.method == "POST" and content_type.startswith("text/event-stream"):
        stream = response.stream
        if isinstance(stream, httpx2.AsyncByteStream):
            response.stream = _DrainOnClose(stream)


def keep_alive_hooks() -> dict[str, list[Any]]:
    """`event_hooks` for the upstream's `httpx2.AsyncClient` (see the module docstring)."""
    return {"response": [_keep_alive]}
