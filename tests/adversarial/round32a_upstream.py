"""A stdio MCP upstream for round 32a; no tests here.

Run as a subprocess: `python tests/adversarial/round32a_upstream.py`. `read_file`
reads a file whole and answers it in one of the views a shell gives it: `base32`,
ascii85 (`btoa`), `uuencode`, C octal escapes, binary digits (`xxd -b`), reversed
(`rev`), dash-joined hex pairs, or cut in two content blocks.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.stdio import stdio_server

VIEWS: dict[str, Callable[[bytes], str]] = {
    "base32": lambda raw: base64.b32encode(raw).decode(),
    "base32-lower": lambda raw: base64.b32encode(raw).decode().lower().rstrip("="),
    "ascii85": lambda raw: base64.a85encode(raw).decode(),
    "base85": lambda raw: base64.b85encode(raw).decode(),
    "uuencode": lambda raw: binascii.b2a_uu(raw[:45]).decode(),
    "octal": lambda raw: "".join(f"\\{b:03o}" for b in raw),
    "binary": lambda raw: " ".join(f"{b:08b}" for b in raw),
    "reversed": lambda raw: raw.decode()[::-1],
    "hex-dash": lambda raw: raw.hex("-"),
    "text": lambda raw: raw.decode(),
}


def server() -> Server[Any]:
    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        tool = types.Tool(name="read_file", description="Read.", input_schema={"type": "object"})
        return types.ListToolsResult(tools=[tool])

    async def call_tool(
        _ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        arguments = params.arguments or {}
        raw = (await asyncio.to_thread(Path(str(arguments["path"])).read_bytes)).strip()
        view = str(arguments.get("view", "text"))
        if view == "split":  # two content blocks, cut in the middle
            half = len(raw) // 2
            blocks = [raw[:half].decode(), raw[half:].decode()]
            return types.CallToolResult(content=[types.TextContent(text=b) for b in blocks])
        text = VIEWS[view](raw)
        return types.CallToolResult(content=[types.TextContent(text=text)])

    return Server("round32a-upstream", on_list_tools=list_tools, on_call_tool=call_tool)


async def main() -> None:
    app = server()
    options = app.create_initialization_options(NotificationOptions(tools_changed=False))
    async with stdio_server() as (read, write):
        await app.run(read, write, options)


if __name__ == "__main__":
    asyncio.run(main())
