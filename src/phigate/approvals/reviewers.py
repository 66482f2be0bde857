"""Who could decide an approval: the humans holding a phigate token in its groups.

A rule whose approver groups have no members makes requests that wait until they
expire with nobody told why. The gateway cannot know every reviewer (people who
sign in with OIDC bring their groups at sign-in), so this speaks only when no OIDC
provider is configured, where API tokens are the only way in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from phigate.approvals.model import Approval
from phigate.config import Settings
from phigate.core import clock
from phigate.identity.people import People
from phigate.identity.principal import PrincipalKind
from phigate.ops.state_lock import sqlite_file
from phigate.store import Database
from phigate.store.tables import api_tokens

Members = Mapping[str, frozenset[str]]


def human_members(db: Database, people: People) -> dict[str, frozenset[str]]:
    """Group → the people (by their own subject) with an active human token in it."""
    now = clock.latest()  # a token's expiry, judged early by the clock's uncertainty
    query = (
        sa.select(api_tokens.c.subject, api_tokens.c.groups)
        .where(api_tokens.c.kind == PrincipalKind.HUMAN.value)
        .where(api_tokens.c.revoked_at.is_(None))
        .where(sa.or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > now))
    )
    members: dict[str, set[str]] = {}
    with db.read() as conn:
        for row in conn.execute(query):
            for group in json.loads(row.groups):
                members.setdefault(group, set()).add(people.of(row.subject))
    return {group: frozenset(who) for group, who in members.items()}


def eligible(groups: Iterable[str], members: Members, *, excluded: Iterable[str] = ()) -> set[str]:
    found = set().union(*(members.get(group, frozenset()) for group in groups))
    return found - set(excluded)


def shortfall(groups: Iterable[str], required: int, available: int) -> str | None:
    """The plain-language problem when fewer people can decide than must."""
    if available >= required:
        return None
    names = ", ".join(groups)
    who = "no human" if available == 0 else f"only {available} human(s)"
    return (
        f"it needs {required} approval(s) from {names}, and {who} with a phigate token "
        "in those groups could give one: it expires undecided unless an administrator "
        "gives reviewers there a token"
    )


def approval_shortfall(approval: Approval, members: Members) -> str | None:
    """`shortfall` for a pending request: the requester and the person an agent acts
    for never count (they may not vote on it)."""
    excluded = [approval.requester, *([approval.on_behalf_of] if approval.on_behalf_of else [])]
    for need in approval.needs:  # every requirement must be met, each by its own groups
        can = eligible(need.groups, members, excluded=excluded)
        problem = shortfall(need.groups, need.count, len(can))
        if problem is not None:
            return f"no reviewer can decide this request: {problem}"
    return None


def config_warnings(settings: Settings) -> tuple[list[str], str | None]:
    """`phigate config check`: each approval requirement no token holder could meet,
    and a note when that cannot be checked."""
    if settings.identity.oidc is not None:
        return [], "approver groups not checked: OIDC reviewers bring their groups at sign-in"
    db = _existing_store(settings.state.url)
    if db is None:
        return [], "approver groups not checked: the state store does not exist yet"
    try:
        members = human_members(db, People(settings.identity.aliases))
    except Exception as exc:  # an unreachable or unmigrated store: say so, do not fail
        return [], f"approver groups not checked: cannot read the state store ({exc})"
    finally:
        db.engine.dispose()
    return _unmet(settings, members), None


def _unmet(settings: Settings, members: Members) -> list[str]:
    policy = settings.policy
    wanted = [(f"rule {r.name!r}", r.approvals) for r in policy.rules if r.decision == "approve"]
    wanted.append(("policy.reveal_approvals", policy.reveal_approvals))
    problems = []
    for where, need in wanted:
        if need is not None:
            problem = shortfall(need.groups, need.count, len(eligible(need.groups, members)))
            if problem is not None:
                problems.append(f"{where}: {problem}")
    return problems


def _existing_store(url: str) -> Database | None:
    db_file = sqlite_file(url)
    if url.startswith("sqlite") and (db_file is None or not db_file.exists()):
        return None
    return Database(url)
