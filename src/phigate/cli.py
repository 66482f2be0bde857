"""The `phigate` command: a thin layer over the library. User errors exit with code 2."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from phigate.errors import PhigateError

# markup=False: every string printed is data (subjects, tool names an upstream chose,
# paths), never rich markup; styles are applied with `Text` only.
console = Console(stderr=True, soft_wrap=True, markup=False)
out = Console(soft_wrap=True, markup=False)


def fail(message: str, code: int = 2) -> NoReturn:
    console.print(Text("error: ", style="bold red") + Text(message), highlight=False)
    sys.exit(code)


class PhigateGroup(click.Group):
    """Renders PhigateError as a clear message and exit code instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PhigateError as exc:
            fail(exc.message)


CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PHIGATE_CONFIG",
    default="phigate.yaml",
    show_default=True,
    help="Path to phigate.yaml (or set PHIGATE_CONFIG).",
)


def _settings(config_path: Path) -> Any:
    from phigate.config import load_settings

    return load_settings(config_path)


@click.group(cls=PhigateGroup)
@click.version_option(package_name="phigate")
def main() -> None:
    """phigate: identity-aware gateway between AI agents and systems holding PHI."""


# ── config ──────────────────────────────────────────────────────────────────
@main.group()
def config() -> None:
    """Validate configuration."""


@config.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def config_check(file: Path) -> None:
    """Validate FILE; exit 1 with file, line and key on the first problems."""
    from phigate.config import load_settings
    from phigate.errors import ConfigError

    try:
        settings = load_settings(file)
    except ConfigError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    out.print(
        f"{file}: ok ({len(settings.connections)} connections, {len(settings.policy.rules)} rules)",
        highlight=False,
    )
    from phigate.approvals.reviewers import config_warnings

    warnings, note = config_warnings(settings)
    for warning in warnings:  # valid, so exit 0; but requests under it would expire
        console.print(Text("warning: ", style="bold yellow") + Text(warning), highlight=False)
    if note is not None:
        console.print(f"note: {note}", highlight=False)


# ── serve / migrate ─────────────────────────────────────────────────────────
@main.command()
@CONFIG_OPTION
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Gateway processes sharing this host's ports (needs PostgreSQL state).",
)
def serve(config_path: Path, workers: int) -> None:
    """Run the gateway with a configuration file."""
    from phigate.bootstrap import build_gateway
    from phigate.server import interrupt_on_sigterm, listen_socket, skew_clock_for_tests
    from phigate.server import serve as run_server
    from phigate.state_lock import lock_sqlite_state
    from phigate.workers import stop_with_supervisor

    settings = _settings(config_path)
    if workers > 1:
        _supervise(settings, config_path, workers)
    skew_clock_for_tests()
    interrupt_on_sigterm()  # so the `finally` below closes the gateway on SIGTERM too
    stop_with_supervisor()  # a worker of `serve --workers N`: SIGTERM when it ends
    lock = lock_sqlite_state(settings.state.url)  # one serving process per SQLite file
    # Bound before anything else starts or writes (keys, state): a clash is one line.
    sock = listen_socket(settings.server.http_host, settings.server.http_port, "server.http_port")
    gateway = build_gateway(settings)

    async def announce() -> None:
        console.print(f"phigate serving on {settings.server.base_url()}", highlight=False)
        schema = gateway.db.schema
        if schema is not None and schema.newer:  # the warning above says why; repeat it late
            console.print(
                Text("note: ", style="bold yellow")
                + Text(
                    f"serving on a newer schema ({schema.database}) than this phigate's "
                    f"({schema.build}); /readyz says so until the upgrade finishes"
                ),
                highlight=False,
            )

    try:
        asyncio.run(
            run_server(
                gateway,
                host=settings.server.http_host,
                port=settings.server.http_port,
                sock=sock,
                on_started=announce,
            )
        )
    except KeyboardInterrupt:
        pass
    finally:
        asyncio.run(gateway.close())
        if lock is not None:
            lock.release()


def _supervise(settings: Any, config_path: Path, workers: int) -> NoReturn:
    """Run `workers` gateway processes (phigate.workers) until stopped."""
    from phigate.port_claims import claim_ports
    from phigate.workers import Supervisor

    if settings.state.url.startswith("sqlite"):
        fail(
            f"--workers {workers} needs a PostgreSQL state store (state.url); SQLite state "
            "is for one process. Run one process, or point state.url at PostgreSQL."
        )
    ports = claim_ports(settings)  # held until this supervisor ends
    if settings.state.migrate_on_start:  # once, before the workers race to do it
        from phigate.store import Database

        db = Database(settings.state.url)
        try:  # on a newer schema inside the window: serve, never downgrade (store.compat)
            db.ensure_current(migrate=True)
        finally:
            db.dispose()
    code = Supervisor(config_path, workers).run()
    for port in ports:
        port.release()
    sys.exit(code)


@main.command()
@CONFIG_OPTION
def migrate(config_path: Path) -> None:
    """Bring the state store's schema to this version of phigate."""
    from phigate.store import Database

    db = Database(_settings(config_path).state.url)
    try:
        db.migrate()
        out.print(f"state store at revision {db.current_revision()}")
    finally:
        db.dispose()  # close its pooled connections now, not when collected


# ── tokens ──────────────────────────────────────────────────────────────────
@main.group()
def token() -> None:
    """Create, list and revoke API tokens."""


def _token_store(config_path: Path) -> Any:
    from phigate.bootstrap import _key
    from phigate.identity.tokens import TokenStore
    from phigate.store import Database

    settings = _settings(config_path)
    db = Database(settings.state.url)
    db.ensure_current(migrate=settings.state.migrate_on_start)
    return TokenStore(db, _key(settings, "token_hash_key"))


@token.command("create")
@CONFIG_OPTION
@click.option("--subject", required=True, help="Who the token authenticates.")
@click.option("--kind", type=click.Choice(["human", "agent", "service"]), required=True)
@click.option("--groups", default="", help="Comma-separated groups.")
@click.option("--on-behalf-of", default=None, help="For agents: the human they act for.")
@click.option("--expires", default=None, help="Lifetime, e.g. 12h, 30d.")
@click.option("--description", default="")
def token_create(
    config_path: Path,
    subject: str,
    kind: str,
    groups: str,
    on_behalf_of: str | None,
    expires: str | None,
    description: str,
) -> None:
    """Create a token and print it once (it is stored only as a keyed hash)."""
    from phigate.identity.principal import PrincipalKind
    from phigate.identity.tokens import parse_duration

    store = _token_store(config_path)
    secret, info = store.create(
        subject=subject,
        kind=PrincipalKind(kind),
        groups=tuple(g.strip() for g in groups.split(",") if g.strip()),
        on_behalf_of=on_behalf_of,
        expires_in=parse_duration(expires) if expires else None,
        description=description,
    )
    console.print(f"created token {info.id} for {subject} ({kind}); it is shown only once:")
    click.echo(secret)


@token.command("list")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True)
def token_list(config_path: Path, as_json: bool) -> None:
    """List tokens (never the secrets)."""
    items = _token_store(config_path).list()
    if as_json:
        click.echo(
            json.dumps(
                [{**i.__dict__, "kind": i.kind.value, "status": i.status} for i in items], indent=2
            )
        )
        return
    table = Table("id", "subject", "kind", "groups", "on behalf of", "expires", "status")
    for i in items:
        table.add_row(
            i.id,
            i.subject,
            i.kind.value,
            ",".join(i.groups),
            i.on_behalf_of or "",
            _when(i.expires_at),
            i.status,
        )
    out.print(table)


@token.command("revoke")
@CONFIG_OPTION
@click.argument("token_id")
def token_revoke(config_path: Path, token_id: str) -> None:
    """Revoke a token by id."""
    info = _token_store(config_path).revoke(token_id)
    out.print(f"token {info.id} of {info.subject} revoked")


def _when(ts: float | None) -> str:
    import datetime as dt

    if ts is None:
        return "never"
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# ── policy ──────────────────────────────────────────────────────────────────
@main.group()
def policy() -> None:
    """Ask what policy would decide."""


@policy.command("check")
@CONFIG_OPTION
@click.option("--as", "subject", required=True, help="Subject of the caller.")
@click.option(
    "--kind",
    type=click.Choice(["human", "agent", "service"]),
    default=None,
    help="Caller kind (default: from the subject's API tokens, else human).",
)
@click.option("--groups", default=None, help="Comma-separated groups (default: from tokens).")
@click.option("--on-behalf-of", default=None)
@click.option("--connection", required=True)
@click.option("--sql", "sql_text", default=None, help="An SQL action.")
@click.option("--argv", default=None, help='A command, e.g. "kubectl apply -f -" (exec).')
@click.option("--request", "request_line", default=None, help='e.g. "POST /users/7/roles" (http).')
def policy_check(
    config_path: Path,
    subject: str,
    kind: str | None,
    groups: str | None,
    on_behalf_of: str | None,
    connection: str,
    sql_text: str | None,
    argv: str | None,
    request_line: str | None,
) -> None:
    """Print the decision for one action as JSON, without running it (exit 0)."""
    from phigate.policy_check import action_body, check

    given = [v for v in (sql_text, argv, request_line) if v is not None]
    if len(given) != 1:
        fail("give exactly one of --sql, --argv or --request")
    action_kind, body = action_body(sql=sql_text, argv=argv, request=request_line)
    result = check(
        _settings(config_path),
        subject=subject,
        kind=kind,
        groups=groups,
        on_behalf_of=on_behalf_of,
        connection=connection,
        action_kind=action_kind,
        body=body,
    )
    click.echo(json.dumps(result))


# ── audit ───────────────────────────────────────────────────────────────────
@main.group()
def audit() -> None:
    """Verify and export the audit log."""


def _audit_settings(config_path: Path, state: str | None) -> Any:
    """The configuration; with --state and no configuration file, the defaults."""
    from phigate.config import Settings

    if state is not None and not config_path.exists():
        return Settings()
    return _settings(config_path)


@contextlib.contextmanager
def _audit_log(config_path: Path, state: str | None, *, signed: bool = False) -> Iterator[Any]:
    from phigate.audit.chain import AuditLog
    from phigate.audit.keys import signing_key_for
    from phigate.store import Database

    settings = _audit_settings(config_path, state)
    url = state or settings.state.url
    signer = signing_key_for(settings, state_url=url) if signed else None
    db = Database(url)
    try:
        db.ensure_current(migrate=False)  # else: "run `phigate migrate`", not a SQL error
        yield AuditLog(db, signer=signer)
    finally:
        db.dispose()


def _trusted_keys(public_key: Path | None, settings: Any) -> frozenset[str] | None:
    """Key ids checkpoints must be signed with: --public-key, else a configured key."""
    from phigate.audit.checkpoint import trusted_key_id
    from phigate.audit.keys import trusted_key_ids
    from phigate.errors import ConfigError

    if public_key is not None:
        try:
            text = public_key.read_text()
        except OSError as exc:
            raise ConfigError(f"--public-key {public_key}: cannot read: {exc.strerror}") from exc
        return frozenset({trusted_key_id(text, where=f"--public-key {public_key}")})
    return trusted_key_ids(settings) if settings is not None else None


@audit.command("verify")
@CONFIG_OPTION
@click.option("--state", default=None, help="State store URL (default: from the config).")
@click.option(
    "--file",
    "export_file",
    type=click.File("r"),
    default=None,
    help="Verify an exported JSON-lines file instead of the store.",
)
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Checkpoints must be signed with this key (PEM, base64, or its key id; "
    "default: audit.signing_key when configured).",
)
@click.option(
    "--against",
    "earlier",
    type=click.File("r"),
    default=None,
    help="An earlier export: the log must still hold what its checkpoint signed.",
)
def audit_verify(
    config_path: Path,
    state: str | None,
    export_file: Any,
    public_key: Path | None,
    earlier: Any,
) -> None:
    """Exit 0 when the chain is intact and its tail proven by a signed checkpoint (for the
    store, records after the latest checkpoint are counted); 1 naming the problem."""
    from phigate.audit.export import read_checkpoint, verify_export

    kept = read_checkpoint(earlier, source=earlier.name) if earlier is not None else None
    if export_file is not None:
        # Offline, a configuration is read only when named (an auditor's machine has none).
        named = click.get_current_context().get_parameter_source("config_path")
        settings = None if named == click.core.ParameterSource.DEFAULT else _settings(config_path)
        keys = _trusted_keys(public_key, settings)
        result = verify_export(export_file, trusted=keys, kept=kept)
    else:
        keys = _trusted_keys(public_key, _audit_settings(config_path, state))
        with _audit_log(config_path, state) as log:
            result = log.verify(trusted=keys, kept=kept)
    trusted = keys is not None
    if not result.ok:
        console.print(
            f"audit chain BROKEN at sequence {result.first_bad_seq}: {result.problem} "
            f"({result.records} records verified before it)",
            highlight=False,
        )
        sys.exit(1)
    out.print(f"audit chain intact: {result.records} records, head {result.head_hash}")
    out.print(_tail_summary(result, trusted=trusted), highlight=False)


def _tail_summary(result: Any, *, trusted: bool) -> str:
    from phigate.audit.tail import when

    checkpoint = result.checkpoint
    if checkpoint is None:
        return f"no signed checkpoint yet: all {result.unproven} records are unproven"
    line = (
        f"tail proven by the checkpoint at sequence {checkpoint.seq}, signed "
        f"{when(checkpoint.ts)} by key {checkpoint.key_id}"
    )
    if not trusted:
        line += (
            " (the key the checkpoint names: pass --public-key, or configure "
            "audit.signing_key, to insist on the gateway's)"
        )
    if result.unproven:
        line += f"; {result.unproven} records after it await the next checkpoint (unproven)"
    return line


@audit.command("export")
@CONFIG_OPTION
@click.option("--state", default=None, help="State store URL (default: from the config).")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl")
@click.option("--since", type=int, default=0, help="Only records after this sequence number.")
def audit_export(config_path: Path, state: str | None, fmt: str, since: int) -> None:
    """Stream a signed checkpoint of the head, then the records up to it as JSON lines,
    each with its chain hash."""
    with _audit_log(config_path, state, signed=True) as log:
        for line in log.export_lines(since=since):
            click.echo(line)


@audit.command("public-key")
@CONFIG_OPTION
@click.option("--state", default=None, help="State store URL (default: from the config).")
def audit_public_key(config_path: Path, state: str | None) -> None:
    """Print the public key that signs checkpoints (PEM) and its key id, for auditors
    to keep and pass to `phigate audit verify --public-key`."""
    from phigate.audit.keys import signing_key_for

    settings = _audit_settings(config_path, state)
    signer = signing_key_for(settings, state_url=state)
    click.echo(signer.public_pem().rstrip())
    click.echo(f"# key id: {signer.key_id}")


# ── mcp ─────────────────────────────────────────────────────────────────────
@main.command("mcp")
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

    from phigate.frontends.mcp.stdio import serve_stdio

    if not stdio:
        fail(f"HTTP clients connect to {gateway_url.rstrip('/')}/mcp; use --stdio to relay")
    asyncio.run(serve_stdio(gateway_url, os.environ.get("PHIGATE_TOKEN", "")))


# ── mcp-tools ───────────────────────────────────────────────────────────────
@main.group("mcp-tools")
def mcp_tools() -> None:
    """Review and re-pin the tool definitions of upstream MCP connections."""


# Same exit codes as `phigate approvals`: 4 forbidden, 5 not found, 6 conflict.
_PIN_EXIT = {400: 2, 403: 4, 404: 5, 409: 6}


def _pin_run(config_path: Path, connection: str, work: Any) -> Any:
    """Run `work(connector, db, audit, scrub)` against the state store, mapping errors."""
    from phigate.audit.chain import AuditLog
    from phigate.bootstrap import _key
    from phigate.config import McpConnection
    from phigate.connectors.mcp import McpConnector
    from phigate.gateway import AUDIT_PROFILE
    from phigate.masking.engine import MaskingEngine
    from phigate.store import Database

    settings = _settings(config_path)
    conn = settings.connections.get(connection)
    if not isinstance(conn, McpConnection):
        fail(f"no MCP connection {connection!r} in {config_path}", 5)
    masker = MaskingEngine(settings.masking, _key(settings, "masking_key")).masker(AUDIT_PROFILE)
    db = Database(settings.state.url)
    try:
        db.ensure_current(migrate=settings.state.migrate_on_start)
        audit = AuditLog(db)
        connector = McpConnector(connection, conn)
        connector.attach(db, audit)

        async def run_and_close() -> Any:
            try:
                return await work(connector, db, audit, lambda v: masker.mask_json(v)[0])
            finally:
                await connector.close()  # its upstream session runs in this event loop

        return asyncio.run(run_and_close())
    except PhigateError as exc:
        fail(exc.message, _PIN_EXIT.get(exc.http_status, 1))
    finally:
        db.dispose()


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return "unknown"


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
            p.tool, status, _short(p.pinned_digest), _short(p.upstream_digest), _when(p.first_seen)
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

    os_user = _os_user()
    who = {"subject": by or os_user, "kind": "human", "via": "cli", "os_user": os_user}
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


# ── demo ────────────────────────────────────────────────────────────────────
@main.command()
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".phigate/demo",
    show_default=True,
)
@click.option("--http-port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option(
    "--pg-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port of the PostgreSQL wire front door (default: a free port, new each run).",
)
@click.option(
    "--credentials-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Default: <state-dir>/credentials.json",
)
def demo(
    state_dir: Path, http_port: int, pg_port: int | None, credentials_file: Path | None
) -> None:
    """Embedded PostgreSQL with a synthetic EHR, demo identities and policy, all front doors.

    Ctrl-C or SIGTERM stops it, the embedded PostgreSQL included.
    """
    from phigate.demo.cli import run_demo

    run_demo(state_dir, http_port, credentials_file or state_dir / "credentials.json", pg_port)


def _attach_package_commands() -> None:
    """Commands owned by their packages (sql classify, mask)."""
    from phigate.sql.cli import classify_command

    sql_group = click.Group("sql", help="PostgreSQL statement understanding.")
    sql_group.add_command(classify_command, "classify")
    main.add_command(sql_group)
    from phigate.reports.cli import report_command

    main.add_command(report_command, "report")
    from phigate.exec_cli import exec_command, http_command

    main.add_command(exec_command)
    main.add_command(http_command)
    from phigate.approvals_cli import approvals

    main.add_command(approvals)
    try:
        from phigate.masking.cli import mask_command
    except ImportError:  # pragma: no cover - lands with the masking engine
        return
    main.add_command(mask_command, "mask")


_attach_package_commands()
