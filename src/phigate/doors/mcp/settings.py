"""The `mcp:` section of phigate.yaml: how the MCP front door holds calls and checks tokens."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class McpSettings(BaseModel):
    """Settings for the MCP server at /mcp (and `phigate mcp --stdio`, which talks to it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A `query` that needs approval is held this long (with progress notifications)
    # before it answers `pending_approval`; well under common client timeouts (60 s).
    query_wait_seconds: float = Field(default=20.0, ge=0, le=50)
    # Seconds between progress notifications while a call is held.
    progress_interval_seconds: float = Field(default=2.0, gt=0, le=30)
    # OIDC access tokens must name this audience (RFC 8707 resource) to be used at /mcp;
    # None: the gateway's OIDC audience check alone applies.
    audience: str | None = None
    # At most this many rows are rendered in the text table (all rows stay structured).
    text_rows: int = Field(default=50, ge=1, le=10_000)
