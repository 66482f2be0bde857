"""`phigate token create|list|revoke`: API tokens, straight on the state store."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from phigate.cli._common import CONFIG_OPTION, console, load_config, login_names, out, when


@click.group()
def token() -> None:
    """Create, list and revoke API tokens."""


def _token_store(config_path: Path) -> Any:
    from phigate.audit.keys import open_state
    from phigate.identity.people import People
    from phigate.identity.tokens import TokenStore
    from phigate.ops.bootstrap import _key

    settings = load_config(config_path)
    db = open_state(settings)  # its audit records MAC'd like the gateway's
    db.ensure_current(migrate=settings.state.migrate_on_start)
    return TokenStore(
        db, _key(settings, "token_hash_key"), people=People(settings.identity.aliases)
    )


def _operator() -> dict[str, object]:
    """Who ran the command, as far as this host can tell (the audit log's `by`)."""
    return {"via": "cli", **login_names(), "host": socket.gethostname()}


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
        by=_operator(),
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
            when(i.expires_at),
            i.status,
        )
    out.print(table)


@token.command("revoke")
@CONFIG_OPTION
@click.argument("token_id")
def token_revoke(config_path: Path, token_id: str) -> None:
    """Revoke a token by id."""
    info = _token_store(config_path).revoke(token_id, by=_operator())
    out.print(f"token {info.id} of {info.subject} revoked")
