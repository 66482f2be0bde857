"""`phigate config check`: validate a configuration file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.text import Text

from phigate.cli._common import console, out


@click.group()
def config() -> None:
    """Validate configuration."""


@config.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def config_check(file: Path) -> None:
    """Validate FILE; exit 1 with file, line and key on the first problems."""
    from phigate.config import load_settings
    from phigate.core.errors import ConfigError

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
