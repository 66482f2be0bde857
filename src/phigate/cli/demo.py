"""`phigate demo`: the embedded demo (its assembly is `phigate.ops.demo.cli`)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
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
    from phigate.ops.demo.cli import run_demo

    run_demo(state_dir, http_port, credentials_file or state_dir / "credentials.json", pg_port)
