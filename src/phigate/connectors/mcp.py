"""Front an upstream MCP server: its tools, called through the pipeline with the
gateway's own credentials, results masked.

Each tool call is an `mcp_tool` action with body `{"tool", "arguments"}`. Its risk
class comes from the connection's `tools` map (glob → class; unlisted tools are
`unknown`), raised by `argument_rules` matching argument values. The policy then
decides as for any action, and approvals bind to the exact arguments.

Tool-poisoning defence: every tool is pinned before first use. A tool seen for
the first time is recorded unreviewed (`mcp.tool_held`): it is listed to agents
by name only (its description and schema, which could carry instructions aimed
at the agent, are withheld) and classified at least `changed_tool_risk` (write by
default, which usual policies send for approval) until an operator pins the
definition they reviewed (`mcp_pins.repin`). A pinned tool whose definition later
differs is flagged in the audit log (`mcp.tool_changed`), listed with its pinned
definition, and held the same way until it is re-pinned.

Results are scrubbed of the gateway's own upstream credentials (header and
environment values, in every form `_secrets` knows), then pass the byte guard
(`_byte_guard`), then are masked.
Everything else the upstream chooses (tool names and definitions, every error
message) is scrubbed and masked with the audit masker as it arrives (`_mcp_text`);
a tool whose name carries a credential or PHI is offered under a masked, tagged
gateway name that the session maps back only when calling.
The upstream's own sampling and elicitation requests are never forwarded: the
gateway's client declares neither capability and answers them with an error.

The upstream is reached through one persistent session (`_mcp_session`), reopened
when it dies. Before every call the tool must still have the digest the decision
was made on (a rug pull between decision and call is refused). That check re-lists
the tools, unless the upstream announces its changes (`tools.listChanged`) and has
announced none on this session since a listing at most `pin_recheck_seconds` old.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mcp_types as types
import sqlalchemy as sa

from phigate.audit.chain import AuditLog
from phigate.config import McpConnection
from phigate.connectors import _unreadable as unreadable
from phigate.connectors._byte_guard import GuardedMasker
from phigate.connectors._mcp_session import UpstreamSession, own_secrets
from phigate.connectors._mcp_text import shown_json, upstream_digest
from phigate.connectors._secrets import GatewaySecrets
from phigate.connectors.base import Result
from phigate.connectors.held_secrets import HeldSecrets
from phigate.core import clock
from phigate.core.actions import Action, Description
from phigate.core.errors import ConflictError, NotAllowedError, UpstreamError
from phigate.core.risk import RiskClass, most_severe
from phigate.masking._json_text import DRIVER_DEPTH
from phigate.masking.engine import Masker
from phigate.pipeline.nesting import depth_exceeds
from phigate.store import Database

log = logging.getLogger(__name__)
_metadata = sa.MetaData()
# Created by migration 0002_mcp_tool_pins.
tool_pins = sa.Table(
    "mcp_tool_pins",
    _metadata,
    sa.Column("connection", sa.String(200), primary_key=True),
    sa.Column("tool", sa.String(200), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("first_seen", sa.Float, nullable=False),
)
_WITHHELD = "[non-text content withheld by phigate]"
# The digest of a tool seen but not yet reviewed: it matches no definition.
UNREVIEWED = ""


@dataclass(frozen=True)
class ListedTool:
    """An upstream tool as the gateway will present it (pinned definition) and its state."""

    name: str
    definition: dict[str, Any]  # the pinned (reviewed) definition; {} while unreviewed
    digest: str  # the upstream's current digest (of its definition as sent, unmasked)
    changed: bool  # differs from the pin, or was never reviewed: calls are held
    reviewed: bool = True
    pinned_digest: str = UNREVIEWED

    def shown(self) -> dict[str, Any]:
        """The pinned definition as agents are shown it: hidden characters escaped."""
        escaped: dict[str, Any] = shown_json(self.definition)
        return escaped


class ToolPins:
    """First-seen tool definitions, stored with an audit record in one transaction."""

    def __init__(self, db: Database, audit: AuditLog) -> None:
        self._db = db
        self._audit = audit

    def check(self, connection: str, tool: types.Tool) -> ListedTool:
        current = upstream_digest(tool)
        with self._db.write() as conn:
            row = conn.execute(
                sa.select(tool_pins).where(
                    tool_pins.c.connection == connection, tool_pins.c.tool == tool.name
                )
            ).first()
            if row is None:
                self._hold(conn, connection, tool.name, current)
                return ListedTool(tool.name, {}, current, changed=True, reviewed=False)
        if row.digest == UNREVIEWED:
            return ListedTool(tool.name, {}, current, changed=True, reviewed=False)
        pinned = json.loads(row.definition)
        changed = row.digest != current
        return ListedTool(tool.name, pinned, current, changed=changed, pinned_digest=row.digest)

    def _hold(self, conn: sa.Connection, connection: str, name: str, current: str) -> None:
        """Record a tool seen for the first time as unreviewed: nothing of it is trusted yet."""
        conn.execute(
            tool_pins.insert().values(
                connection=connection,
                tool=name,
                digest=UNREVIEWED,
                definition="{}",
                first_seen=clock.now(),
            )
        )
        self._audit.append_in(
            conn,
            "mcp.tool_held",
            {
                "where": {"connection": connection},
                "what": {"tool": name, "upstream_digest": current},
                "why": "a tool seen for the first time is held for operator review "
                "(phigate mcp-tools) before it is pinned",
            },
        )

    def flag(self, connection: str, listed: ListedTool) -> None:
        self._audit.append(
            "mcp.tool_changed",
            {
                "where": {"connection": connection},
                "what": {
                    "tool": listed.name,
                    "pinned_digest": listed.pinned_digest,
                    "upstream_digest": listed.digest,
                },
                "why": "the upstream tool's description or schema differs from its first-seen "
                "definition; calls are classified as changed_tool_risk until re-pinned",
            },
        )


class McpConnector:
    kind = "mcp_tool"

    def __init__(self, name: str, settings: McpConnection, held: HeldSecrets | None = None) -> None:
        self.name = name
        self.settings = settings
        self.pins: ToolPins | None = None
        unreadable.prepare(settings.allow_unreadable_text)
        self._listed: dict[str, ListedTool] = {}
        self._listed_at = -math.inf
        self._flagged: set[tuple[str, str, str]] = set()
        self._withheld: set[str] = set()
        self.upstream = UpstreamSession(
            name,
            settings,
            on_tools_changed=self._invalidate,
            on_withheld=self._withhold,
            held=held,
        )
        self._relisting: asyncio.Task[None] | None = None
        self._relist_again = False
        self._closing = False

    def _invalidate(self) -> None:
        """The upstream said its tools changed: list them again now, so a change is
        checked against its pin and flagged (`mcp.tool_changed`) without waiting for
        the next call; until then the next `tools()` lists afresh too."""
        self._listed_at = -math.inf
        if self.pins is None or self._closing:
            return
        if self._relisting is not None and not self._relisting.done():
            self._relist_again = True  # the listing in flight may predate this notice
            return
        self._relisting = asyncio.create_task(self._relist(), name=f"mcp-{self.name}-relist")

    async def _relist(self) -> None:
        while True:
            self._relist_again = False
            try:
                await self.tools(refresh=True)
            except Exception as exc:  # a background task: the next call lists again anyway
                log.info(
                    "MCP upstream %r: re-listing after a change notice failed: %s", self.name, exc
                )
            if not self._relist_again:
                return

    def attach(
        self, db: Database, audit: AuditLog, masker: Masker, tag: Callable[[str, str], str]
    ) -> None:
        """Give the connector its pin store (the gateway's state store and audit log),
        and the audit masker and keyed digest every upstream text passes (`_mcp_text`)."""
        self.pins = ToolPins(db, audit)
        self._audit = audit
        self.upstream.text.masker = masker
        self.upstream.text.tag = tag

    def _withhold(self, shown: str) -> None:
        """Audit, once per name, a tool withheld because its gateway name is ambiguous."""
        if shown in self._withheld:
            return
        self._withheld.add(shown)
        if self.pins is None:
            log.warning("MCP upstream %r: tool %r withheld", self.name, shown)
            return
        self._audit.append(
            "mcp.tool_withheld",
            {
                "where": {"connection": self.name},
                "what": {"tool": shown},
                "why": "another listed tool answers to the same gateway name (a masked "
                "name's tag or a clean name clash); it is neither listed nor callable",
            },
        )

    def shown_name(self, tool: str) -> str:
        """A tool name an agent asked for, as the gateway records and shows it: an
        upstream name carrying a credential or PHI becomes its gateway name."""
        return self.upstream.text.name(tool) or "[tool name withheld]"

    # ── tools ───────────────────────────────────────────────────────────────
    async def tools(self, *, refresh: bool = False) -> list[ListedTool]:
        """The upstream's tools checked against their pins; cached for `list_ttl_seconds`."""
        fresh = time.monotonic() - self._listed_at < self.settings.list_ttl_seconds
        if fresh and not refresh:
            return list(self._listed.values())
        if self.pins is None:
            raise UpstreamError(f"connection {self.name!r} has no tool pin store")
        upstream = await self.upstream.list_tools()
        listed = {tool.name: self.pins.check(self.name, tool) for tool in upstream}
        for tool in listed.values():
            # Once per pinned/upstream pair: a change after a re-pin is a new pair.
            flag = (tool.name, tool.pinned_digest, tool.digest)
            if tool.changed and tool.reviewed and flag not in self._flagged:
                self.pins.flag(self.name, tool)
                self._flagged.add(flag)
        self._listed, self._listed_at = listed, time.monotonic()
        return list(listed.values())

    def cached(self, tool: str) -> ListedTool | None:
        """The tool as last listed (no upstream request), or None."""
        return self._listed.get(tool)

    # ── describe ────────────────────────────────────────────────────────────
    def describe(self, action: Action) -> Description:
        tool, arguments = action.body.get("tool"), action.body.get("arguments")
        if (
            action.kind != "mcp_tool"
            or not isinstance(tool, str)
            or not isinstance(arguments, dict)
        ):
            return Description(RiskClass.UNKNOWN, reasons=("not an MCP tool call",))
        listed = self._listed.get(tool)
        if listed is None:
            return Description(
                RiskClass.UNKNOWN,
                tables=(tool,),
                reasons=(f"the upstream does not list a tool {tool!r}",),
            )
        risk, reasons = self._classify(tool, arguments)
        if listed.changed:
            risk = most_severe([risk, self.settings.changed_tool_risk])
            reasons.append(
                "the tool's definition changed since it was pinned"
                if listed.reviewed
                else "the tool is new upstream and not yet reviewed by an operator"
            )
        return Description(
            risk,
            tables=(tool,),
            reasons=tuple(reasons),
            detail={"tool": tool, "tool_digest": listed.digest, "tool_changed": listed.changed},
        )

    def _classify(self, tool: str, arguments: dict[str, Any]) -> tuple[RiskClass, list[str]]:
        matches = [r for p, r in self.settings.tools.items() if fnmatch.fnmatchcase(tool, p)]
        risk = most_severe(matches, default=RiskClass.UNKNOWN)
        reasons = [
            f"tool {tool!r} is classified {risk}"
            if matches
            else f"tool {tool!r} is not classified in connection {self.name!r}"
        ]
        for rule in self.settings.argument_rules:
            value = arguments.get(rule.argument)
            if value is None or not fnmatch.fnmatchcase(tool, rule.tool):
                continue
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            if fnmatch.fnmatch(text, rule.pattern):
                risk = most_severe([risk, rule.risk])
                reasons.append(f"argument {rule.argument!r} matches {rule.pattern!r}: {rule.risk}")
        return risk, reasons

    # ── run ─────────────────────────────────────────────────────────────────
    async def run(self, action: Action, description: Description, masker: Masker) -> Result:
        tool, arguments = action.body["tool"], action.body["arguments"]
        started = time.monotonic()
        secrets = self.secrets()
        try:
            await self._check_unchanged(tool, description)
            result = await self.upstream.call_tool(tool, arguments)
        except UpstreamError as exc:
            # The upstream's own error text (of the pre-call listing or the call) was
            # cleaned as it arrived (`_mcp_text`); it is shown to this caller, so it is
            # masked with the caller's masker too, like a result.
            shown = masker.mask_text(secrets.scrub(exc.message, {})).text
            raise UpstreamError(shown) from None
        keep_text = self.settings.allow_unreadable_text
        payload, masked = mask_result(result, masker, secrets, keep_text=keep_text)
        summary = {
            "tool": tool,
            "is_error": result.is_error,
            "masked": masked,
            "blocks": len(result.content),
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        }
        return Result(payload=payload, masked=masked, summary=summary)

    def secrets(self) -> GatewaySecrets:
        """Every secret the gateway holds, the ones this connection hands its upstream
        (headers, stdio env) first."""
        return self.upstream.text.secrets

    def own_secrets(self) -> list[tuple[str, str]]:
        return own_secrets(self.settings)

    async def _check_unchanged(self, tool: str, description: Description) -> None:
        """Refuse to run if the tool changed between the decision and now (a rug pull).

        A fresh listing is sent after the decision, so it shows the upstream's state at
        or after it (one round trip, shared by concurrent calls). An upstream that
        announces its changes is taken at its word for `pin_recheck_seconds`: with no
        notice on this session since the last listing, that listing is current."""
        listed = await self.upstream.verified_tools(self.settings.pin_recheck_seconds)
        current = next((t for t in listed if t.name == tool), None)
        if current is None or upstream_digest(current) != description.detail.get("tool_digest"):
            raise ConflictError(f"tool {tool!r} changed upstream after the decision; not run")

    async def current_tools(self) -> list[types.Tool]:
        """The upstream's tool definitions as listed now (not cached, not pin-checked)."""
        return await self.upstream.list_tools()

    async def close(self) -> None:
        """Close the upstream session and its owner task (and any stdio process)."""
        self._closing = True  # no new re-listing from here on
        if self._relisting is not None:
            self._relisting.cancel()
            await asyncio.wait([self._relisting])
        await self.upstream.close()


def mask_result(
    result: types.CallToolResult,
    masker: Masker,
    secrets: GatewaySecrets | None = None,
    *,
    keep_text: bool = False,
) -> tuple[dict[str, Any], dict[str, int]]:
    """Scrub the gateway's credentials, guard encoded bytes, then mask text blocks and
    structured content; withhold blocks that cannot be scanned."""
    counts: dict[str, int] = {}
    content: list[dict[str, Any]] = []
    secrets = secrets or GatewaySecrets(())
    # MCP carries no binary answers: an undecodable run in one is withheld.
    shown = GuardedMasker(masker, secrets, keep_blobs=False, keep_text=keep_text)
    for block in result.content:
        if isinstance(block, types.TextContent):
            text = shown.text(secrets.scrub(block.text, counts), counts)
            content.append({"type": "text", "text": text})
        else:
            content.append({"type": "text", "text": _WITHHELD})
    structured = None
    if result.structured_content is not None:
        if depth_exceeds(result.structured_content, DRIVER_DEPTH):
            # Every reader after this one recurses per level (the scrubber, the masker,
            # the audit's canonical JSON): refused by name, never a RecursionError.
            raise NotAllowedError(
                f"the tool's structured result is nested more than {DRIVER_DEPTH} levels "
                "deep, which the gateway does not read"
            )
        structured = shown.json(secrets.scrub_json(result.structured_content, counts), counts)
    payload = {
        "content": content,
        "structured": structured,
        "is_error": result.is_error,
        "masked": counts,
    }
    return payload, counts
