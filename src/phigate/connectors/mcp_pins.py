"""Operator review of pinned MCP tool definitions: list, compare, re-pin.

`phigate.connectors.mcp` holds every upstream tool until an operator pins the
definition they reviewed (a new tool is `changed` from an empty, unreviewed pin),
and holds a pinned tool whose definition later differs (`changed`). This module owns the
way out: an operator compares the pinned definition with the upstream's current
one, and re-pins it — only if the upstream still serves exactly the definition
the operator reviewed (`expected_digest`). Otherwise an upstream that changes
again between review and re-pin (a rug pull timed against the operator) would
get an unreviewed definition pinned. The pin update and its audit record
(`mcp.tool_repinned`: who, old and new digests, why) commit in one transaction.

The CLI (`phigate mcp-tools`) and REST (`/v1/connections/{name}/tools`) are thin
layers over these functions. What they show of a definition (and its diff) passes
the reviewer's escaping rule (`phigate.reviewing.reveal`), so a hidden character
reads as its escape and is listed in `hidden`; digests are of the upstream's own
definition, before masking (`_mcp_text.upstream_digest`).
"""

from __future__ import annotations

import asyncio
import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import mcp_types as types
import sqlalchemy as sa

from phigate.audit.chain import AuditLog
from phigate.connectors._mcp_text import shown_json, tool_definition, upstream_digest
from phigate.connectors.mcp import UNREVIEWED, ListedTool, McpConnector, tool_pins
from phigate.core.errors import ConflictError, InvalidRequestError, NotFoundError
from phigate.reviewing import reveal
from phigate.store import Database

__all__ = [
    "PinStatus",
    "Repinned",
    "ToolComparison",
    "compare_tool",
    "definition_diff",
    "list_pins",
    "repin",
]

Status = Literal["pinned", "changed", "gone"]
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class PinStatus:
    """One pinned tool and how the upstream's current definition compares to it."""

    tool: str
    status: Status  # "gone": pinned, but the upstream no longer lists it
    pinned_digest: str
    upstream_digest: str | None
    first_seen: float
    pinned: dict[str, Any]

    @property
    def changed(self) -> bool:
        return self.status == "changed"

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": reveal(self.tool).text,
            "status": self.status,
            "changed": self.changed,
            "pinned_digest": self.pinned_digest,
            "upstream_digest": self.upstream_digest,
            "first_seen": self.first_seen,
            "reviewed": self.reviewed,
        }

    @property
    def reviewed(self) -> bool:
        """False for a tool held since it was first seen: no definition was pinned yet."""
        return self.pinned_digest != UNREVIEWED


@dataclass(frozen=True)
class ToolComparison:
    """What an operator reviews before re-pinning: both definitions and their diff."""

    pin: PinStatus
    upstream: dict[str, Any] | None

    def diff(self) -> list[str]:
        return definition_diff(self.pin.pinned, self.upstream or {})

    def hidden(self) -> list[str]:
        """Why characters of either definition are shown escaped (empty: none were)."""
        found: list[str] = []
        shown_json([self.pin.tool, self.pin.pinned, self.upstream], found)
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            **self.pin.to_json(),
            "pinned_definition": shown_json(self.pin.pinned),
            "upstream_definition": shown_json(self.upstream),
            "diff": self.diff(),
            "hidden": self.hidden(),
        }


@dataclass(frozen=True)
class Repinned:
    connection: str
    tool: str
    old_digest: str
    new_digest: str
    audit_seq: int

    def to_json(self) -> dict[str, Any]:
        return {
            "connection": self.connection,
            "tool": self.tool,
            "old_digest": self.old_digest,
            "new_digest": self.new_digest,
            "audit_seq": self.audit_seq,
        }


# ── list and compare ────────────────────────────────────────────────────────
async def list_pins(connector: McpConnector, db: Database) -> list[PinStatus]:
    """Every pinned tool of the connection with the upstream's current digest.

    Lists the upstream afresh (`tools(refresh=True)`), which also pins tools seen
    for the first time and flags changes, so the answer is never a stale cache.
    """
    listed = {t.name: t for t in await connector.tools(refresh=True)}
    rows = await asyncio.to_thread(_pin_rows, db, connector.name)
    return [_status(row, listed.get(row.tool)) for row in rows]


async def compare_tool(connector: McpConnector, db: Database, tool: str) -> ToolComparison:
    """The pinned and the upstream's current definition of one tool."""
    current = (await _upstream_tools(connector)).get(tool)
    listed = {t.name: t for t in await connector.tools(refresh=True)}
    row = await asyncio.to_thread(_pin_row, db, connector.name, tool)
    upstream = tool_definition(current) if current is not None else None
    return ToolComparison(_status(row, listed.get(tool)), upstream)


def _status(row: Any, listed: ListedTool | None) -> PinStatus:
    pinned = json.loads(row.definition)
    if listed is None:
        status: Status = "gone"
    else:
        status = "changed" if listed.digest != row.digest else "pinned"
    return PinStatus(
        tool=row.tool,
        status=status,
        pinned_digest=row.digest,
        upstream_digest=listed.digest if listed else None,
        first_seen=row.first_seen,
        pinned=pinned,
    )


def _pin_rows(db: Database, connection: str) -> list[Any]:
    query = sa.select(tool_pins).where(tool_pins.c.connection == connection)
    with db.read() as conn:
        return list(conn.execute(query.order_by(tool_pins.c.tool)))


def _pin_row(db: Database, connection: str, tool: str) -> Any:
    query = sa.select(tool_pins).where(
        tool_pins.c.connection == connection, tool_pins.c.tool == tool
    )
    with db.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"connection {connection!r} has no pinned tool {tool!r}")
    return row


async def _upstream_tools(connector: McpConnector) -> dict[str, types.Tool]:
    """The upstream's current tools, read now (the connector caches only digests)."""
    return {tool.name: tool for tool in await connector.current_tools()}


# ── re-pin ──────────────────────────────────────────────────────────────────
async def repin(
    connector: McpConnector,
    db: Database,
    audit: AuditLog,
    tool: str,
    *,
    expected_digest: str,
    by: Mapping[str, Any],
    reason: str,
    scrub: Callable[[Any], Any],
) -> Repinned:
    """Pin the upstream's current definition of `tool`, which the operator reviewed.

    `expected_digest` is the upstream digest the operator reviewed; `by` is the
    audit record's "who" (e.g. `principal.to_json()`); `reason` is scrubbed with
    `scrub` before it is written (free text can carry PHI). Raises NotFoundError
    (unknown tool), ConflictError (not changed, or the upstream no longer serves
    the reviewed definition), InvalidRequestError (malformed digest or no reason).
    """
    expected = _checked_digest(expected_digest)
    if not reason.strip():
        raise InvalidRequestError("give a reason for re-pinning")
    found = (await _upstream_tools(connector)).get(tool)
    if found is None:
        # NotFoundError if it was never pinned either.
        await asyncio.to_thread(_pin_row, db, connector.name, tool)
        raise ConflictError(f"the upstream no longer lists tool {tool!r}; nothing to re-pin")
    upstream, current = tool_definition(found), upstream_digest(found)
    if current != expected:
        raise ConflictError(
            f"the upstream's definition of {tool!r} is now {current[:12]}…, not the reviewed "
            f"{expected[:12]}…; it changed since review — compare again"
        )
    fields = {"who": dict(by), "why": {"reason": scrub(reason)}}
    done = await asyncio.to_thread(
        _store, db, audit, connector.name, tool, upstream, current, fields
    )
    await connector.tools(refresh=True)  # so calls are classified against the new pin now
    return done


def _store(
    db: Database,
    audit: AuditLog,
    connection: str,
    tool: str,
    definition: dict[str, Any],
    new_digest: str,
    fields: dict[str, Any],
) -> Repinned:
    key = (tool_pins.c.connection == connection, tool_pins.c.tool == tool)
    with db.write() as conn:
        row = conn.execute(sa.select(tool_pins.c.digest).where(*key).with_for_update()).first()
        if row is None:
            raise NotFoundError(f"connection {connection!r} has no pinned tool {tool!r}")
        if row.digest == new_digest:
            raise ConflictError(f"tool {tool!r} has not changed: its pin is already {new_digest}")
        conn.execute(
            tool_pins.update()
            .where(*key)
            .values(digest=new_digest, definition=json.dumps(definition, default=str))
        )
        what = {"tool": tool, "old_digest": row.digest, "new_digest": new_digest}
        seq = audit.append_in(
            conn, "mcp.tool_repinned", {**fields, "where": {"connection": connection}, "what": what}
        )
    return Repinned(connection, tool, row.digest, new_digest, seq)


def _checked_digest(value: str) -> str:
    value = value.strip().lower()
    if len(value) != 64 or not set(value) <= _HEX:
        raise InvalidRequestError("the digest must be the 64-hex-digit SHA-256 shown by the review")
    return value


# ── presentation ────────────────────────────────────────────────────────────
def definition_diff(pinned: Mapping[str, Any], upstream: Mapping[str, Any]) -> list[str]:
    """A unified diff, field by field, of two tool definitions (empty when equal), every
    line as a reviewer reads it (`reveal`: hidden characters escaped)."""
    lines: list[str] = []
    for key in sorted(set(pinned) | set(upstream)):
        before, after = _lines(pinned.get(key)), _lines(upstream.get(key))
        if before == after:
            continue
        lines.extend(
            difflib.unified_diff(
                before, after, f"pinned/{key}", f"upstream/{key}", lineterm="", n=3
            )
        )
    return lines


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        # Split on line feeds only: other separators (U+2028) are escaped, not obeyed.
        return [reveal(line).text for line in value.split("\n")]
    # ASCII JSON: every character outside ASCII in a string is already an escape.
    return json.dumps(value, indent=2, sort_keys=True, default=str).splitlines()
