"""The principal: an authenticated caller, established once per request or session."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class PrincipalKind(enum.StrEnum):
    HUMAN = "human"
    AGENT = "agent"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    """Who acts. `on_behalf_of` is the human subject an agent acts for."""

    subject: str
    kind: PrincipalKind
    groups: frozenset[str] = field(default_factory=frozenset)
    on_behalf_of: str | None = None
    authenticated_by: str = "token"  # "token" | "oidc"
    # The subject this person actually used, when it is an alias (phigate.identity.people).
    signed_in_as: str | None = None

    @property
    def is_human(self) -> bool:
        return self.kind is PrincipalKind.HUMAN

    def in_any(self, groups: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        return not self.groups.isdisjoint(groups)

    def to_json(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "kind": self.kind.value,
            "groups": sorted(self.groups),
            "on_behalf_of": self.on_behalf_of,
            **({"signed_in_as": self.signed_in_as} if self.signed_in_as else {}),
        }
