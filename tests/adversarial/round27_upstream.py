"""A stdio MCP upstream for round 27; no tests here.

Run as a subprocess: `python tests/adversarial/round27_upstream.py`. `fetch_note`
answers a clinical note as base64 the way a Windows system writes its text (a UTF-8
byte order mark first); `read_range` reads part of a file by byte offset and length,
as filesystem MCP servers and editors' file tools do, as text or as an `xxd` hex dump.
"""

from __future__ import annotations

import asyncio
import base64
import sys
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.stdio import stdio_server

NOTE = "Patient Maria Garcia, SSN 536-22-8471, DOB 03/14/1980, phone (415) 555-0199"
# What Notepad and .NET's `Encoding.UTF8` write: a byte order mark before the text.
NOTE_BOM_B64 = base64.b64encode(b"\xef\xbb\xbf" + NOTE.encode()).decode()
DOCUMENT: dict[str, Any] = {
    "resourceType": "DocumentReference",
    "content": [{"attachment": {"contentType": "text/plain", "data": NOTE_BOM_B64}}],
}


def _xxd(raw: bytes) -> str:
    """A hex dump as `xxd` writes it: offset, 16 bytes in groups of two, the text."""
    lines = []
    for at in range(0, len(raw), 16):
        row = raw[at : at + 16]
        groups = " ".join(row[i : i + 2].hex() for i in range(0, len(row), 2))
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{at:08x}: {groups:<39}  {text}")
    return "\n".join(lines)


def server() -> Server[Any]:
    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(name=name, description="Read.", input_schema={"type": "object"})
                for name in ("fetch_note", "read_range")
            ]
        )

    async def call_tool(
        _ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        arguments = params.arguments or {}
        if params.name == "read_range":
            raw = await asyncio.to_thread(Path(str(arguments["path"])).read_bytes)
            start = int(arguments["offset"])
            piece = raw[start : start + int(arguments["length"])]
            text = (
                _xxd(piece)
                if arguments.get("format") == "xxd"
                else piece.decode("utf-8", "replace")
            )
            return types.CallToolResult(content=[types.TextContent(text=text)])
        return types.CallToolResult(
            content=[types.TextContent(text=f"Attachment (text/plain, base64): {NOTE_BOM_B64}")],
            structured_content=DOCUMENT,
        )

    return Server("round27-upstream", on_list_tools=list_tools, on_call_tool=call_tool)


async def main() -> None:
    app = server()
    options = app.create_initialization_options(NotificationOptions(tools_changed=False))
    async with stdio_server() as (read, write):
        await app.run(read, write, options)


if __name__ == "__main__":
    asyncio.run(main())
