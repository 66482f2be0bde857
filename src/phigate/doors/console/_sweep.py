"""Ending console sessions nobody presents any more, on every replica, every few seconds.

A session is refused on its next request once it has expired or its API token was
revoked (the check reads the store); the sweep also deletes and audits it when no
request comes, so `console.session_ended` follows a revocation within
`session_sweep_seconds` whichever replica revoked. Replicas sweeping at once record
each ending once (`SessionStore.sweep`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from phigate.doors.console.sessions import SessionStore

log = logging.getLogger(__name__)
Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]


async def sweep_periodically(sessions: SessionStore, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(sessions.sweep)
        except Exception:  # the store is unreachable: requests still check; retried
            log.exception("sweeping console sessions failed")


def install_sweep(app: FastAPI, sessions: SessionStore, every: float) -> None:
    """Sweep for as long as `app` serves."""
    inner: Lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(the_app: Any) -> AsyncIterator[Any]:
        task = asyncio.create_task(
            sweep_periodically(sessions, every), name="phigate-console-session-sweep"
        )
        try:
            async with inner(the_app) as state:
                yield state
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.router.lifespan_context = lifespan
