"""API tokens for agents, services and people: `phg_` + 256 random bits.

Only a keyed hash (HMAC-SHA256 with the gateway's token key) is stored, so a
copy of the state store alone cannot be used to forge or recover tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import sqlalchemy as sa

from phigate.audit.chain import AuditLog
from phigate.core import clock
from phigate.core.action_store import recorded_or_refused
from phigate.core.errors import AuthenticationError, InvalidRequestError, NotFoundError
from phigate.identity import declared
from phigate.identity.people import People
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.recent_tokens import RecentTokens
from phigate.identity.subjects import SubjectError, lookup_form, normal_subject
from phigate.store import Database
from phigate.store.hot import HotStatement
from phigate.store.tables import api_tokens

PREFIX = "phg_"
_TOKEN_STATE = HotStatement(
    sa.select(api_tokens.c.revoked_at, api_tokens.c.expires_at).where(
        api_tokens.c.id == sa.bindparam("id")
    )
)
_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> int:
    """'30d' → seconds. Units: s, m, h, d, w."""
    match = _DURATION.match(text.strip())
    if not match:
        raise InvalidRequestError(f"not a duration: {text!r} (expected e.g. 90m, 12h, 30d)")
    return _positive(int(match.group(1)) * _UNITS[match.group(2)], text)


def _positive(seconds: int, text: object) -> int:
    # A zero lifetime once meant "no expiry": a typo must not mint an eternal token.
    if seconds <= 0:
        raise InvalidRequestError(
            f"a token's lifetime must be longer than zero, not {text!r} "
            "(e.g. 90m, 12h, 30d; leave it out for a token that does not expire)"
        )
    return seconds


@dataclass(frozen=True)
class TokenInfo:
    id: str
    subject: str
    kind: PrincipalKind
    groups: tuple[str, ...]
    on_behalf_of: str | None
    created_at: float
    expires_at: float | None
    revoked_at: float | None
    description: str

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= clock.latest():
            return "expired"
        return "active"


class TokenStore:
    def __init__(self, db: Database, key: bytes, *, people: People) -> None:
        """`people`: today's aliases (`identity.aliases`). Every lookup of a subject's
        tokens (its kinds, whom it acts for, who acts for it) is by every spelling of
        its person: a token made out to an alias is that person's."""
        if len(key) < 16:
            raise InvalidRequestError("the token hash key must be at least 16 bytes")
        self._db = db
        self._key = key
        self._people = people
        self._recent = RecentTokens()

    def _hash(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    def create(
        self,
        *,
        subject: str,
        kind: PrincipalKind,
        groups: tuple[str, ...] = (),
        on_behalf_of: str | None = None,
        expires_in: int | None = None,
        description: str = "",
        by: Mapping[str, object] | None = None,
    ) -> tuple[str, TokenInfo]:
        """Create a token; the clear token is returned once and never stored. Issuing
        it decides who may act and approve, so it is on the audit log (`token.created`,
        `by` saying who issued it), in the same transaction as the token."""
        subject, on_behalf_of = _check_identity(subject, kind, on_behalf_of)
        try:
            self._check_one_kind(subject, kind)
            self._check_acts_for_a_human(subject, kind, on_behalf_of)
        except InvalidRequestError as refused:
            self._record_refusal(subject, kind, on_behalf_of, refused, by)
            raise
        if expires_in is not None:
            _positive(expires_in, f"{expires_in}s")
        token = PREFIX + secrets.token_urlsafe(32)
        now = clock.now()
        info = TokenInfo(
            id=secrets.token_hex(6),
            subject=subject,
            kind=kind,
            groups=tuple(sorted(set(groups))),
            on_behalf_of=on_behalf_of,
            created_at=now,
            expires_at=now + expires_in if expires_in is not None else None,
            revoked_at=None,
            description=description,
        )
        with recorded_or_refused("so no token was created"), self._db.write() as conn:
            conn.execute(
                api_tokens.insert().values(
                    id=info.id,
                    subject=subject,
                    kind=kind.value,
                    groups=json.dumps(info.groups),
                    on_behalf_of=on_behalf_of,
                    token_hash=self._hash(token),
                    description=description,
                    created_at=now,
                    expires_at=info.expires_at,
                )
            )
            AuditLog(self._db).append_in(conn, "token.created", _record(info, by))
        return token, info

    def recent(self, token: str) -> Principal | None:
        """The principal of `token` if it authenticated in the last few seconds, marked
        `token_rechecked`: only for a caller whose use of it re-reads the token in the
        transaction that records that use (`phigate.identity.recent_tokens`). No I/O."""
        if not token.startswith(PREFIX):
            return None
        return self._recent.get(self._hash(token))

    def authenticate(self, token: str) -> Principal:
        if not token.startswith(PREFIX):
            raise AuthenticationError("not a phigate API token")
        key = self._hash(token)
        with self._db.read() as conn:
            row = conn.execute(sa.select(api_tokens).where(api_tokens.c.token_hash == key)).first()
        if row is None:
            raise AuthenticationError("unknown API token")
        info = _info(row)
        if info.status != "active":
            raise AuthenticationError(f"API token {info.id} is {info.status}")
        principal = self._principal(info)
        self.refuse_acting_for_non_human(principal)  # before the recent-token cache
        self._recent.put(key, replace(principal, token_rechecked=True), info.expires_at)
        return principal

    def refuse_acting_for_non_human(self, principal: Principal) -> None:
        """AuthenticationError when `principal` acts on behalf of a subject holding
        agent or service tokens, whatever its credential (an API token made before the
        other subject's tokens, an OIDC token exchanged by an agent): an agent acts for
        a human, the one barred from approving its requests. The subject is looked up
        by every spelling of its person (`kinds_of`), so it may run before aliases map
        `principal` (`People.canonical`)."""
        person = principal.on_behalf_of
        if person is not None and self.kinds_of(person) - {PrincipalKind.HUMAN}:
            raise AuthenticationError(acting_for_non_human(person))

    def signed_in_by_idp(self, principal: Principal) -> None:
        """An OIDC sign-in: what the IdP declared of `principal`'s kind is remembered
        first (`declared.remember`), then one acting for a subject not human, by its
        tokens or by the IdP's word at its own sign-in, is refused."""
        declared.remember(self._db, principal)
        self.refuse_acting_for_non_human(principal)

    @staticmethod
    def refuse_inactive_in(conn: sa.Connection, principal: Principal) -> None:
        """Raise AuthenticationError, read in the caller's transaction, when the token
        `principal` signed in with is no longer active (`Principal.token_rechecked`).
        On every action's record: one point read on the driver's cursor (`HotStatement`)."""
        if principal.token_id is None:
            return
        cursor = _TOKEN_STATE.execute(conn, {"id": principal.token_id})
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        revoked_at, expires_at = row if row is not None else (0.0, None)
        if revoked_at is not None or (expires_at is not None and expires_at <= clock.latest()):
            raise AuthenticationError(f"API token {principal.token_id} is revoked or has expired")

    @staticmethod
    def _principal(info: TokenInfo) -> Principal:
        try:
            return Principal(
                subject=info.subject,
                kind=info.kind,
                groups=frozenset(info.groups),
                on_behalf_of=info.on_behalf_of,
                authenticated_by="token",
                token_id=info.id,
            )
        except SubjectError as error:
            # Made before the subject rules refused its characters (`ᴅᴀɴᴀ`): it names
            # no one now, and signs in as no one rather than failing as a server error.
            raise AuthenticationError(
                f"API token {info.id} names a subject phigate no longer accepts ({error}); "
                "revoke it and create one for a valid subject"
            ) from error

    def _check_one_kind(self, subject: str, kind: PrincipalKind) -> None:
        # One subject, one kind: otherwise a human token for `claims-bot` (or a chat
        # mapping to it) would let the agent's name approve.
        held = self.kinds_of(subject) - {kind}
        if held:
            raise InvalidRequestError(
                f"{subject} already holds {', '.join(sorted(held))} tokens; a subject has one kind"
            )

    def _check_acts_for_a_human(
        self, subject: str, kind: PrincipalKind, on_behalf_of: str | None
    ) -> None:
        """The one an agent acts for is a human, so the human behind every agent's
        request is barred from approving it: never a subject holding agent or service
        tokens, and a subject agents act for never gets one. (Creations racing each
        other are caught at sign-in, `Gateway.authenticate`, and by the approval's
        chain, approvals/model.py `counting_votes`.)"""
        if on_behalf_of is not None and self.kinds_of(on_behalf_of) - {PrincipalKind.HUMAN}:
            raise InvalidRequestError(
                f"{on_behalf_of} holds agent or service tokens; an agent acts on behalf of "
                "a human, never another agent or service"
            )
        if kind is not PrincipalKind.HUMAN and self.acted_for(subject):
            raise InvalidRequestError(
                f"agents act on behalf of {subject}, a human; it cannot hold {kind} tokens"
            )

    def _record_refusal(
        self,
        subject: str,
        kind: PrincipalKind,
        on_behalf_of: str | None,
        refused: InvalidRequestError,
        by: Mapping[str, object] | None,
    ) -> None:
        asked = {"subject": subject, "kind": kind.value, "on_behalf_of": on_behalf_of}
        AuditLog(self._db).append(
            "token.refused",
            {"token": asked, "reason": refused.message, "by": dict(by) if by else None},
        )

    def acted_for(self, subject: str) -> bool:
        """Whether any agent token (active or not) was made to act on behalf of
        `subject`'s person, under any of its names."""
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(api_tokens.c.id)
                .where(api_tokens.c.on_behalf_of.in_(sorted(self._people.spellings(subject))))
                .limit(1)
            ).first()
        return row is not None

    @staticmethod
    def acts_for_in(conn: sa.Connection, spellings: Iterable[str]) -> set[str]:
        """Whom the agent tokens (active or not) made out to any of `spellings` (every
        name of one person, `People.spellings`) act on behalf of, read in the caller's
        transaction; and whom each one an OIDC IdP declared an agent acted for."""
        names = frozenset(spellings)
        rows = conn.execute(
            sa.select(api_tokens.c.on_behalf_of)
            .where(
                api_tokens.c.subject.in_(sorted({lookup_form(s) for s in names})),
                api_tokens.c.on_behalf_of.is_not(None),
            )
            .distinct()
        )
        return {str(row.on_behalf_of) for row in rows} | declared.acts_for_in(conn, names)

    def kinds_of(self, subject: str) -> set[PrincipalKind]:
        """The kinds of every token (active or not) ever made out to `subject`'s
        person, under any of its names (an agent's token made out to its CI alias is
        the agent's), and every kind an OIDC IdP declared for it (`declared`)."""
        spellings = self._people.spellings(subject)
        with self._db.read() as conn:
            rows = conn.execute(
                sa.select(api_tokens.c.kind)
                .where(api_tokens.c.subject.in_(sorted(spellings)))
                .distinct()
            )
            return {PrincipalKind(row.kind) for row in rows} | declared.kinds_in(conn, spellings)

    def inactive(self, token_ids: Iterable[str]) -> set[str]:
        """Which of `token_ids` are revoked, expired or gone (one query for many sessions)."""
        wanted = set(token_ids)
        if not wanted:
            return set()
        with self._db.read() as conn:
            return self.inactive_in(conn, wanted)

    @staticmethod
    def inactive_in(conn: sa.Connection, token_ids: Iterable[str]) -> set[str]:
        """`inactive`, read in the caller's transaction: a claim that commits only if
        the token is still active cannot race its revocation."""
        wanted = set(token_ids)
        rows = conn.execute(
            sa.select(api_tokens.c.id, api_tokens.c.revoked_at, api_tokens.c.expires_at).where(
                api_tokens.c.id.in_(wanted)
            )
        ).all()
        now = clock.latest()  # an expiry is judged early by the clock's uncertainty
        active = {
            row.id
            for row in rows
            if row.revoked_at is None and (row.expires_at is None or row.expires_at > now)
        }
        return wanted - active

    def list(self, *, subject: str | None = None) -> list[TokenInfo]:
        query = sa.select(api_tokens).order_by(api_tokens.c.created_at)
        if subject is not None:  # `--as Claims-Bot` finds claims-bot's tokens
            query = query.where(api_tokens.c.subject == lookup_form(subject))
        with self._db.read() as conn:
            return [_info(row) for row in conn.execute(query)]

    def revoke(self, token_id: str, *, by: Mapping[str, object] | None = None) -> TokenInfo:
        """Revoke a token (`token.revoked` on the audit log, in the same transaction);
        revoking one already revoked changes and records nothing."""
        with recorded_or_refused("so the token was not revoked"), self._db.write() as conn:
            result = conn.execute(
                api_tokens.update()
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=clock.now())
            )
            row = conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id)).first()
            if row is not None and result.rowcount == 1:
                AuditLog(self._db).append_in(conn, "token.revoked", _record(_info(row), by))
        if row is None:
            raise NotFoundError(f"no API token with id {token_id}")
        if result.rowcount == 0 and row.revoked_at is None:
            raise NotFoundError(f"no API token with id {token_id}")
        return _info(row)


def _record(info: TokenInfo, by: Mapping[str, object] | None) -> dict[str, object]:
    """What the audit log keeps of a token: whom it lets act, how, until when (never
    the token or its hash)."""
    return {
        "token": {
            "id": info.id,
            "subject": info.subject,
            "kind": info.kind.value,
            "groups": list(info.groups),
            "on_behalf_of": info.on_behalf_of,
            "expires_at": info.expires_at,
            "description": info.description,
        },
        "by": dict(by) if by is not None else None,
    }


def acting_for_non_human(person: str) -> str:
    """The refusal of a credential acting on behalf of an agent or service."""
    return (
        f"the credential acts on behalf of {person}, an agent or service subject; "
        "an agent acts on behalf of a human"
    )


def _check_identity(
    subject: str, kind: PrincipalKind, on_behalf_of: str | None
) -> tuple[str, str | None]:
    """The subject and on-behalf-of in their normal form, or InvalidRequestError."""
    if any(c.isspace() for c in subject.strip()):
        raise InvalidRequestError("subject must be 1-200 characters without spaces")
    try:
        subject = normal_subject(subject)
        on_behalf_of = None if on_behalf_of is None else normal_subject(on_behalf_of)
    except SubjectError as error:
        raise InvalidRequestError(str(error)) from error
    if on_behalf_of is not None and kind is not PrincipalKind.AGENT:
        raise InvalidRequestError("only agent tokens act on behalf of someone")
    if on_behalf_of == subject:
        raise InvalidRequestError("an agent cannot act on behalf of itself")
    return subject, on_behalf_of


def _info(row: sa.Row[tuple[object, ...]]) -> TokenInfo:
    m = row._mapping
    return TokenInfo(
        id=str(m["id"]),
        subject=str(m["subject"]),
        kind=PrincipalKind(m["kind"]),
        groups=tuple(json.loads(str(m["groups"]))),
        on_behalf_of=m["on_behalf_of"],
        created_at=float(m["created_at"]),
        expires_at=m["expires_at"],
        revoked_at=m["revoked_at"],
        description=str(m["description"]),
    )
