"""Serve the gateway's HTTP front doors with uvicorn, and its PostgreSQL wire listeners,
until interrupted."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import Awaitable, Callable

import uvicorn

from phigate.core.errors import PhigateError
from phigate.doors.app import build_app
from phigate.doors.pgwire.server import start_listeners
from phigate.ops.workers import shares_ports
from phigate.pipeline.gateway import Gateway

Hook = Callable[[], Awaitable[None]]


class PortInUseError(PhigateError):
    code = "port_in_use"


def interrupt_on_sigterm() -> None:
    """SIGTERM (kill, systemd, container runtimes) stops like Ctrl-C.

    It raises KeyboardInterrupt, so the same `finally` blocks run: the embedded
    PostgreSQL is stopped, the state store closed. (uvicorn catches SIGTERM while
    it serves, shuts down, then raises it again: it lands here.)
    """
    signal.signal(signal.SIGTERM, signal.default_int_handler)


CLOCK_SKEW_ENV = "PHIGATE_TEST_CLOCK_SKEW_SECONDS"


def skew_clock_for_tests() -> None:
    """For fault tests only: make this process's wall clock (`time.time`) read
    PHIGATE_TEST_CLOCK_SKEW_SECONDS off, as on a host whose clock drifted. Every
    timestamp it writes (actions, approvals, audit records) is then off; heartbeats
    are not, being stamped by the state database (phigate.ops.replicas)."""
    skew = float(os.environ.get(CLOCK_SKEW_ENV) or 0)
    if skew:
        import time

        real = time.time
        time.time = lambda: real() + skew


def listen_socket(host: str, port: int, setting: str) -> socket.socket:
    """Bind the listening socket now, so a port clash is one clear error before start-up."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        # Workers of `serve --workers N` share the port; the kernel spreads connections.
        return socket.create_server((host, port), family=family, reuse_port=shares_ports())
    except OSError as exc:
        # create_server's strerror repeats the address; the plain one reads better.
        why = os.strerror(exc.errno) if exc.errno else str(exc)
        raise PortInUseError(
            f"cannot listen on {host}:{port}: {why}. "
            f"Is another phigate running there? Choose another {setting}."
        ) from None


async def serve(
    gateway: Gateway,
    *,
    host: str,
    port: int,
    on_started: Hook | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Run until SIGINT/SIGTERM; `on_started` runs once every port is listening."""
    sock = sock or listen_socket(host, port, "server.http_port")
    app = build_app(gateway)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="on", server_header=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="phigate-http")
    while not server.started:
        if task.done():
            await task  # surfaces the start-up error (lifespan, …)
            return
        await asyncio.sleep(0.05)
    try:
        listeners = await start_listeners(gateway)  # connections with `listen: HOST:PORT`
    except OSError as exc:
        server.should_exit = True
        await task
        raise PortInUseError(
            f"cannot start a PostgreSQL wire listener: {exc.strerror or exc}"
        ) from None
    try:
        if on_started is not None:
            await on_started()
        await task
    finally:
        for listener in listeners:
            await listener.close()
