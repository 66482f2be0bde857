"""Over MCP, a read whose outcome cannot be recorded is a tool error with code
`outcome_unrecorded` saying it ran: an agent told "not run" would ask again."""

from __future__ import annotations

from pathlib import Path

from tests.mcp.conftest import Served, mcp_client
from tests.test_outcome_unrecorded import refuse_outcome_records


async def test_an_unrecorded_read_is_a_tool_error_saying_it_ran(
    served: Served, tmp_path: Path
) -> None:
    refuse_outcome_records(tmp_path / "state.db")
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        result = await client.call_tool(
            "query", {"connection": "ehr", "sql": "SELECT count(*) FROM claims"}
        )
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert "outcome_unrecorded" in str(result.structured_content) + text
    assert "the action ran" in text and "not run" not in text
