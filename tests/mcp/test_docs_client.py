"""The Python client of docs/mcp.md, run as written with the official MCP SDK against a
gateway that holds `query` for approval longer than httpx's 5-second default."""

from __future__ import annotations

import asyncio
import logging
import re
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import Harness
from tests.console.conftest import sign_in
from tests.mcp.conftest import Served, serve_app, start

DOC = Path(__file__).parents[2] / "docs" / "mcp.md"
DOC_URL = "http://127.0.0.1:8080/mcp"
DOC_SQL = "SELECT * FROM claims LIMIT 5"
UPDATE = "UPDATE claims SET status = 'reviewed' WHERE id = 1"
HOLD = 7.0  # longer than httpx's default 5 s timeout, the trap the snippet fell into


def sdk_snippet() -> str:
    """The docs' 'agent framework' snippet (the block that opens the SDK client)."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    (snippet,) = [b for b in blocks if "streamable_http_client" in b]
    return snippet


async def run_snippet(url: str, token: str, sql: str) -> Any:
    """Run the snippet as written; only the URL and the statement are this test's."""
    code = sdk_snippet().replace(DOC_URL, url).replace(DOC_SQL, sql)
    assert url in code and sql in code
    body = textwrap.indent(code, "    ")
    namespace: dict[str, Any] = {}
    exec(f"async def snippet(token):\n{body}\n    return result\n", namespace)
    return await namespace["snippet"](token)


@pytest.fixture
async def holding(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Served]:
    harness, app = await start(
        tmp_path, ehr_dsn, mcp={"query_wait_seconds": HOLD, "progress_interval_seconds": 1}
    )
    try:
        async with serve_app(app) as base:
            yield Served(harness, base)
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def test_the_docs_snippet_reads_rows(holding: Served) -> None:
    result = await run_snippet(holding.mcp_url, holding.token("claims-bot"), DOC_SQL)
    assert not result.is_error and result.structured_content["status"] == "executed"


async def test_the_docs_snippet_outlasts_an_approval_hold(holding: Served) -> None:
    result = await run_snippet(holding.mcp_url, holding.token("claims-bot"), UPDATE)
    assert result.structured_content["status"] == "pending_approval"


async def test_an_agent_that_gives_up_is_shown_to_reviewers_and_logs_no_traceback(
    holding: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    headers = {"Authorization": f"Bearer {holding.token('claims-bot')}"}
    async with httpx2.AsyncClient(headers=headers, timeout=2.0) as http:
        transport = streamable_http_client(holding.mcp_url, http_client=http)
        with pytest.raises(Exception):  # noqa: B017 - whatever the SDK raises on timeout
            async with Client(transport, cache=None) as client:
                await client.call_tool("query", {"connection": "ehr", "sql": UPDATE})
    h = holding.harness
    approval = await _pending_approval_once_marked(h)
    assert approval["requester_disconnected_at"] is not None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    reviewer = await sign_in(h, "alice")
    try:
        inbox = (await reviewer.get("/ui/approvals")).text
        detail = (await reviewer.get(f"/ui/approvals/{approval['id']}")).text
    finally:
        await reviewer.aclose()
    assert "(requester disconnected)" in inbox and "requester disconnected" in detail
    events = [r["event"] for r in h.gateway.audit_records()]
    assert "approval.requester_disconnected" in events


async def _pending_approval_once_marked(h: Harness) -> dict[str, Any]:
    for _ in range(60):
        answer = await h.client.get("/v1/approvals?status=pending", headers=h.auth("alice"))
        (approval,) = answer.json()["approvals"]
        if approval["requester_disconnected_at"] is not None:
            break
        await asyncio.sleep(0.25)
    return dict(approval)
