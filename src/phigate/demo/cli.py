"""The `phigate demo` command: set up, print how to connect, serve until Ctrl-C."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from phigate.bootstrap import build_gateway
from phigate.demo import patient_api
from phigate.demo.runner import ensure_tokens, prepare, write_credentials
from phigate.frontends.pgwire.server import with_listener
from phigate.pgserver import free_port
from phigate.server import serve
from phigate.state_lock import StateLock, lock_file_for

console = Console(soft_wrap=True)


def run_demo(state_dir: Path, http_port: int, credentials_file: Path) -> None:
    lock = _lock_state_dir(state_dir)
    try:
        _run_locked(state_dir, http_port, credentials_file)
    finally:
        lock.release()


def _lock_state_dir(state_dir: Path) -> StateLock:
    """Refuse before touching anything a running demo owns (its PostgreSQL, credentials)."""
    state_dir = state_dir.resolve()
    return StateLock(lock_file_for(state_dir / "state.db")).acquire(
        f"the demo state directory {state_dir}",
        "stop that demo first (Ctrl-C in its terminal, or kill the pid), "
        "or give this one its own --state-dir",
    )


def _run_locked(state_dir: Path, http_port: int, credentials_file: Path) -> None:
    with console.status("Starting the embedded PostgreSQL and loading the synthetic EHR…"):
        env = prepare(state_dir, http_port)
    try:
        pg_port = free_port()
        pg_url = f"postgresql://127.0.0.1:{pg_port}/ehr"
        settings = with_listener(env.settings, "ehr", f"127.0.0.1:{pg_port}")
        gateway = build_gateway(settings, migrate=True)
        ensure_tokens(env, gateway.tokens, credentials_file)
        patients_api = patient_api.start_for_demo(env.state_dir / "secrets")
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
            console.print(
                f"\nPostgreSQL wire: {pg_url}  (user = subject, password = token)\n"
                f'  PGPASSWORD="$TOKEN" psql "postgresql://claims-bot@127.0.0.1:{pg_port}/ehr'
                '?sslmode=disable" -c "SELECT * FROM patients LIMIT 3"',
                highlight=False,
            )

        try:
            asyncio.run(
                serve(
                    gateway, host=env.settings.server.http_host, port=http_port, on_started=announce
                )
            )
        except KeyboardInterrupt:
            pass
        finally:
            asyncio.run(gateway.close())
            patients_api.stop()
    finally:
        with console.status("Stopping the embedded PostgreSQL…"):
            env.postgres.stop()
        console.print("phigate demo stopped.")


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
    console.print(f"\n[bold green]phigate demo is running[/] at {api_url}")
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
        "\nPress Ctrl-C to stop.",
        highlight=False,
    )
