"""The one ASGI application on the gateway's HTTP port: every HTTP front door mounted."""

from __future__ import annotations

from fastapi import FastAPI

from phigate.approvals.wakeups import with_wakeups
from phigate.audit.schedule import install_checkpoints
from phigate.doors.api import create_app
from phigate.doors.channels.install import install_channels
from phigate.doors.console.install import install_console
from phigate.doors.mcp.server import install_mcp
from phigate.doors.request_limits import RequestLimits
from phigate.ops.replicas import install_heartbeat
from phigate.pipeline.gateway import Gateway


def build_app(gateway: Gateway) -> FastAPI:
    app = create_app(gateway)
    # Each further front door attaches itself with one call: MCP at /mcp, the
    # reviewer console at /ui, Slack and Teams endpoints and outbound channels.
    install_mcp(app, gateway)
    install_console(app, gateway)
    dispatcher = install_channels(app, gateway)
    if dispatcher is not None:
        app.state.on_shutdown.append(dispatcher.stop)
    # Beat while serving; mark actions left running by dead replicas `interrupted`.
    install_heartbeat(app, gateway.replica_registry(), gateway.settings.state.heartbeat_seconds)
    # One LISTEN connection per process wakes requests waiting for a decision.
    app.router.lifespan_context = with_wakeups(app.router.lifespan_context, gateway.wakeups)
    # Sign checkpoints of the audit head at start, periodically and at shutdown.
    install_checkpoints(app, gateway)
    # Outermost: the body cap, and bearer authentication before any body is read.
    app.add_middleware(RequestLimits, gateway=gateway)
    return app
