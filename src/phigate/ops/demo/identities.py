"""The demo's people and agent: who the demo signs in as, and what the console's
demo sign-in offers. A leaf, so the console can name them without loading the demo."""

from __future__ import annotations

from dataclasses import dataclass

from phigate.identity.principal import PrincipalKind


@dataclass(frozen=True)
class DemoIdentity:
    subject: str
    kind: PrincipalKind
    groups: tuple[str, ...]
    on_behalf_of: str | None = None


IDENTITIES = (
    DemoIdentity("claims-bot", PrincipalKind.AGENT, ("agents",), on_behalf_of="dana"),
    DemoIdentity("dana", PrincipalKind.HUMAN, ("clinicians",)),
    DemoIdentity("alice", PrincipalKind.HUMAN, ("data-owners",)),
    DemoIdentity("bob", PrincipalKind.HUMAN, ("data-owners",)),
    DemoIdentity("admin", PrincipalKind.HUMAN, ("admins", "auditors")),
)
