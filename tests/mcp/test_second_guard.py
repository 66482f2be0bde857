"""The database is the second guard through MCP: the same reader role as REST and the wire."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.conftest import reader_dsn_for
from tests.mcp.conftest import Served, mcp_client
from tests.test_second_guard import CLAIMS, PLANTS


def structured(result: Any) -> dict[str, Any]:
    assert isinstance(result.structured_content, dict)
    return result.structured_content


async def test_an_mcp_read_runs_as_the_reader(served: Served, ehr_dsn: str) -> None:
    reader = psycopg.conninfo.conninfo_to_dict(reader_dsn_for(ehr_dsn))["user"]
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        result = await client.call_tool(
            "query", {"connection": "ehr", "sql": "SELECT current_user"}
        )
    assert not result.is_error, result
    assert structured(result)["rows"] == [[reader]]


@pytest.mark.parametrize("plant", PLANTS[:1])
async def test_an_mcp_read_cannot_plant_a_temp_table(served: Served, plant: str) -> None:
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        planted = await client.call_tool("query", {"connection": "ehr", "sql": plant})
        assert planted.is_error or structured(planted)["status"] != "executed"
        result = await client.call_tool(
            "query", {"connection": "ehr", "sql": "SELECT count(*), min(cpt_code) FROM claims"}
        )
    count, cpt = structured(result)["rows"][0]
    assert count == CLAIMS and cpt.isdigit()


async def test_an_mcp_text_with_a_commit_is_refused_before_it_is_decided(
    served: Served, ehr_dsn: str
) -> None:
    """As on REST (tests/test_transaction_control.py): the gateway owns the action's
    transaction, so a COMMIT in the text is refused at once, naming it; nothing runs."""
    text = "UPDATE claims SET status = 'mcp-commit' WHERE id = 66; COMMIT; SELECT 1/0"
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        result = await client.call_tool("query", {"connection": "ehr", "sql": text})
    assert result.is_error
    assert "holds COMMIT" in str(result.content)
    with psycopg.connect(ehr_dsn) as direct:
        row = direct.execute("SELECT status FROM claims WHERE id = 66").fetchone()
    assert row is not None and row[0] != "mcp-commit"
