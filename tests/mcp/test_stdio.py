"""`phigate mcp --stdio` as a subprocess relaying to a running gateway, driven with the SDK."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from tests.mcp.conftest import Served

PHIGATE = str(Path(sys.executable).parent / "phigate")
# The relay runs the code under test (a worktree on PYTHONPATH), not an installed copy.
_CODE_UNDER_TEST = {k: v for k, v in os.environ.items() if k == "PYTHONPATH"}


def relay(served: Served, token: str) -> StdioServerParameters:
    env = {
        "PHIGATE_TOKEN": token,
        "PHIGATE_URL": served.base_url,
        "PATH": os.environ["PATH"],
        **_CODE_UNDER_TEST,
    }
    return StdioServerParameters(command=PHIGATE, args=["mcp", "--stdio"], env=env)


async def test_stdio_relay_lists_queries_and_is_denied_like_http(served: Served) -> None:
    async with Client(relay(served, served.token("claims-bot")), cache=None) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        masked = await client.call_tool(
            "query", {"connection": "ehr", "sql": "SELECT ssn FROM patients LIMIT 2"}
        )
        denied = await client.call_tool("query", {"connection": "ehr", "sql": "DROP TABLE claims"})
        invalid = await client.call_tool("query", {"sql": "SELECT 1"})
    assert tools == {"list_connections", "describe_connection", "query", "get_action"}
    assert not masked.is_error and masked.structured_content is not None
    assert masked.structured_content["masked"].get("SSN") == 2
    assert denied.is_error and denied.structured_content is not None
    assert denied.structured_content["rule"] == "schema-privilege-admin-denied"
    assert invalid.is_error
    # The relay added nothing of its own: the gateway recorded the calls as MCP actions.
    record = served.harness.gateway.action(masked.structured_content["action_id"])
    assert record.action.front_door == "mcp" and record.action.principal.subject == "claims-bot"


@pytest.mark.parametrize("token", ["", "phg_wrong"])
async def test_stdio_relay_refuses_to_start_without_a_valid_token(
    served: Served, token: str
) -> None:
    env = {
        "PHIGATE_TOKEN": token,
        "PHIGATE_URL": served.base_url,
        "PATH": os.environ["PATH"],
        **_CODE_UNDER_TEST,
    }
    proc = await asyncio.create_subprocess_exec(
        PHIGATE,
        "mcp",
        "--stdio",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 2, err.decode()[-3000:]
    assert b"PHIGATE_TOKEN" in err
