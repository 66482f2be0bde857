"""A stdio MCP upstream for round 28c whose tools are read from a JSON file; no tests here.

Run as a subprocess: `python tests/adversarial/round28c_upstream.py STATE.json`. The file
holds `{"tools": [Tool JSON...], "answers": {tool: CallToolResult JSON}}` (an answer may
also say `"sleep": seconds` first, or `"raise": {code, message, data}` for a JSON-RPC
error) and is read again for every request, so a test changes what the upstream lists (a
rug pull) between calls. Every call's name and arguments are appended to `STATE.calls`
(what really ran).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError


def _state(path: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(path.read_text())
    return state


def server(path: Path) -> Server[Any]:
    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        tools = [types.Tool.model_validate(t) for t in _state(path)["tools"]]
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        _ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        with path.with_suffix(".calls").open("a") as calls:
            calls.write(json.dumps({"name": params.name, "arguments": params.arguments}) + "\n")
        answer = _state(path).get("answers", {}).get(params.name)
        if isinstance(answer, dict) and "sleep" in answer:
            await asyncio.sleep(float(answer.pop("sleep")))
        if isinstance(answer, dict) and "raise" in answer:
            error = answer["raise"]
            raise MCPError(error["code"], error["message"], error.get("data"))
        if answer is None:
            return types.CallToolResult(content=[types.TextContent(text="done")])
        return types.CallToolResult.model_validate(answer)

    return Server("round28c-upstream", on_list_tools=list_tools, on_call_tool=call_tool)


async def main() -> None:
    app = server(Path(sys.argv[1]))
    options = app.create_initialization_options(NotificationOptions(tools_changed=False))
    async with stdio_server() as (read, write):
        await app.run(read, write, options)


if __name__ == "__main__":
    asyncio.run(main())
