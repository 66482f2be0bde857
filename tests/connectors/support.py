"""Shared set-up for connector tests: a gateway over the demo policy with chosen connections."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from phigate.config import Settings
from tests.conftest import Harness, demo_config, make_harness

UNUSED_DSN = "postgresql://nobody@127.0.0.1:1/unused"


def settings_with(tmp_path: Path, connections: dict[str, Any]) -> Settings:
    """The demo policy (reads allowed, writes need a data owner, the rest denied)."""
    ehr = {"type": "postgres", "dsn": UNUSED_DSN}
    return demo_config(tmp_path, UNUSED_DSN, overrides={"connections": {"ehr": ehr, **connections}})


async def harness_with(tmp_path: Path, connections: dict[str, Any]) -> Harness:
    return await make_harness(settings_with(tmp_path, connections))


@contextlib.asynccontextmanager
async def http_api(tmp_path: Path, address: str, token: str) -> AsyncIterator[Harness]:
    """A gateway whose http connection `api` reaches `address` with bearer `token`."""
    auth = {"scheme": "bearer", "value": token}
    harness = await harness_with(
        tmp_path, {"api": {"type": "http", "base_url": f"http://{address}", "auth": auth}}
    )
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def approve_and_run(
    h: Harness, body: dict[str, Any], requester: str = "claims-bot", reviewer: str = "alice"
) -> dict[str, Any]:
    """Approve a 202 answer as `reviewer`, then run it as the requester; the run's JSON."""
    approval_id = body["approval"]["id"]
    voted = await h.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=h.auth(reviewer), json={"comment": "ok"}
    )
    assert voted.status_code == 200, voted.text
    ran = await h.client.post(f"/v1/actions/{body['id']}/run", headers=h.auth(requester))
    assert ran.status_code == 200, ran.text
    result: dict[str, Any] = ran.json()
    return result


def audit_text(h: Harness) -> str:
    """Every audit record and stored action, as one string to search for leaks."""
    records = h.gateway.audit_records(since=0, limit=10_000)
    return json.dumps(records, default=str)


@dataclass
class Served:
    """An ASGI app served by uvicorn on a free port in a background thread."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def serve_in_thread(app: Any) -> Served:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return Served(f"http://127.0.0.1:{port}", server, thread)


async def review_all_tools(gateway: Any, connection: str) -> None:
    """Do what an operator does before agents use an MCP upstream: review every tool it
    lists and pin that definition (`phigate mcp-tools repin`)."""
    from phigate.connectors.mcp import McpConnector
    from phigate.connectors.mcp_pins import list_pins

    connector = gateway.connector(connection)
    assert isinstance(connector, McpConnector)
    for pin in await list_pins(connector, gateway.db):
        if not pin.reviewed and pin.upstream_digest is not None:
            who = {"subject": "operator", "kind": "human", "via": "test"}
            await gateway.repin(
                connector,
                pin.tool,
                expected_digest=pin.upstream_digest,
                by=who,
                reason="reviewed before first use",
            )
