"""`phigate policy check`: what policy would decide, without running anything."""

from __future__ import annotations

import json
from pathlib import Path

import click

from phigate.cli._common import CONFIG_OPTION, fail, load_config


@click.group()
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
    from phigate.pipeline.policy_check import action_body, check

    given = [v for v in (sql_text, argv, request_line) if v is not None]
    if len(given) != 1:
        fail("give exactly one of --sql, --argv or --request")
    action_kind, body = action_body(sql=sql_text, argv=argv, request=request_line)
    result = check(
        load_config(config_path),
        subject=subject,
        kind=kind,
        groups=groups,
        on_behalf_of=on_behalf_of,
        connection=connection,
        action_kind=action_kind,
        body=body,
    )
    click.echo(json.dumps(result))
