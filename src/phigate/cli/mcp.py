"""`phigate mcp --stdio` (relay for local agents) and `phigate mcp-tools`: review
and re-pin the tool definitions of upstream MCP connections."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from phigate.cli._common import CONFIG_OPTION, fail, load_config, login_names, out, when
from phigate.core.errors import PhigateError


@click.command("mcp")
@click.option("--stdio", is_flag=True, help="Serve MCP on stdin/stdout (for local agents).")
@click.option(
    "--url",
    "gateway_url",
    envvar="PHIGATE_URL",
    default="http://127.0.0.1:8080",
    show_default=True,
    help="The running gateway to relay to (or set PHIGATE_URL).",
)
def mcp_command(stdio: bool, gateway_url: str) -> None:
    """MCP for agents; with --stdio, relay stdin/stdout to a running gateway's /mcp.

    The token comes from PHIGATE_TOKEN. Everything is decided by the gateway.
    """
    import os

    from phigate.doors.mcp.stdio import serve_stdio

    if not stdio:
        fail(f"HTTP clients connect to {gateway_url.rstrip('/')}/mcp; use --stdio to relay")
    asyncio.run(serve_stdio(gateway_url, os.environ.get("PHIGATE_TOKEN", "")))


@click.group("mcp-tools")
def mcp_tools() -> None:
    """Review and re-pin the tool definitions of upstream MCP connections."""


# Same exit codes as `phigate approvals`: 4 forbidden, 5 not found, 6 conflict.
_PIN_EXIT = {400: 2, 403: 4, 404: 5, 409: 6}


def _pin_run(config_path: Path, connection: str, work: Any) -> Any:
    """Run `work(connector, db, audit, scrub)` against the state store, mapping errors."""
    from phigate.audit.chain import AuditLog
    from phigate.audit.keys import open_state
    from phigate.config import McpConnection
    from phigate.connectors.mcp import McpConnector
    from phigate.masking.engine import MaskingEngine
    from phigate.ops.bootstrap import _key, build_connectors
    from phigate.pipeline.views import audit_masker

    settings = load_config(config_path)
    conn = settings.connections.get(connection)
    if not isinstance(conn, McpConnection):
        fail(f"no MCP connection {connection!r} in {config_path}", 5)
    masking = MaskingEngine(settings.masking, _key(settings, "masking_key"))
    masker = audit_masker(masking)
    db = open_state(settings)  # its audit records MAC'd like the gateway's
    try:
        db.ensure_current(migrate=settings.state.migrate_on_start)
        audit = AuditLog(db)
        # Built with the others: its scrubber holds every secret the gateway holds.
        connectors = build_connectors(settings)
        connector = connectors[connection]
        if not isinstance(connector, McpConnector):  # pragma: no cover - checked above
            fail(f"no MCP connection {connection!r} in {config_path}", 5)
        connector.attach(db, audit, masker, masking.keyed_digest)

        async def run_and_close() -> Any:
            try:
                return await work(connector, db, audit, lambda v: masker.mask_json(v)[0])
            finally:
                for each in connectors.values():  # its upstream session runs in this loop
                    await each.close()

        return asyncio.run(run_and_close())
    except PhigateError as exc:
        fail(exc.message, _PIN_EXIT.get(exc.http_status, 1))
    finally:
        db.dispose()


def _short(value: str | None) -> str:
    return value[:16] if value else "-"


@mcp_tools.command("list")
@CONFIG_OPTION
@click.argument("connection")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (full digests).")
def mcp_tools_list(config_path: Path, connection: str, as_json: bool) -> None:
    """Pinned tools of CONNECTION and whether the upstream changed them since."""
    from phigate.connectors.mcp_pins import list_pins

    pins = _pin_run(config_path, connection, lambda c, db, *_: list_pins(c, db))
    if as_json:
        click.echo(json.dumps([p.to_json() for p in pins], indent=2))
        return
    table = Table("tool", "status", "pinned digest", "upstream digest", "first seen")
    style = {"changed": "bold red", "gone": "yellow", "pinned": ""}
    for p in pins:
        status = Text(p.status, style=style[p.status])
        table.add_row(
            p.tool, status, _short(p.pinned_digest), _short(p.upstream_digest), when(p.first_seen)
        )
    out.print(table)


@mcp_tools.command("show")
@CONFIG_OPTION
@click.argument("connection")
@click.argument("tool")
def mcp_tools_show(config_path: Path, connection: str, tool: str) -> None:
    """What changed: the pinned vs the upstream's current definition of TOOL."""
    from phigate.connectors.mcp_pins import compare_tool

    found = _pin_run(config_path, connection, lambda c, db, *_: compare_tool(c, db, tool))
    pin = found.pin
    out.print(f"{connection}/{tool}: {pin.status}", highlight=False, markup=False)
    out.print(f"  pinned digest:   {pin.pinned_digest}", highlight=False)
    out.print(f"  upstream digest: {pin.upstream_digest or '- (not listed upstream)'}")
    styles = {"+": "green", "-": "red", "@": "cyan"}
    for line in found.diff():
        out.print(line, style=styles.get(line[:1]), highlight=False, markup=False)
    for reason in found.hidden():  # shown escaped above; a reviewer must know why
        out.print(f"  hidden character: {reason}", style="bold red", highlight=False, markup=False)
    if pin.changed:
        out.print(
            f"\nafter review: phigate mcp-tools repin {connection} {tool} "
            f"--digest {pin.upstream_digest} --reason '...'",
            highlight=False,
            markup=False,
        )


@mcp_tools.command("repin")
@CONFIG_OPTION
@click.argument("connection")
@click.argument("tool")
@click.option("--digest", "expected", required=True, help="The upstream digest you reviewed.")
@click.option("--reason", required=True, help="Why the new definition is acceptable.")
@click.option("--by", default=None, help="Who re-pins (default: the OS user).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def mcp_tools_repin(
    config_path: Path,
    connection: str,
    tool: str,
    expected: str,
    reason: str,
    by: str | None,
    yes: bool,
) -> None:
    """Pin the upstream's current definition of TOOL, if its digest is the one reviewed."""
    from phigate.connectors.mcp_pins import repin

    names = login_names()
    who = {"subject": by or names["os_user"], "kind": "human", "via": "cli", **names}
    if not yes:
        click.confirm(
            f"Re-pin {connection}/{tool} to upstream digest {expected[:16]}…? "
            "Agents will be shown the new definition",
            abort=True,
        )

    async def work(connector: Any, db: Any, audit_log: Any, scrub: Any) -> Any:
        return await repin(
            connector,
            db,
            audit_log,
            tool,
            expected_digest=expected,
            by=who,
            reason=reason,
            scrub=scrub,
        )

    done = _pin_run(config_path, connection, work)
    out.print(
        f"re-pinned {connection}/{tool}: {done.old_digest[:16]} -> {done.new_digest[:16]} "
        f"(audit record {done.audit_seq}, by {who['subject']})",
        highlight=False,
    )
