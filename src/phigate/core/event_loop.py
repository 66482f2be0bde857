"""The event loop phigate serves on: uvloop's where it is installed, else asyncio's.

Every statement on the PostgreSQL wire passes through the loop several times (a
read from the client, the wait for its durable record, a write upstream, a read
back, a write to the client): asyncio's own loop, written in Python, cost about a
fifth of the event loop's CPU per statement, uvloop's (libuv, in C) much less
(docs/pgwire.md, the tenth round). Behaviour is asyncio's: the same streams,
tasks and futures run on it; only the loop underneath differs. uvloop has no
Windows build, so there the standard loop serves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def _factory() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # no build for this platform (Windows)
        return asyncio.new_event_loop
    return uvloop.new_event_loop


new_event_loop = _factory()


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on the serving loop."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)
