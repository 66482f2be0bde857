"""One person, several subjects: who counts as the same human.

A person may reach phigate under more than one subject: an API token made out to
`dana`, an OIDC sign-in whose subject claim is an object id or an e-mail address.
Separation of duties compares subjects, so with two names dana could approve the
request her agent made on her behalf. `identity.aliases` names each person once
(`dana: [dana@example.org, 00u1ab2c3]`), and every principal is mapped to that name
where it enters (authentication, a vote): requests, approvals, votes and audit
records then carry one subject per person. The subject actually used is kept as
`signed_in_as`. Names and aliases are compared in their normal form
(phigate.identity.subjects), like every other subject.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from phigate.identity.principal import Principal
from phigate.identity.subjects import lookup_form, normal_subject


class People:
    def __init__(self, aliases: Mapping[str, Sequence[str]] | None = None) -> None:
        self._person = {
            normal_subject(alias): normal_subject(name)
            for name, others in (aliases or {}).items()
            for alias in others
        }
        # Each person's other names, for lookups by every spelling (`spellings`).
        self._aliases: dict[str, set[str]] = {}
        for alias, name in self._person.items():
            self._aliases.setdefault(name, set()).add(alias)

    def of(self, subject: str) -> str:
        """The person's own subject for `subject` (its normal form when it is no alias)."""
        subject = lookup_form(subject)
        return self._person.get(subject, subject)

    def spellings(self, subject: str) -> frozenset[str]:
        """Every subject `subject`'s person is known by (its own and each alias, in
        normal form): what a lookup of stored names (tokens made out to an alias,
        acting for one) must match, so a second name hides nothing."""
        person = self.of(subject)
        return frozenset({person, *self._aliases.get(person, ())})

    def canonical(self, principal: Principal) -> Principal:
        """`principal` under its person's subject, and acting for a person's subject."""
        if not self._person:
            return principal
        subject = self.of(principal.subject)
        on_behalf_of = None if principal.on_behalf_of is None else self.of(principal.on_behalf_of)
        if subject == principal.subject and on_behalf_of == principal.on_behalf_of:
            return principal
        signed_in_as = principal.subject if subject != principal.subject else None
        return replace(
            principal, subject=subject, on_behalf_of=on_behalf_of, signed_in_as=signed_in_as
        )
