"""The `phigate demo` command: set up, print how to connect, serve until Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from phigate.doors.pgwire.server import with_listener
from phigate.identity.tokens import TokenStore
from phigate.ops.bootstrap import build_gateway
from phigate.ops.demo import patient_api
from phigate.ops.demo.runner import DemoEnvironment, ensure_tokens, prepare, write_credentials
from phigate.ops.pgserver import EmbeddedPostgres, free_port
from phigate.ops.server import interrupt_on_sigterm, listen_socket, serve
from phigate.ops.state_lock import StateLock, lock_file_for

console = Console(soft_wrap=True, markup=False)  # strings are data; styles via `Text`


DEMO_HOST = "127.0.0.1"


def run_demo(
    state_dir: Path, http_port: int, credentials_file: Path, pg_port: int | None = None
) -> None:
    interrupt_on_sigterm()
    lock = _lock_state_dir(state_dir)
    try:
        # Ports first: a clash is one clear line before PostgreSQL starts.
        http_socket = listen_socket(DEMO_HOST, http_port, "--http-port")
        ports = DemoPorts(http_socket, _wire_port(pg_port))
        _run_locked(state_dir, ports, credentials_file)
    except KeyboardInterrupt:
        pass  # stopped while starting (Ctrl-C, SIGTERM): already cleaned up and said so
    finally:
        lock.release()


@dataclass(frozen=True)
class DemoPorts:
    http: socket.socket
    wire: int

    @property
    def http_port(self) -> int:
        return int(self.http.getsockname()[1])


def _wire_port(pg_port: int | None) -> int:
    if pg_port is None:
        return free_port()
    listen_socket(DEMO_HOST, pg_port, "--pg-port").close()  # taken: refuse now
    return pg_port


def _lock_state_dir(state_dir: Path) -> StateLock:
    """Refuse before touching anything a running demo owns (its PostgreSQL, credentials)."""
    state_dir = state_dir.resolve()
    return StateLock(lock_file_for(state_dir / "state.db")).acquire(
        f"the demo state directory {state_dir}",
        "stop that demo first (Ctrl-C in its terminal, or kill the pid), "
        "or give this one its own --state-dir",
    )


def _run_locked(state_dir: Path, ports: DemoPorts, credentials_file: Path) -> None:
    try:
        with console.status("Starting the embedded PostgreSQL and loading the synthetic EHR…"):
            env = prepare(state_dir, ports.http_port)
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM) or failed after PostgreSQL started: no orphan.
        postgres = EmbeddedPostgres(state_dir.resolve() / "postgres")
        _say_stopped(postgres, postgres.stop())
        raise
    try:
        _serve_demo(env, ports, credentials_file)
    finally:
        with console.status("Stopping the embedded PostgreSQL…"):
            stopped = env.postgres.stop()
        _say_stopped(env.postgres, stopped)


def _say_stopped(postgres: EmbeddedPostgres, stopped: bool) -> None:
    """Say the embedded PostgreSQL stopped only when its process has exited."""
    if stopped:
        console.print("Stopped the embedded PostgreSQL. phigate demo stopped.")
    else:
        console.print(
            f"The embedded PostgreSQL in {postgres.data_dir} did not stop; see its "
            "server.log, and stop it (kill the pid in postmaster.pid) before the next run."
        )


def _serve_demo(env: DemoEnvironment, ports: DemoPorts, credentials_file: Path) -> None:
    pg_url = f"postgresql://{DEMO_HOST}:{ports.wire}/ehr"
    settings = with_listener(env.settings, "ehr", f"{DEMO_HOST}:{ports.wire}")
    gateway = build_gateway(settings, migrate=True)
    # As `phigate token` does: its own handle on the state database's API tokens.
    tokens = TokenStore(
        gateway.db, settings.secrets.token_hash_key.reveal().encode(), people=gateway.people
    )
    ensure_tokens(env, tokens, credentials_file)
    patients_api = patient_api.start_for_demo(env.state_dir / "secrets")

    # Written once the HTTP port is ours and the wire port was found free, before the
    # server answers /readyz: a clash has already refused, so these credentials
    # never point at another server.
    write_credentials(
        env,
        credentials_file,
        extra={
            "connections": patient_api.demo_connections(env.settings),
            "mcp_url": f"{env.settings.server.base_url()}/mcp",
            "pg_url": pg_url,
        },
    )

    async def announce() -> None:
        _print_welcome(env.settings.server.base_url(), credentials_file, env.tokens)
        _print_wire(pg_url, ports.wire)

    try:
        asyncio.run(
            serve(
                gateway,
                host=DEMO_HOST,
                port=ports.http_port,
                on_started=announce,
                sock=ports.http,
            )
        )
    except KeyboardInterrupt:
        pass
    finally:
        asyncio.run(gateway.close())
        patients_api.stop()


def _print_wire(pg_url: str, pg_port: int) -> None:
    console.print(
        f"\nPostgreSQL wire: {pg_url}  (user = subject, password = token)\n"
        f'  PGPASSWORD="$TOKEN" psql "postgresql://claims-bot@{DEMO_HOST}:{pg_port}/ehr'
        '?sslmode=disable" -c "SELECT * FROM patients LIMIT 3"',
        highlight=False,
    )


def _print_welcome(api_url: str, credentials_file: Path, tokens: dict[str, str]) -> None:
    table = Table(title="Demo identities", show_lines=False)
    for column in ("subject", "who", "token (first characters)"):
        table.add_column(column)
    roles = {
        "claims-bot": "agent acting for dana",
        "dana": "clinician",
        "alice": "reviewer (data-owners)",
        "bob": "reviewer (data-owners)",
        "admin": "admins, auditors",
    }
    for subject, token in tokens.items():
        table.add_row(subject, roles.get(subject, ""), token[:12] + "…")
    console.print(Text("\nphigate demo is running", style="bold green") + Text(f" at {api_url}"))
    console.print(f"Credentials (tokens, URLs): {credentials_file}  (mode 0600)\n")
    console.print(table)
    creds = json.dumps(str(credentials_file))
    console.print(
        "\nTry it (in another shell):\n"
        "  TOKEN=$(python3 -c 'import json,sys;"
        f'print(json.load(open({creds}))["tokens"]["claims-bot"])\')\n'
        f"  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'content-type: application/json' \\\n"
        f'       -d \'{{"connection":"ehr","sql":"SELECT * FROM patients LIMIT 3"}}\' '
        f"{api_url}/v1/actions\n"
        "\nPress Ctrl-C (or send SIGTERM) to stop.",
        highlight=False,
    )
