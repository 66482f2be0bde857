"""What the encoding rounds' stdio MCP upstreams share (29a, 30, 32a); no tests here.

Each round's script names its views (how a file tool or a shell prints a file's
bytes) and calls `run`: the upstream's one tool, `read_file`, reads a file whole and
answers it in the view its `view` argument names. A view may answer several text
blocks (a list), as a tool that cuts its answer does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.stdio import stdio_server

View = Callable[[bytes], str | list[str]]


def server(name: str, views: Mapping[str, View], *, strip: bool = False) -> Server[Any]:
    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        tool = types.Tool(name="read_file", description="Read.", input_schema={"type": "object"})
        return types.ListToolsResult(tools=[tool])

    async def call_tool(
        _ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        arguments = params.arguments or {}
        raw = await asyncio.to_thread(Path(str(arguments["path"])).read_bytes)
        answer = views[str(arguments.get("view", "text"))](raw.strip() if strip else raw)
        blocks = [answer] if isinstance(answer, str) else answer
        return types.CallToolResult(content=[types.TextContent(text=b) for b in blocks])

    return Server(name, on_list_tools=list_tools, on_call_tool=call_tool)


def run(name: str, views: Mapping[str, View], *, strip: bool = False) -> None:
    """Serve the upstream on stdin/stdout until the gateway closes it."""

    async def main() -> None:
        app = server(name, views, strip=strip)
        options = app.create_initialization_options(NotificationOptions(tools_changed=False))
        async with stdio_server() as (read, write):
            await app.run(read, write, options)

    asyncio.run(main())
