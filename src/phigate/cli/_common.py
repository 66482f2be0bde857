"""What every command group of `phigate` shares: the consoles, how a user error ends
the command (a message and an exit code, never a traceback), the --config option."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.text import Text

from phigate.core.errors import PhigateError

# markup=False: every string printed is data (subjects, tool names an upstream chose,
# paths), never rich markup; styles are applied with `Text` only.
console = Console(stderr=True, soft_wrap=True, markup=False)
out = Console(soft_wrap=True, markup=False)


def printable(text: str) -> str:
    """`text` with every character a terminal could act on (escapes, controls, format
    and direction characters) written as its escape, for text that quotes a file."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


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


def load_config(config_path: Path) -> Any:
    """The settings in `config_path` (imported late: `--help` loads no models)."""
    from phigate.config import load_settings

    return load_settings(config_path)


def when(ts: float | None) -> str:
    import datetime as dt

    if ts is None:
        return "never"
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
