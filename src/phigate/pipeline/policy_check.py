"""`phigate policy check`: what would policy decide for this caller and action?"""

from __future__ import annotations

import shlex
from typing import Any

from phigate.config import Settings
from phigate.connectors.exec import exec_body
from phigate.connectors.http import http_body
from phigate.core.actions import Action
from phigate.core.errors import InvalidRequestError
from phigate.identity.people import People
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.tokens import TokenStore
from phigate.ops.bootstrap import build_connectors
from phigate.pipeline.deciding import Decider
from phigate.store import Database


def _known_identity(settings: Settings, subject: str) -> tuple[str, tuple[str, ...], str | None]:
    """Kind, groups and on-behalf-of from the subject's newest active API token, if any."""
    try:
        db = Database(settings.state.url)
        if db.current_revision() is None:
            return "human", (), None
        store = TokenStore(
            db,
            settings.secrets.token_hash_key.reveal().encode(),
            people=People(settings.identity.aliases),
        )
        active = [t for t in store.list(subject=subject) if t.status == "active"]
    except Exception:
        return "human", (), None
    if not active:
        return "human", (), None
    newest = active[-1]
    return newest.kind.value, newest.groups, newest.on_behalf_of


def action_body(
    *, sql: str | None, argv: str | None, request: str | None
) -> tuple[str, dict[str, Any]]:
    """The action kind and body the front doors would build for this input."""
    if argv is not None:
        return "exec", exec_body(shlex.split(argv), None)
    if request is not None:
        method, _, path = request.strip().partition(" ")
        if not path.strip():
            raise InvalidRequestError('--request needs "METHOD /path"')
        return "http", http_body(method.upper(), path.strip())
    return "sql", {"sql": sql or "", "params": []}


def check(
    settings: Settings,
    *,
    subject: str,
    kind: str | None,
    groups: str | None,
    on_behalf_of: str | None,
    connection: str,
    action_kind: str,
    body: dict[str, Any],
) -> dict[str, Any]:
    """The decision as the gateway would make it: the connection's own connector
    describes the action (offline: nothing is asked of the upstream)."""
    known_kind, known_groups, known_obo = _known_identity(settings, subject)
    principal = Principal(
        subject=subject,
        kind=PrincipalKind(kind or known_kind),
        groups=frozenset(g.strip() for g in groups.split(",") if g.strip())
        if groups is not None
        else frozenset(known_groups),
        on_behalf_of=on_behalf_of if on_behalf_of is not None else known_obo,
    )
    action = Action(connection, action_kind, body, principal, "cli")
    # The gateway's own describe-and-decide (aliases, the describer-failure guard);
    # the operator typed the statement, and nothing here is recorded, so a parse
    # error is shown as the parser wrote it.
    decider = Decider(settings, build_connectors(settings), scrub=lambda text: text)
    description, decision = decider.decide(action)
    result = decision.to_json()
    result["risk"] = description.risk.value
    ordered = {
        key: result[key] for key in ("decision", "rule", "reason", "risk", "approvals", "masking")
    }
    return ordered
