"""Over MCP, a result past its byte cap is a tool error naming the limit, with no rows."""

from __future__ import annotations

from pathlib import Path

from tests.mcp.conftest import mcp_client, serve_app, start
from tests.mcp.test_http import structured

# The note joined to a long constant (repeat over a note is a condition on it).
BIG = (
    "SELECT note_text || ' ' || repeat('lorem ipsum dolor ', 50000) AS body"
    " FROM clinical_notes LIMIT 1"
)


async def test_a_value_past_its_cap_is_a_tool_error(tmp_path: Path, ehr_dsn: str) -> None:
    harness, app = await start(tmp_path, ehr_dsn, limits={"max_value_bytes": 64 * 1024})
    try:
        async with serve_app(app) as base:
            token = harness.tokens["claims-bot"]
            async with mcp_client(f"{base}/mcp", token) as client:
                result = await client.call_tool("query", {"connection": "ehr", "sql": BIG})
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
    assert result.is_error
    body = structured(result)
    assert body["status"] == "error" and body["error"] == "result_too_large"
    assert "rows" not in body
    text = result.content[0].text  # type: ignore[union-attr]
    assert "limits.max_value_bytes" in text
