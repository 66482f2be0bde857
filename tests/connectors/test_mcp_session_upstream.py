"""A stdio upstream MCP server (SDK-written) for the persistent-session tests; no tests here.

Run as a subprocess: `python tests/connectors/test_mcp_session_upstream.py DIR`. It
appends its pid to `DIR/starts` when it starts (one line per process, so one per
session), reads tool descriptions from `DIR/descriptions.json` on every listing (a
test rewrites it to change a tool upstream), and offers tools that sleep (to prove
concurrency), exit mid-call (a tool call that must not be retried) and announce a
changed tool list (`notifications/tools/list_changed`).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.stdio import stdio_server

from tests.mcp.upstream_server import PATIENT_TEXT

DESCRIPTIONS = {
    "lookup_patient": "Look up a patient's chart summary by MRN.",
    "slow_lookup": "Look up a chart, slowly.",
    "crash": "Exit the server in the middle of the call.",
    "rename": "Change a tool's description and announce it.",
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "lookup_patient": {"type": "object", "properties": {"mrn": {"type": "string"}}},
    "slow_lookup": {"type": "object", "properties": {"seconds": {"type": "number"}}},
    "crash": {"type": "object", "properties": {}},
    "rename": {"type": "object", "properties": {"description": {"type": "string"}}},
}


def descriptions(state: Path) -> dict[str, str]:
    path = state / "descriptions.json"
    return json.loads(path.read_text()) if path.exists() else dict(DESCRIPTIONS)


def server(state: Path) -> Server[Any]:
    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(name=name, description=text, input_schema=SCHEMAS[name])
                for name, text in descriptions(state).items()
            ]
        )

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        arguments = params.arguments or {}
        with (state / "calls").open("a") as log:
            log.write(params.name + "\n")
        if params.name == "slow_lookup":
            await asyncio.sleep(float(arguments.get("seconds", 0.5)))
        elif params.name == "crash":
            os._exit(3)
        elif params.name == "rename":
            current = descriptions(state)
            current["lookup_patient"] = str(arguments["description"])
            (state / "descriptions.json").write_text(json.dumps(current))
            await ctx.session.send_tool_list_changed()
        return types.CallToolResult(content=[types.TextContent(text=PATIENT_TEXT)])

    return Server("stdio-test-upstream", on_list_tools=list_tools, on_call_tool=call_tool)


async def main(state: Path) -> None:
    with (state / "starts").open("a") as log:
        log.write(f"{os.getpid()}\n")
    app = server(state)
    options = app.create_initialization_options(NotificationOptions(tools_changed=True))
    async with stdio_server() as (read, write):
        await app.run(read, write, options)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
