"""Reading an upstream's event stream to its end on close (`_mcp_http`), bounded.

The end-to-end effect (one connection for many calls) is tested against a real
upstream in test_mcp_session.py; here, the bounds: a stream that never ends is
closed after `DRAIN_SECONDS`, one that keeps sending after `DRAIN_BYTES`."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator

import anyio
import httpx2

from phigate.connectors import _mcp_http
from phigate.connectors._mcp_http import DRAIN_BYTES, DRAIN_SECONDS, keep_alive_hooks


class Body(httpx2.AsyncByteStream):
    """A response body of `parts` chunks (endless when None), each after `pause` s."""

    def __init__(self, parts: int | None, pause: float = 0.0, size: int = 10) -> None:
        self.parts, self.pause, self.size = parts, pause, size
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.parts) if self.parts is not None else itertools.count():
            await anyio.sleep(self.pause)
            self.sent += 1
            yield b"x" * self.size

    async def aclose(self) -> None:
        self.closed = True


def event_stream(body: Body, method: str = "POST") -> httpx2.Response:
    request = httpx2.Request(method, "http://upstream.test/mcp")
    headers = {"content-type": "text/event-stream"}
    response = httpx2.Response(200, headers=headers, stream=body, request=request)
    return response


async def hooked(response: httpx2.Response) -> httpx2.Response:
    for hook in keep_alive_hooks()["response"]:
        await hook(response)
    return response


async def test_closing_a_post_event_stream_early_reads_it_to_its_end() -> None:
    body = Body(parts=5)
    response = await hooked(event_stream(body))
    async for _ in response.aiter_raw():
        break  # the SDK stops at the JSON-RPC response
    await response.aclose()
    assert body.sent == 5 and body.closed


async def test_a_stream_that_never_ends_is_closed_after_the_time_bound() -> None:
    body = Body(parts=None, pause=0.01, size=1)
    response = await hooked(event_stream(body))
    started = time.monotonic()
    await response.aclose()
    assert body.closed
    assert DRAIN_SECONDS <= time.monotonic() - started < DRAIN_SECONDS + 5


async def test_a_stream_that_keeps_sending_is_closed_after_the_byte_bound() -> None:
    body = Body(parts=None, size=1024)
    response = await hooked(event_stream(body))
    await response.aclose()
    assert body.closed
    assert body.sent * 1024 <= DRAIN_BYTES + 1024


async def test_other_responses_are_left_as_they_are() -> None:
    get_stream = await hooked(event_stream(Body(parts=None), method="GET"))
    assert not isinstance(get_stream.stream, _mcp_http._DrainOnClose)
    request = httpx2.Request("POST", "http://upstream.test/mcp")
    json = httpx2.Response(200, json={"ok": True}, request=request)
    assert (await hooked(json)).stream is json.stream
