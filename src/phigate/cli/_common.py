"""What every command group of `phigate` shares: the consoles, how a user error ends
the command (a message and an exit code, never a traceback), the --config option."""

from __future__ import annotations

import os
import pwd
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


def login_names() -> dict[str, str]:
    """Who runs this command, for an audit record's `by`: `os_user` is the name of the
    process's real uid (the environment cannot change it, unlike getpass.getuser(),
    which reads $LOGNAME/$USER first); `env_user` only when the environment names
    somebody else, so the record keeps both claims, each under its own name."""
    uid = os.getuid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid with no passwd entry (some containers)
        user = f"uid:{uid}"
    names = {"os_user": user}
    claimed = next((os.environ[v] for v in _LOGIN_VARIABLES if os.environ.get(v)), None)
    if claimed is not None and claimed != user:
        names["env_user"] = claimed
    return names


# Where getpass.getuser() looks, in its order.
_LOGIN_VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")


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


def audit_settings(config_path: Path, state: str | None) -> Any:
    """The configuration the audit log is read with; with --state and no configuration
    file, the defaults (no audit key: no MACs checked, any checkpoint key)."""
    from phigate.config import Settings

    if state is not None and not config_path.exists():
        return Settings()
    return load_config(config_path)


def when(ts: float | None) -> str:
    import datetime as dt

    if ts is None:
        return "never"
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
