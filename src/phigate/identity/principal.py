"""The principal: an authenticated caller, established once per request or session."""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from phigate.identity.subjects import SubjectError, normal_subject


class PrincipalKind(enum.StrEnum):
    HUMAN = "human"
    AGENT = "agent"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    """Who acts. `on_behalf_of` is the human subject an agent acts for.

    Subjects are kept in their normal form (phigate.identity.subjects) from
    construction on, so no comparison anywhere can see two spellings of one person.
    """

    subject: str
    kind: PrincipalKind
    groups: frozenset[str] = field(default_factory=frozenset)
    on_behalf_of: str | None = None
    authenticated_by: str = "token"  # "token" | "oidc"
    # The subject this person actually used, when it is an alias (phigate.identity.people).
    signed_in_as: str | None = None
    # The API token this principal signed in with: sessions that outlive the request
    # (console, wire) end when it is revoked. Not part of `to_json` (nor fingerprints).
    token_id: str | None = None
    # When the credential it signed in with stops being valid (an OIDC access token's
    # `exp`, epoch seconds): work that outlives the request (an approved action's run,
    # a wire session, a console session) ends then. Not part of `to_json` or equality.
    valid_until: float | None = field(default=None, compare=False)
    # Served from the recent-token cache (`phigate.identity.recent_tokens`): the
    # transaction that records its action reads the token's state again, so a
    # revocation refuses it at once. Not part of `to_json` or equality.
    token_rechecked: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", normal_subject(self.subject))
        if self.on_behalf_of is not None:
            object.__setattr__(self, "on_behalf_of", normal_subject(self.on_behalf_of))

    @classmethod
    def stored(cls, data: Mapping[str, Any]) -> Principal:
        """A principal as an action record stored it (`to_json`).

        A subject stored before the subject rules tightened may be one they now
        refuse. The record must still list and show (an audit trail does not vanish
        on upgrade), so its subject is kept as stored: no principal signing in today
        has that spelling (every new subject is in normal form), so it can never be
        taken for a current caller, run, view or vote as one.
        """
        subject = str(data["subject"])
        kind = PrincipalKind(data["kind"])
        groups = frozenset(str(group) for group in data["groups"])
        on_behalf_of = data.get("on_behalf_of")
        signed_in_as = data.get("signed_in_as")
        try:
            return cls(subject, kind, groups, on_behalf_of, signed_in_as=signed_in_as)
        except SubjectError:
            kept = object.__new__(cls)
            for name, value in (
                ("subject", subject),
                ("kind", kind),
                ("groups", groups),
                ("on_behalf_of", on_behalf_of),
                ("authenticated_by", "token"),
                ("signed_in_as", signed_in_as),
                ("token_id", None),
                ("valid_until", None),
                ("token_rechecked", False),
            ):
                object.__setattr__(kept, name, value)
            return kept

    @property
    def is_human(self) -> bool:
        return self.kind is PrincipalKind.HUMAN

    def in_any(self, groups: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        return not self.groups.isdisjoint(groups)

    def expired(self, now: float) -> bool:
        """Whether the credential this principal signed in with has expired by `now`
        (API tokens are checked in the token store instead: they can also be revoked)."""
        return self.valid_until is not None and now >= self.valid_until

    def is_same_caller(self, other: Principal) -> bool:
        """Ownership (run, view, cancel): the same subject of the same kind, acting for
        the same person. An agent named `alice` is not alice."""
        return (self.subject, self.kind, self.on_behalf_of) == (
            other.subject,
            other.kind,
            other.on_behalf_of,
        )

    def to_json(self) -> dict[str, object]:
        """Who acts as records show it, with the spelling signed in with (an alias).
        A new dict each call (callers add to it); its parts are worked out once."""
        subject, kind, groups, on_behalf_of, signed_in_as = self._json_parts
        out: dict[str, object] = {
            "subject": subject,
            "kind": kind,
            "groups": list(groups),
            "on_behalf_of": on_behalf_of,
        }
        if signed_in_as:
            out["signed_in_as"] = signed_in_as
        return out

    def bound_json(self) -> dict[str, object]:
        """Who acts as an action's fingerprint binds it: the person (their own subject),
        not the spelling they signed in with, so one person's identical action is one
        request whichever of their identities sends it. The action record keeps
        `to_json` (the alias included), and only the same caller may run it."""
        subject, kind, groups, on_behalf_of, _signed_in_as = self._json_parts
        return {
            "subject": subject,
            "kind": kind,
            "groups": list(groups),
            "on_behalf_of": on_behalf_of,
        }

    @functools.cached_property
    def json_text(self) -> str:
        """`to_json` as JSON text, made once per principal: every action it records
        stores it (the actions table's principal column; readers `json.loads` it)."""
        return json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)

    @functools.cached_property
    def _json_parts(self) -> tuple[str, str, tuple[str, ...], str | None, str | None]:
        # Computed once: a wire session's principal is written into every statement's
        # records, four times each (its fingerprint, the action row, two audit records).
        groups = tuple(sorted(self.groups))
        return (self.subject, self.kind.value, groups, self.on_behalf_of, self.signed_in_as)
