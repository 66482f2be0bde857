"""Upstream MCP servers' tools, re-offered to agents as `<connection>__<tool>`.

Only tools the policy does not deny for this caller are listed, with their
pinned (reviewed) definitions; a tool whose upstream definition changed is
marked so the agent and its user know calls will be held for review, and a
tool no operator has reviewed yet is listed by name only. Connection names
cannot contain the separator (config), so `conn__tool` splits one way only.
"""

from __future__ import annotations

import logging
from typing import Any

import mcp_types as types

from phigate.connectors.mcp import ListedTool, McpConnector
from phigate.core.actions import Action
from phigate.core.errors import PhigateError
from phigate.doors.mcp._catalog import may_use
from phigate.identity.principal import Principal
from phigate.pipeline.gateway import Gateway
from phigate.policy import Verdict

log = logging.getLogger(__name__)
SEPARATOR = "__"
_CHANGED = (
    " [phigate: this tool's definition changed upstream since it was first seen; "
    "calls are held for review]"
)
# A tool no operator has reviewed: its own description and schema are not shown.
_UNREVIEWED = (
    "[phigate: a new upstream tool, not yet reviewed by an operator; its description "
    "is withheld and calls are held for review]"
)


def split_name(gateway: Gateway, name: str) -> tuple[McpConnector, str] | None:
    """`conn__tool` → (connector, tool) when `conn` is an MCP connection; a tool name
    carrying a credential or PHI (a withheld tool's) comes back masked, so it is never
    recorded or shown as asked and matches no listed tool."""
    connection, sep, tool = name.partition(SEPARATOR)
    connector = gateway.connector(connection)
    if not sep or not tool or not isinstance(connector, McpConnector):
        return None
    return connector, connector.shown_name(tool)


async def upstream_tools(gateway: Gateway, principal: Principal) -> list[types.Tool]:
    found: list[types.Tool] = []
    for name, connector in gateway.connections():
        if not isinstance(connector, McpConnector) or not may_use(gateway, principal, name):
            continue
        try:
            listed = await connector.tools()
        except PhigateError as exc:  # one unreachable upstream must not hide the others
            log.warning("cannot list tools of MCP upstream %s: %s", name, exc.message)
            continue
        found.extend(_tool(name, t) for t in listed if _visible(gateway, principal, name, t))
    return found


def _visible(gateway: Gateway, principal: Principal, connection: str, tool: ListedTool) -> bool:
    action = Action(
        connection=connection,
        kind="mcp_tool",
        body={"tool": tool.name, "arguments": {}},
        principal=principal,
        front_door="mcp",
    )
    _description, decision = gateway.decide(action)
    return decision.outcome is not Verdict.DENY


def listed_input_schema(gateway: Gateway, name: str) -> dict[str, Any] | None:
    """The input schema `conn__tool` is listed with, from the connector's cached listing
    (None when it has none): the SDK checks a call's Mcp-Param headers against it."""
    upstream = split_name(gateway, name)
    listed = upstream[0].cached(upstream[1]) if upstream is not None else None
    return _input_schema(listed) if listed is not None else None


def _tool(connection: str, tool: ListedTool) -> types.Tool:
    definition = tool.shown()
    description = str(definition.get("description") or "")
    # No output schema: pending/denied answers carry phigate's own structured content.
    return types.Tool(
        name=f"{connection}{SEPARATOR}{tool.name}",
        title=definition.get("title"),
        description=_UNREVIEWED
        if not tool.reviewed
        else description + (_CHANGED if tool.changed else ""),
        input_schema=_input_schema(tool),
    )


def _input_schema(tool: ListedTool) -> dict[str, Any]:
    schema: dict[str, Any] = tool.shown().get("input_schema") or {"type": "object"}
    return schema
