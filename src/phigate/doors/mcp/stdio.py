"""`phigate mcp --stdio`: an MCP server on stdin/stdout for local agents.

It is a relay, not a second gateway: every request is forwarded to a RUNNING
gateway's /mcp endpoint over HTTP with the caller's `PHIGATE_TOKEN`, so
authentication, policy, approvals, masking and audit all happen there. The
relay holds no credentials for upstream systems and cannot bypass anything.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import mcp_types as types
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from phigate.core.errors import AuthenticationError, UpstreamError

# Long enough for a held `query` (at most 50 s by configuration) plus slack.
READ_TIMEOUT_SECONDS = 120.0


@contextlib.asynccontextmanager
async def connect(gateway_url: str, token: str, refusals: Refusals) -> AsyncIterator[Client]:
    """An MCP client session to the gateway's /mcp, authenticated with `token`; the
    gateway's refusals of the token mid-session are noted in `refusals`."""
    if not token:
        raise AuthenticationError("set PHIGATE_TOKEN to your phigate API token")
    url = gateway_url.rstrip("/") + "/mcp"
    timeout = httpx2.Timeout(30.0, read=READ_TIMEOUT_SECONDS)
    headers = {"Authorization": f"Bearer {token}"}
    hooks = {"response": [refusals.note]}
    async with httpx2.AsyncClient(headers=headers, timeout=timeout, event_hooks=hooks) as http:
        await _preflight(http, url)
        try:
            async with Client(streamable_http_client(url, http_client=http), cache=None) as client:
                yield client
        except* MCPError as group:
            raise UpstreamError(
                f"the gateway at {url} refused the MCP session: {group.exceptions[0]}"
            ) from None


class Refusals:
    """The gateway's last refusal of PHIGATE_TOKEN, seen on the HTTP responses.

    The MCP client reports any HTTP error mid-session as one generic JSON-RPC error
    ("Server returned an error response"); an agent whose token was revoked or
    expired must instead be told that its token is refused, and what to do.
    """

    def __init__(self) -> None:
        self.refused: str | None = None

    async def note(self, response: httpx2.Response) -> None:
        if response.status_code in (401, 403):
            what = "refused" if response.status_code == 401 else "not allowed"
            self.refused = (
                f"the gateway {what} PHIGATE_TOKEN ({response.status_code}): it was revoked, "
                "has expired or lacks the right; get a new token and restart the relay"
            )
        elif response.is_success:
            self.refused = None

    def translate(self, error: MCPError) -> MCPError:
        if self.refused is None:
            return error
        return MCPError(TOKEN_REFUSED, self.refused)


# A server-defined JSON-RPC error code (the range -32000..-32099 is for servers).
TOKEN_REFUSED = -32001


async def _preflight(http: httpx2.AsyncClient, url: str) -> None:
    """One ping before serving, so a bad token or a wrong URL fails at start with a reason."""
    ping = {"jsonrpc": "2.0", "id": 0, "method": "ping"}
    accept = {"Accept": "application/json, text/event-stream"}
    try:
        response = await http.post(url, json=ping, headers=accept)
    except httpx2.HTTPError as exc:
        raise UpstreamError(f"cannot reach the gateway at {url}: {exc}") from None
    if response.status_code == 401:
        raise AuthenticationError(f"the gateway at {url} refused PHIGATE_TOKEN (401)")
    if response.status_code == 404:
        raise UpstreamError(f"no MCP endpoint at {url} (404); is PHIGATE_URL right?")


def relay_server(gateway: Client, refusals: Refusals) -> Server[Any]:
    """A stdio-side server whose every handler forwards to the gateway session."""

    async def list_tools(
        _ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        try:
            return await gateway.list_tools(cursor=params.cursor if params else None)
        except MCPError as error:
            raise refusals.translate(error) from None

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        async def progress(progress: float, total: float | None, message: str | None) -> None:
            await ctx.session.report_progress(progress, total, message)

        try:
            return await gateway.call_tool(
                params.name, params.arguments, progress_callback=progress
            )
        except MCPError as error:
            raise refusals.translate(error) from None
        except Exception as exc:  # the gateway went away mid-call: say so, run nothing
            raise MCPError(types.INTERNAL_ERROR, f"the gateway did not answer: {exc}") from exc

    return Server(
        "phigate",
        version="0.1.0",
        title="phigate (stdio relay)",
        instructions=gateway.instructions,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


async def serve_stdio(gateway_url: str, token: str) -> None:
    """Connect to the gateway first (a bad token fails fast), then serve stdin/stdout."""
    refusals = Refusals()
    async with connect(gateway_url, token, refusals) as gateway:
        server = relay_server(gateway, refusals)
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
