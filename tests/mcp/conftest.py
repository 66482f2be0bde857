"""MCP test fixtures: the real gateway app served by uvicorn on a free port, and an
official-SDK MCP client speaking streamable HTTP to it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client

from phigate.doors.app import build_app
from tests.conftest import Harness, demo_config, make_harness


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    harness: Harness
    base_url: str

    @property
    def mcp_url(self) -> str:
        return f"{self.base_url}/mcp"

    def token(self, subject: str) -> str:
        return self.harness.tokens[subject]


@asynccontextmanager
async def serve_app(app: Any) -> AsyncIterator[str]:
    """Run `app` with uvicorn (lifespan on) in this event loop; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name="test-uvicorn")
    try:
        while not server.started:
            if task.done():
                await task
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def mcp_client(url: str, token: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60.0)) as http:
        transport = streamable_http_client(url, http_client=http)
        async with Client(transport, cache=None) as client:
            yield client


async def start(tmp_path: Path, dsn: str, **overrides: Any) -> tuple[Harness, Any]:
    harness = await make_harness(demo_config(tmp_path, dsn, overrides=overrides or None))
    return harness, build_app(harness.gateway)


@pytest.fixture
async def served(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Served]:
    harness, app = await start(
        tmp_path, ehr_dsn, mcp={"query_wait_seconds": 1, "progress_interval_seconds": 0.3}
    )
    try:
        async with serve_app(app) as base:
            yield Served(harness, base)
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
