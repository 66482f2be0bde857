"""Serve the gateway's HTTP front doors with uvicorn, and its PostgreSQL wire listeners,
until interrupted."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import uvicorn

from phigate.frontends.app import build_app
from phigate.frontends.pgwire.server import start_listeners
from phigate.gateway import Gateway

Hook = Callable[[], Awaitable[None]]


async def serve(gateway: Gateway, *, host: str, port: int, on_started: Hook | None = None) -> None:
    """Run until SIGINT/SIGTERM; `on_started` runs once the port is listening."""
    app = build_app(gateway)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="on", server_header=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name="phigate-http")
    while not server.started:
        if task.done():
            await task  # surfaces the start-up error (port in use, …)
            return
        await asyncio.sleep(0.05)
    listeners = await start_listeners(gateway)  # connections with `listen: HOST:PORT`
    try:
        if on_started is not None:
            await on_started()
        await task
    finally:
        for listener in listeners:
            await listener.close()
