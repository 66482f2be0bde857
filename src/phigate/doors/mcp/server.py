"""The MCP server for agents: streamable HTTP at /mcp on the gateway's HTTP app.

`install_mcp(app, gateway)` mounts it: a bearer gate (see `_auth`), the SDK's
streamable-HTTP session manager in stateless mode (every request stands alone
and is authenticated on its own, so any replica can serve any call), and the
protected-resource metadata routes. Tool logic lives in `_tools`.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import mcp_types as types
from fastapi import FastAPI
from mcp.server import Server, ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from phigate.doors._json_values import json_safe, without_surrogates
from phigate.doors.mcp._auth import (
    METADATA_PATH,
    BearerGate,
    principal_of,
    public_base,
    resource_metadata,
)
from phigate.doors.mcp._nesting import NestingGate
from phigate.doors.mcp._render import ToolAnswer
from phigate.doors.mcp._tools import TOOLS, TOOLS_BY_NAME, AgentTools
from phigate.doors.mcp._upstream import listed_input_schema, split_name, upstream_tools
from phigate.doors.mcp.settings import McpSettings
from phigate.identity.principal import Principal
from phigate.pipeline.gateway import Gateway

INSTRUCTIONS = (
    "phigate gates access to systems holding protected health information. Results are "
    "masked: placeholders such as [NAME] or [SSN] stand for masked values. Some actions need "
    "a human's approval: when a tool answers status 'pending_approval', tell the user, wait, "
    "and check back with get_action. Denials name the rule and reason; explain them to the "
    "user rather than trying to work around them."
)


def mcp_settings(gateway: Gateway) -> McpSettings:
    value = getattr(gateway.settings, "mcp", None)
    return value if isinstance(value, McpSettings) else McpSettings()


def build_server(gateway: Gateway, settings: McpSettings) -> Server[Any]:
    """The low-level MCP server whose handlers call the gateway's pipeline."""
    tools = AgentTools(gateway, settings)

    async def list_tools(
        ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        principal = _principal(ctx)
        upstream = await upstream_tools(gateway, principal)
        return types.ListToolsResult(tools=[_tool(spec) for spec in TOOLS] + upstream)

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        principal = _principal(ctx)
        upstream = split_name(gateway, params.name)
        if params.name not in TOOLS_BY_NAME and upstream is None:
            raise MCPError(types.INVALID_PARAMS, f"unknown tool {params.name!r}")

        async def progress(done: float, total: float | None, message: str) -> None:
            await ctx.session.report_progress(done, total, message)

        if upstream is not None:
            answer = await tools.call_upstream(
                upstream[0],
                upstream[1],
                params.arguments,
                principal,
                progress=progress,
                client_addr=_client_addr(ctx),
            )
            return tool_result(answer)

        answer = await tools.call(
            params.name,
            params.arguments,
            principal,
            progress=progress,
            client_addr=_client_addr(ctx),
        )
        return tool_result(answer)

    def input_schema(name: str) -> dict[str, Any] | None:
        """A called tool's schema, for the SDK's Mcp-Param header check. Without this
        the SDK runs the whole tools/list handler (policy for every upstream tool) on
        every call; this answers from what listings already built."""
        spec = TOOLS_BY_NAME.get(name)
        return spec.input_schema() if spec is not None else listed_input_schema(gateway, name)

    return Server(
        "phigate",
        version="0.1.0",
        title="phigate",
        instructions=INSTRUCTIONS,
        get_tool_input_schema=input_schema,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def tool_result(answer: ToolAnswer) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(text=without_surrogates(answer.text))],
        structured_content=json_safe(answer.structured),
        is_error=answer.is_error,
    )


def _tool(spec: Any) -> types.Tool:
    return types.Tool(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        input_schema=spec.input_schema(),
        annotations=types.ToolAnnotations(
            read_only_hint=spec.read_only,
            destructive_hint=not spec.read_only,
            open_world_hint=False,
        ),
    )


def _request(ctx: ServerRequestContext[Any]) -> Request:
    request = ctx.request
    if not isinstance(request, Request):
        raise MCPError(types.INTERNAL_ERROR, "this server only serves authenticated HTTP requests")
    return request


def _principal(ctx: ServerRequestContext[Any]) -> Principal:
    return principal_of(_request(ctx).scope)


def _client_addr(ctx: ServerRequestContext[Any]) -> str | None:
    client = _request(ctx).client
    return client.host if client is not None else None


def _transport_security(gateway: Gateway) -> TransportSecuritySettings | None:
    """DNS-rebinding protection when the gateway listens on loopback only."""
    server = gateway.settings.server
    if not _is_loopback(server.http_host):
        return None
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    if server.public_url:
        parts = urlsplit(server.public_url)
        hosts.append(parts.netloc)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _McpEndpoint:
    """ASGI endpoint for /mcp: 503 until the app's lifespan has started the manager."""

    def __init__(self, manager: StreamableHTTPSessionManager) -> None:
        self.manager = manager
        self.running = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.running:
            response = JSONResponse(
                {"error": "unavailable", "error_description": "the MCP server is not running"},
                status_code=503,
            )
            await response(scope, receive, send)
            return
        await self.manager.handle_request(scope, receive, send)


def install_mcp(app: FastAPI, gateway: Gateway) -> None:
    """Mount /mcp and the protected-resource metadata on the gateway's HTTP app."""
    settings = mcp_settings(gateway)
    manager = StreamableHTTPSessionManager(
        app=build_server(gateway, settings),
        stateless=True,
        security_settings=_transport_security(gateway),
    )
    endpoint = _McpEndpoint(manager)
    guarded = BearerGate(NestingGate(endpoint, gateway), gateway, settings)
    app.router.routes.append(Route("/mcp", endpoint=guarded))

    async def metadata(request: Request) -> Response:
        base = public_base(gateway, request.scope)
        return JSONResponse(resource_metadata(gateway, base))

    for path in (METADATA_PATH, METADATA_PATH + "/mcp"):
        app.add_route(path, metadata, methods=["GET"], include_in_schema=False)
    _run_with_app(app, manager, endpoint)


def _run_with_app(
    app: FastAPI, manager: StreamableHTTPSessionManager, endpoint: _McpEndpoint
) -> None:
    """Run the session manager for the lifetime of the app (wrapping its lifespan)."""
    outer = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(the_app: Any) -> AsyncIterator[Any]:
        async with manager.run():
            endpoint.running = True
            try:
                async with outer(the_app) as state:
                    yield state
            finally:
                endpoint.running = False

    app.router.lifespan_context = lifespan
