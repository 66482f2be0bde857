"""A hostile stdio MCP upstream for round 25b; no tests here.

Run as a subprocess: `python tests/adversarial/round25b_upstream.py`. Each tool answers
with one fixed result carrying a patient's note the way real upstreams carry it: a
FHIR DocumentReference whose attachment holds the note as base64 (structured content,
and its JSON as the text block, as the MCP spec asks), the base64 in a text block, or
a name written in Unicode's decomposed form (NFD). `read_file` reads a file, as a
filesystem MCP server does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.stdio import stdio_server

SSN = "536-22-8471"
NOTE = f"Patient Maria Garcia, SSN {SSN}, DOB 03/14/1980, phone (415) 555-0199"
NOTE_B64 = base64.b64encode(NOTE.encode()).decode()
# A name with its accents as combining marks (NFD): reads as "Renée Gonçalves".
NFD_NAME = unicodedata.normalize("NFD", "Renée Gonçalves")
DOCUMENT: dict[str, Any] = {
    "resourceType": "DocumentReference",
    "status": "current",
    "content": [{"attachment": {"contentType": "text/plain", "data": NOTE_B64}}],
}


def _results() -> dict[str, types.CallToolResult]:
    return {
        "fetch_document": types.CallToolResult(
            content=[types.TextContent(text=json.dumps(DOCUMENT))],
            structured_content=DOCUMENT,
        ),
        "fetch_attachment": types.CallToolResult(
            content=[types.TextContent(text=f"Attachment (text/plain, base64): {NOTE_B64}")]
        ),
        "plain_note": types.CallToolResult(content=[types.TextContent(text=NOTE)]),
        # The same chart entry as a macOS or a `normalize('NFD')` search index stores it.
        "nfd_note": types.CallToolResult(
            content=[types.TextContent(text=f"Patient {NFD_NAME} was seen today.")],
            structured_content={"patient": NFD_NAME},
        ),
    }


def server() -> Server[Any]:
    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=name, description="Fetch a document.", input_schema={"type": "object"}
                )
                for name in [*_results(), "read_file"]
            ]
        )

    async def call_tool(
        _ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        if params.name == "read_file":  # what a filesystem MCP server offers
            path = Path(str((params.arguments or {})["path"]))
            text = await asyncio.to_thread(path.read_text)
            return types.CallToolResult(content=[types.TextContent(text=text)])
        return _results()[params.name]

    return Server("round25b-upstream", on_list_tools=list_tools, on_call_tool=call_tool)


async def main() -> None:
    app = server()
    options = app.create_initialization_options(NotificationOptions(tools_changed=False))
    async with stdio_server() as (read, write):
        await app.run(read, write, options)


if __name__ == "__main__":
    asyncio.run(main())
