"""What an OIDC identity provider declared about a subject's kind, remembered.

An OIDC token acting for someone (`on_behalf_of_claim`) names that party but not
its kind; only the party's own token says it (`kind_claim`). So each subject the IdP
states to be an agent or a service is remembered at its sign-in (table
`idp_declared`), with whom it acted for; the token store reads these beside the
kinds of API tokens (`TokenStore.kinds_of`, `TokenStore.acts_for_in`), so a token
acting for a declared agent is refused and an approval's chain includes the person
behind that agent. A subject never seen signing in cannot be known this way.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from phigate.core import clock
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.subjects import lookup_form
from phigate.store import Database
from phigate.store.tables import idp_declared

__all__ = ["acts_for_in", "kinds_in", "remember"]


def remember(db: Database, principal: Principal) -> None:
    """Record `principal` when it is not human (its subject, kind and whom it acts
    for). The row is written only when it says something new."""
    if principal.kind is PrincipalKind.HUMAN:
        return
    row = {
        "subject": lookup_form(principal.subject),
        "kind": principal.kind.value,
        "on_behalf_of": principal.on_behalf_of,
    }
    with db.write() as conn:
        known = conn.execute(
            sa.select(idp_declared.c.kind, idp_declared.c.on_behalf_of).where(
                idp_declared.c.subject == row["subject"]
            )
        ).first()
        if known is None:
            conn.execute(idp_declared.insert().values(**row, seen_at=clock.now()))
        elif (known.kind, known.on_behalf_of) != (row["kind"], row["on_behalf_of"]):
            # Whom it acted for last; an earlier party stays known through its tokens' chain.
            conn.execute(
                idp_declared.update()
                .where(idp_declared.c.subject == row["subject"])
                .values(**row, seen_at=clock.now())
            )


def kinds_in(conn: sa.Connection, spellings: Iterable[str]) -> set[PrincipalKind]:
    """The kinds the IdP declared for any of `spellings` (one person's names)."""
    rows = conn.execute(
        sa.select(idp_declared.c.kind).where(idp_declared.c.subject.in_(_forms(spellings)))
    )
    return {PrincipalKind(row.kind) for row in rows}


def acts_for_in(conn: sa.Connection, spellings: Iterable[str]) -> set[str]:
    """Whom a declared agent under any of `spellings` acted for at its sign-in."""
    rows = conn.execute(
        sa.select(idp_declared.c.on_behalf_of).where(
            idp_declared.c.subject.in_(_forms(spellings)),
            idp_declared.c.on_behalf_of.is_not(None),
        )
    )
    return {str(row.on_behalf_of) for row in rows}


def _forms(spellings: Iterable[str]) -> list[str]:
    return sorted({lookup_form(s) for s in spellings})
