"""phigate as an MCP server over streamable HTTP, driven with the official MCP client."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import psycopg
import pytest
from mcp.shared.exceptions import MCPError

from phigate.core.errors import InvalidRequestError
from phigate.identity.principal import PrincipalKind
from tests.mcp.conftest import Served, mcp_client
from tests.support.state import token_store

SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")


def structured(result: Any) -> dict[str, Any]:
    assert isinstance(result.structured_content, dict)
    return result.structured_content


async def test_lists_the_four_tools_and_nothing_that_approves(served: Served) -> None:
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        listed = await client.list_tools()
    names = {tool.name for tool in listed.tools}
    assert names == {"list_connections", "describe_connection", "query", "get_action"}
    query = next(t for t in listed.tools if t.name == "query")
    assert query.input_schema["required"] == ["connection", "sql"]
    assert query.input_schema["additionalProperties"] is False
    assert not any(re.search(r"approve|deny|policy", n) for n in names)


async def test_masked_query_returns_rows_without_phi(served: Served, ehr_dsn: str) -> None:
    sql = "SELECT id, first_name, last_name, ssn FROM patients ORDER BY id LIMIT 5"
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        result = await client.call_tool(
            "query", {"connection": "ehr", "sql": sql, "reason": "claims audit"}
        )
    assert not result.is_error
    body = structured(result)
    assert body["status"] == "executed" and body["row_count"] == 5
    assert body["columns"] == ["id", "first_name", "last_name", "ssn"]
    with psycopg.connect(ehr_dsn) as conn:
        raw = conn.execute(sql).fetchall()
    for masked_row, raw_row in zip(body["rows"], raw, strict=True):
        assert masked_row[0] == raw_row[0]  # ids pass through
        assert masked_row[3] != raw_row[3] and not SSN.search(str(masked_row[3]))
        assert raw_row[2] not in str(masked_row)
    text = result.content[0].text  # type: ignore[union-attr]
    assert "5 row(s)" in text and "first_name" in text and not SSN.search(text)
    record = served.harness.gateway.action(body["action_id"])
    assert record.action.front_door == "mcp" and record.action.reason == "claims audit"


async def test_denied_query_is_a_tool_error_with_rule_and_reason(served: Served) -> None:
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        result = await client.call_tool(
            "query", {"connection": "ehr", "sql": "DROP TABLE patients"}
        )
    assert result.is_error
    body = structured(result)
    assert body["status"] == "denied"
    assert body["rule"] == "schema-privilege-admin-denied"
    assert "never run" in body["reason"]
    assert "schema-privilege-admin-denied" in result.content[0].text  # type: ignore[union-attr]


async def test_a_syntax_error_names_the_parsers_message(served: Served) -> None:
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        result = await client.call_tool(
            "query", {"connection": "ehr", "sql": "SELECT * FROM patients WHERE id = = 1"}
        )
    assert result.is_error and structured(result)["rule"] == "unknown-denied"
    assert 'syntax error at or near "="' in structured(result)["reason"]
    assert 'syntax error at or near "="' in result.content[0].text  # type: ignore[union-attr]


async def test_a_request_nobody_can_decide_is_not_held_and_says_so(served: Served) -> None:
    tokens = token_store(served.harness.gateway)
    for reviewer in ("alice", "bob"):
        for info in tokens.list(subject=reviewer):
            tokens.revoke(info.id)
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        result = await client.call_tool("query", {"connection": "ehr", "sql": UPDATE})
    body = structured(result)
    assert body["status"] == "pending_approval"
    assert "no reviewer can decide" in body["no_reviewer"]
    assert "no reviewer can decide" in result.content[0].text  # type: ignore[union-attr]


async def _approve_when_requested(served: Served, voter: str) -> str:
    h = served.harness
    for _ in range(100):
        listed = (await h.client.get("/v1/approvals?status=pending", headers=h.auth(voter))).json()
        if listed["approvals"]:
            approval_id: str = listed["approvals"][0]["id"]
            response = await h.client.post(
                f"/v1/approvals/{approval_id}/approve",
                headers=h.auth(voter),
                json={"comment": "ok"},
            )
            assert response.status_code == 200, response.text
            return approval_id
        await asyncio.sleep(0.05)
    raise AssertionError("no approval request appeared")


UPDATE = "UPDATE claims SET status = 'reviewed' WHERE id = 1"


async def test_query_held_completes_when_a_reviewer_approves_meanwhile(served: Served) -> None:
    progress: list[tuple[float, str | None]] = []

    async def on_progress(done: float, _total: float | None, message: str | None) -> None:
        progress.append((done, message))

    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        approver = asyncio.create_task(_approve_when_requested(served, "alice"), name="approver")
        result = await client.call_tool(
            "query", {"connection": "ehr", "sql": UPDATE}, progress_callback=on_progress
        )
        await approver
    body = structured(result)
    assert not result.is_error, result
    assert body["status"] == "executed"
    assert progress and "waiting for approval" in (progress[0][1] or "")


async def test_pending_then_get_action_runs_it_once_after_rest_approval(served: Served) -> None:
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        first = await client.call_tool(
            "query", {"connection": "ehr", "sql": UPDATE, "reason": "fix claim"}
        )
        pending = structured(first)
        assert not first.is_error
        assert pending["status"] == "pending_approval"
        assert pending["required_approvals"] == 1
        assert pending["approval_url"].endswith(
            "/ui/approvals/" + pending["approval_url"].rsplit("/", 1)[1]
        )
        assert "get_action" in first.content[0].text  # type: ignore[union-attr]
        still = await client.call_tool("get_action", {"action_id": pending["action_id"]})
        assert structured(still)["status"] == "pending_approval"
        await _approve_when_requested(served, "bob")
        done = await client.call_tool("get_action", {"action_id": pending["action_id"]})
        again = await client.call_tool("get_action", {"action_id": pending["action_id"]})
    assert structured(done)["status"] == "executed"
    assert structured(again)["status"] == "executed" and "rows" not in structured(again)
    record = served.harness.gateway.action(pending["action_id"])
    assert record.status == "executed"


async def test_reviewer_denial_comes_back_as_error(served: Served) -> None:
    h = served.harness
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        first = structured(await client.call_tool("query", {"connection": "ehr", "sql": UPDATE}))
        approval = h.gateway.approval_for_action(first["action_id"])
        assert approval is not None
        await h.client.post(
            f"/v1/approvals/{approval.id}/deny", headers=h.auth("alice"), json={"comment": "no"}
        )
        result = await client.call_tool("get_action", {"action_id": first["action_id"]})
    assert result.is_error and structured(result)["status"] == "denied"


async def test_other_callers_cannot_see_or_run_an_action(served: Served) -> None:
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        first = structured(await client.call_tool("query", {"connection": "ehr", "sql": UPDATE}))
    async with mcp_client(served.mcp_url, served.token("dana")) as other:
        result = await other.call_tool("get_action", {"action_id": first["action_id"]})
    assert result.is_error and structured(result)["error"] == "not_found"


@pytest.mark.parametrize(
    "arguments, problem",
    [
        ({"connection": "ehr"}, "sql"),
        ({"connection": "ehr", "sql": "SELECT 1", "wait": 5}, "wait"),
        ({"connection": "", "sql": "SELECT 1"}, "connection"),
        ({"connection": "nope", "sql": "SELECT 1"}, "no connection named"),
    ],
)
async def test_invalid_arguments_are_tool_errors(
    served: Served, arguments: dict[str, Any], problem: str
) -> None:
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        result = await client.call_tool("query", arguments)
    assert result.is_error
    assert problem in result.content[0].text  # type: ignore[union-attr]


async def test_unknown_tool_is_a_protocol_error(served: Served) -> None:
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        with pytest.raises(MCPError, match="unknown tool"):
            await client.call_tool("approve", {"approval_id": "x"})


async def test_list_and_describe_connections(served: Served) -> None:
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        listed = structured(await client.call_tool("list_connections", {}))
        described = await client.call_tool("describe_connection", {"connection": "ehr"})
    ehr = next(c for c in listed["connections"] if c["name"] == "ehr")
    assert ehr["type"] == "postgres" and ehr["action_kind"] == "sql"
    body = structured(described)
    patients = next(t for t in body["tables"] if t["name"] == "public.patients")
    assert patients["access"] == "allowed (masked)"
    ssn = next(c for c in patients["columns"] if c["name"] == "ssn")
    assert ssn["sensitivity"] == "SSN" and ssn["masking"].startswith("masked")
    assert not SSN.search(described.content[0].text)  # type: ignore[union-attr]


@pytest.mark.parametrize("header", [None, "Bearer phg_not_a_real_token", "Basic abc"])
async def test_missing_or_bad_tokens_get_401_with_metadata_pointer(
    served: Served, header: str | None
) -> None:
    headers = {"Accept": "application/json, text/event-stream"}
    if header:
        headers["Authorization"] = header
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    async with httpx.AsyncClient() as http:
        response = await http.post(served.mcp_url, json=init, headers=headers)
        metadata_url = re.search(
            r'resource_metadata="([^"]+)"', response.headers["www-authenticate"]
        )
        assert response.status_code == 401
        assert metadata_url is not None
        metadata = (await http.get(metadata_url.group(1))).json()
    assert metadata["resource"] == served.mcp_url
    assert metadata["bearer_methods_supported"] == ["header"]
    if header and header.startswith("Bearer"):
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_sdk_client_with_bad_token_cannot_connect(served: Served) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the SDK surfaces the 401 as its own error
        async with mcp_client(served.mcp_url, "phg_wrong") as client:
            await client.list_tools()


async def test_reveal_needs_approval_and_secrets_are_never_revealed(
    served: Served, ehr_dsn: str
) -> None:
    with psycopg.connect(ehr_dsn) as conn:
        dob = str(conn.execute("SELECT dob FROM patients WHERE id = 6").fetchone()[0])  # type: ignore[index]
    sql = "SELECT id, dob FROM patients WHERE id = 6"
    async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
        secret = await client.call_tool(
            "query", {"connection": "ehr", "sql": sql, "reveal": ["SECRET"]}
        )
        assert secret.is_error and "never shown secrets" in structured(secret)["reason"]
        asked = await client.call_tool(
            "query", {"connection": "ehr", "sql": sql, "reveal": ["date"], "reason": "eligibility"}
        )
        pending = structured(asked)
        assert pending["status"] == "pending_approval"
        await _approve_when_requested(served, "alice")
        done = await client.call_tool("get_action", {"action_id": pending["action_id"]})
        masked_again = await client.call_tool("query", {"connection": "ehr", "sql": sql})
    assert dob in str(structured(done))
    assert dob not in str(structured(masked_again))


async def test_an_agent_named_like_a_person_cannot_take_their_action(served: Served) -> None:
    """get_action runs an approved action: the requester is the same subject *and* kind
    (phigate.reviewing.is_requester). An agent token under a person's subject cannot
    even be made (one kind per subject); an OIDC agent named like a person is refused
    by kind (tests/identity/test_one_person.py)."""
    async with mcp_client(served.mcp_url, served.token("dana")) as client:
        first = structured(await client.call_tool("query", {"connection": "ehr", "sql": UPDATE}))
    assert first["action_id"]
    with pytest.raises(InvalidRequestError, match="one kind"):
        token_store(served.harness.gateway).create(
            subject="Dana", kind=PrincipalKind.AGENT, groups=("agents",), on_behalf_of="bob"
        )
