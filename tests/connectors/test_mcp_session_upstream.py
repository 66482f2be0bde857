"""A stdio upstream MCP server (SDK-written) for the persistent-session tests; no tests here.

Run as a subprocess: `python tests/connectors/test_mcp_session_upstream.py DIR`. It
appends its pid to `DIR/starts` when it starts (one line per process, so one per
session), reads tool descriptions from `DIR/descriptions.json` on every listing (a
test rewrites it to change a tool upstream), and offers tools that sleep (to prove
concurrency), exit mid-call (a tool call that must not be retried) and announce a
changed tool list (`notifications/tools/list_changed`). Each `slow_lookup` appends how
many `slow_lookup` calls were in flight when it began to `DIR/in_flight`; one given
`peers` holds until that many are in flight at once, so concurrency is proven by
overlap, not by how long the calls took.
"""

from __future__ import annotations

import asyncio
import contextlib
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
    "slow_lookup": {
        "type": "object",
        "properties": {"seconds": {"type": "number"}, "peers": {"type": "integer"}},
    },
    "crash": {"type": "object", "properties": {}},
    "rename": {"type": "object", "properties": {"description": {"type": "string"}}},
}


def descriptions(state: Path) -> dict[str, str]:
    path = state / "descriptions.json"
    return json.loads(path.read_text()) if path.exists() else dict(DESCRIPTIONS)


PEERS_DEADLINE = 120.0  # only catches a hang: serialised calls never gather


class InFlight:
    """How many `slow_lookup` calls run now; set once `peers` of them ran at once."""

    def __init__(self) -> None:
        self.now = 0
        self.gathered = asyncio.Event()


async def slow_lookup(state: Path, arguments: dict[str, Any], in_flight: InFlight) -> None:
    """Sleep `seconds`, or hold until `peers` calls were in flight at once (then all go)."""
    in_flight.now += 1
    try:
        with (state / "in_flight").open("a") as log:
            log.write(f"{in_flight.now}\n")
        peers = arguments.get("peers")
        if peers is None:
            await asyncio.sleep(float(arguments.get("seconds", 0.5)))
            return
        if in_flight.now >= int(peers):
            in_flight.gathered.set()
        with contextlib.suppress(TimeoutError):  # ends held: `in_flight` tells the test
            await asyncio.wait_for(in_flight.gathered.wait(), PEERS_DEADLINE)
    finally:
        in_flight.now -= 1


def server(state: Path) -> Server[Any]:
    in_flight = InFlight()

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
            await slow_lookup(state, arguments, in_flight)
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
