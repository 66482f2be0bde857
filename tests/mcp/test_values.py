"""Values JSON has no form for, answered over MCP (round 12b finding 5, the MCP door).

A float `NaN` reached the agent as `null` (another value), and a json value holding a
lone surrogate made the SDK fail writing the answer: the session dropped after the
statement ran. Numbers come as PostgreSQL's text, a lone surrogate as U+FFFD.
"""

from __future__ import annotations

from tests.mcp.conftest import Served, mcp_client


async def test_nan_infinity_and_a_lone_surrogate_are_answered(served: Served) -> None:
    sql = (
        "SELECT 'NaN'::float8 AS r, '-Infinity'::float8 AS low, 'Infinity'::numeric AS n, "
        "'\"a\\ud800b\"'::json AS doc"
    )
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        result = await client.call_tool("query", {"connection": "ehr", "sql": sql})
    assert not result.is_error, result
    body = result.structured_content
    assert isinstance(body, dict) and body["status"] == "executed", body
    assert body["rows"] == [["NaN", "-Infinity", "Infinity", "a\ufffdb"]], body
    assert served.harness.gateway.action(body["action_id"]).status == "executed"
