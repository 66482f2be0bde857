"""Deep nesting at the MCP door: a tool error the model can read, audited; a message
nested past the JSON reader is a JSON-RPC error, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from phigate.pipeline.nesting import MAX_DEPTH
from tests.mcp.conftest import Served


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


async def _raw_call(served: Served, tool: str, arguments: str) -> httpx.Response:
    """A tools/call written by hand: client libraries refuse to write deep nesting
    (pydantic's serializer stops at its own depth), an attacker's client does not."""
    text = (
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"' + tool + '",'
        '"arguments":' + arguments + "}}"
    )
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.post(
            served.mcp_url,
            content=text,
            headers={
                "Authorization": f"Bearer {served.token('claims-bot')}",
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-06-18",
            },
        )


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 150, 600, 5000])
async def test_mcp_query_answers_deep_nesting_with_a_clear_audited_error(
    served: Served, depth: int
) -> None:
    before, _ = served.harness.gateway.audit_head()
    deep = "[" * depth + "1" + "]" * depth
    answer = await _raw_call(
        served, "query", '{"connection":"ehr","sql":"SELECT 1","extra":' + deep + "}"
    )
    after, _ = served.harness.gateway.audit_head()
    assert answer.status_code < 500, answer.text[:300]
    assert f"more than {MAX_DEPTH} levels deep" in answer.text, answer.text[:300]
    assert after > before, "not audited"


async def _call_with_id(served: Served, request_id: str) -> httpx.Response:
    """A tools/call whose id is written as given (Python's reader takes `NaN`)."""
    text = (
        '{"jsonrpc":"2.0","id":' + request_id + ',"method":"tools/call","params":'
        '{"name":"query","arguments":{"connection":"ehr","sql":"SELECT 1"}}}'
    )
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.post(
            served.mcp_url,
            content=text,
            headers={
                "Authorization": f"Bearer {served.token('claims-bot')}",
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-06-18",
            },
        )


@pytest.mark.parametrize(
    "request_id", ["NaN", "Infinity", "1e400", "1.5", "1.0", "true", "[1]", "9007199254740992"]
)
async def test_an_id_no_request_can_have_is_an_audited_invalid_request(
    served: Served, request_id: str
) -> None:
    """Round 15b: the SDK took these for notifications and answered 202, unrun and
    unrecorded. JSON-RPC ids are strings, integers (here: JSON-safe ones) or null."""
    before, _ = served.harness.gateway.audit_head()
    answer = await _call_with_id(served, request_id)
    after, _ = served.harness.gateway.audit_head()
    assert answer.status_code == 400, (answer.status_code, answer.text[:300])
    error = answer.json()
    assert error["id"] is None and error["error"]["code"] == -32600, error
    assert "not a JSON-RPC id" in error["error"]["message"]
    assert after > before, "not audited"


@pytest.mark.parametrize("request_id", ['"r-1"', "9007199254740991", "-3"])
async def test_string_and_safe_integer_ids_are_answered_with_their_id(
    served: Served, request_id: str
) -> None:
    answer = await _call_with_id(served, request_id)
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])
    assert request_id in answer.text and "not a JSON-RPC id" not in answer.text
