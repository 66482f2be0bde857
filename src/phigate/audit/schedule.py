"""When the serving gateway signs checkpoints: at start, every `audit.checkpoint_seconds`,
and at shutdown (exports sign their own). Records written after the last checkpoint
are the only ones a truncation could remove undetected, so the interval bounds
what an attacker with write access to the store could cut off unnoticed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from phigate.audit.chain import AuditLog
from phigate.gateway import Gateway

log = logging.getLogger(__name__)

Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]


async def checkpoint_periodically(audit: AuditLog, every: float) -> None:
    """Checkpoint now and then every `every` seconds until cancelled. A failure is
    logged and retried next time: serving goes on, and verification shows the
    records since the last checkpoint as unproven."""
    while True:
        await _checkpoint(audit, "periodic")
        await asyncio.sleep(every)


async def _checkpoint(audit: AuditLog, why: str) -> None:
    try:
        checkpoint = await asyncio.to_thread(audit.checkpoint)
    except Exception:
        log.exception("%s audit checkpoint failed", why)
    else:
        log.debug("%s audit checkpoint at sequence %d", why, checkpoint.seq)


def with_checkpoints(inner: Lifespan, audit: AuditLog, every: float) -> Lifespan:
    """Wrap an ASGI lifespan: checkpoint periodically while serving, and once more at
    shutdown, after the inner lifespan (front doors, channels) has stopped."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        task = asyncio.create_task(
            checkpoint_periodically(audit, every), name="phigate-audit-checkpoints"
        )
        try:
            async with inner(app) as state:
                yield state
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await _checkpoint(audit, "shutdown")

    return lifespan


def install_checkpoints(app: FastAPI, gateway: Gateway) -> None:
    """Sign checkpoints for as long as `app` serves (when the gateway has a key)."""
    if gateway._audit.signer is None:
        return
    every = gateway.settings.audit.checkpoint_seconds
    app.router.lifespan_context = with_checkpoints(
        app.router.lifespan_context, gateway._audit, every
    )
