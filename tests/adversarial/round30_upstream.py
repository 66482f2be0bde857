"""A stdio MCP upstream for round 30; no tests here.

Run as a subprocess: `python tests/adversarial/round30_upstream.py`. `read_file`
reads a file whole and answers it in one of the views file tools and shells give:
`xxd -g8`, `xxd -p` lines, hex bytes spaced on one line, decimal bytes, base64 of raw
deflate, of bzip2, of UTF-32, its characters in groups of eight joined by dashes.
"""

from __future__ import annotations

import asyncio
import base64
import bz2
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.stdio import stdio_server


def _deflated(raw: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush()


def _xxd_g8(raw: bytes) -> str:
    rows = []
    for at in range(0, len(raw), 16):
        row = raw[at : at + 16]
        rows.append(f"{at:08x}: " + " ".join(row[i : i + 8].hex() for i in range(0, len(row), 8)))
    return "\n".join(rows)


VIEWS: dict[str, Callable[[bytes], str]] = {
    "xxd-g8": _xxd_g8,
    "xxd-p": lambda raw: "\n".join(raw.hex()[i : i + 60] for i in range(0, len(raw) * 2, 60)),
    "hex-spaced": lambda raw: " ".join(f"{b:02x}" for b in raw),
    "decimal": lambda raw: " ".join(str(b) for b in raw),
    "deflate-base64": lambda raw: base64.b64encode(_deflated(raw)).decode(),
    "bz2-base64": lambda raw: base64.b64encode(bz2.compress(raw)).decode(),
    "utf32-base64": lambda raw: base64.b64encode(raw.decode().encode("utf-32-le")).decode(),
    "dashed-8": lambda raw: "-".join(
        raw.decode().strip()[i : i + 8] for i in range(0, len(raw.strip()), 8)
    ),
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
        raw = await asyncio.to_thread(Path(str(arguments["path"])).read_bytes)
        text = VIEWS[str(arguments.get("view", "text"))](raw)
        return types.CallToolResult(content=[types.TextContent(text=text)])

    return Server("round30-upstream", on_list_tools=list_tools, on_call_tool=call_tool)


async def main() -> None:
    app = server()
    options = app.create_initialization_options(NotificationOptions(tools_changed=False))
    async with stdio_server() as (read, write):
        await app.run(read, write, options)


if __name__ == "__main__":
    asyncio.run(main())
