"""MCP front door: phigate as an MCP server for agents (`server`, `stdio`).

Kept import-light: `phigate.config` imports `McpSettings` from here, so the
server modules (which import the gateway) are imported by their users directly.
"""

from __future__ import annotations

from phigate.doors.mcp.settings import McpSettings

__all__ = ["McpSettings"]
