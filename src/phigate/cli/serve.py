"""`phigate serve` (one process, or a supervisor of workers) and `phigate migrate`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.text import Text

from phigate.cli._common import CONFIG_OPTION, console, fail, load_config, out


@click.command()
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
    from phigate.ops.bootstrap import build_gateway
    from phigate.ops.server import interrupt_on_sigterm, listen_socket, skew_clock_for_tests
    from phigate.ops.server import serve as run_server
    from phigate.ops.state_lock import lock_sqlite_state
    from phigate.ops.workers import stop_with_supervisor

    settings = load_config(config_path)
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
    """Run `workers` gateway processes (phigate.ops.workers) until stopped."""
    from phigate.ops.port_claims import claim_ports
    from phigate.ops.workers import Supervisor

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


@click.command()
@CONFIG_OPTION
def migrate(config_path: Path) -> None:
    """Bring the state store's schema to this version of phigate."""
    from phigate.store import Database

    db = Database(load_config(config_path).state.url)
    try:
        db.migrate()
        out.print(f"state store at revision {db.current_revision()}")
    finally:
        db.dispose()  # close its pooled connections now, not when collected
