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

from phigate.audit.checkpoint import Checkpoint
from phigate.pipeline.gateway import Gateway

log = logging.getLogger(__name__)

Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]
# Signs a checkpoint of the audit head now (`Gateway.checkpoint_audit`; blocking).
CheckpointNow = Callable[[], Checkpoint]


async def checkpoint_periodically(checkpoint: CheckpointNow, every: float) -> None:
    """Checkpoint now and then every `every` seconds until cancelled. A failure is
    logged and retried next time: serving goes on, and verification shows the
    records since the last checkpoint as unproven."""
    while True:
        await _checkpoint(checkpoint, "periodic")
        await asyncio.sleep(every)


async def _checkpoint(checkpoint: CheckpointNow, why: str) -> None:
    try:
        signed = await asyncio.to_thread(checkpoint)
    except Exception:
        log.exception("%s audit checkpoint failed", why)
    else:
        log.debug("%s audit checkpoint at sequence %d", why, signed.seq)


def with_checkpoints(inner: Lifespan, checkpoint: CheckpointNow, every: float) -> Lifespan:
    """Wrap an ASGI lifespan: checkpoint periodically while serving, and once more at
    shutdown, after the inner lifespan (front doors, channels) has stopped."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        task = asyncio.create_task(
            checkpoint_periodically(checkpoint, every), name="phigate-audit-checkpoints"
        )
        try:
            async with inner(app) as state:
                yield state
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await _checkpoint(checkpoint, "shutdown")

    return lifespan


def install_checkpoints(app: FastAPI, gateway: Gateway) -> None:
    """Sign checkpoints for as long as `app` serves (when the gateway has a key)."""
    if not gateway.signs_checkpoints:
        return
    every = gateway.settings.audit.checkpoint_seconds
    app.router.lifespan_context = with_checkpoints(
        app.router.lifespan_context, gateway.checkpoint_audit, every
    )
