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
