"""Console sessions: kept in the state store, keyed by an unguessable id in an HttpOnly cookie.

The cookie carries only a random 256-bit id; the principal and the CSRF token stay
on the server, so a stolen page cannot forge a vote and a cookie reveals nothing.
Sessions and sign-ins in progress (the form CSRF token and, during OIDC, state,
nonce and PKCE verifier) live in the shared state store, so any replica serves any
reviewer and a restart signs no one out. The store is the only source of truth
(nothing is cached between requests), so signing out takes effect everywhere at once,
and so does revoking the API token a session was signed in with.

Rows are keyed by an HMAC of the id under a key derived from the gateway's token
key, so a reader of the state store cannot turn a row into a working cookie.

Every ending is audited (`console.session_ended`, with why: signed out, expired, or
its token revoked or expired) in the transaction that deletes the row, and only by
the one that deleted it, so two replicas ending the same session record it once.
`sweep` ends what nobody presents any more (run every `session_sweep_seconds`), so
a revocation is on record within seconds even when the reviewer has gone quiet.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from phigate.core import clock
from phigate.core.action_store import recorded_or_refused
from phigate.identity.principal import Principal, PrincipalKind
from phigate.store import Database
from phigate.store.tables import api_tokens, console_logins, console_sessions

COOKIE = "phigate_session"
LOGIN_COOKIE = "phigate_login"  # pre-session: CSRF for the sign-in forms, OIDC state
_MAX_ID = 128  # longer cookie values are not ours; refuse before hashing
# Appends one audit record inside the caller's transaction (`Gateway.record_event_in`,
# `AuditLog.append_in`), so a session ends in the same commit as its record.
RecordIn = Callable[[sa.Connection, str, Mapping[str, Any]], int]


@dataclass
class Session:
    id: str
    principal: Principal
    csrf: str
    expires_at: float
    signed_in_with: str  # "oidc" | "token" | "demo"
    created_at: float = 0.0


@dataclass
class PendingLogin:
    """Before sign-in: the form CSRF token and, during OIDC, state/nonce/PKCE verifier."""

    id: str
    csrf: str
    expires_at: float
    oidc: dict[str, str] = field(default_factory=dict)


def session_key(token_key: bytes) -> bytes:
    """The key for hashing session ids, derived so it is never the API token key itself."""
    return hmac.new(token_key, b"phigate console session ids", hashlib.sha256).digest()


class SessionStore:
    """Sessions and pending sign-ins in the state store (blocking calls: run off the loop)."""

    def __init__(
        self,
        db: Database,
        key: bytes,
        lifetime_seconds: float,
        login_seconds: float = 600,
        *,
        record_in: RecordIn | None = None,
    ) -> None:
        if len(key) < 16:
            raise ValueError("the session hash key must be at least 16 bytes")
        self._db = db
        self._record_in = record_in
        self._key = key
        self._lifetime = lifetime_seconds
        self._login_lifetime = login_seconds

    def hash_id(self, raw_id: str) -> str:
        return hmac.new(self._key, raw_id.encode(), hashlib.sha256).hexdigest()

    def create(self, principal: Principal, how: str) -> Session:
        """A session of `session_minutes`; one signed in by pasting an access token
        ends when that token does (a code-flow sign-in is the provider's session
        decision, and lives its own minutes)."""
        now = clock.now()
        expires_at = now + self._lifetime
        if how == "token" and principal.valid_until is not None:
            expires_at = min(expires_at, principal.valid_until)
        session = Session(
            id=secrets.token_urlsafe(32),
            principal=principal,
            csrf=secrets.token_urlsafe(32),
            expires_at=expires_at,
            signed_in_with=how,
            created_at=now,
        )
        with recorded_or_refused("so you were not signed in"), self._db.write() as conn:
            self._prune(conn, now)
            conn.execute(
                console_sessions.insert().values(
                    id_hash=self.hash_id(session.id),
                    subject=principal.subject,
                    principal=json.dumps(_principal_json(principal)),
                    csrf=session.csrf,
                    signed_in_with=how,
                    created_at=now,
                    expires_at=session.expires_at,
                )
            )
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session for a cookie value; an expired one is deleted and refused."""
        if not session_id or len(session_id) > _MAX_ID:
            return None
        id_hash = self.hash_id(session_id)
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(console_sessions).where(console_sessions.c.id_hash == id_hash)
            ).first()
            m = row._mapping if row is not None else None
            principal = _principal(json.loads(str(m["principal"]))) if m is not None else None
            credential_ok = m is not None and _credential_active(conn, principal, m)
        if m is None or principal is None:
            return None
        if float(m["expires_at"]) <= clock.latest() or not credential_ok:
            reason = "token_inactive" if not credential_ok else "expired"
            with self._db.write() as conn:
                self._end_rows(conn, [m], reason)
            return None
        return Session(
            session_id,
            principal,
            str(m["csrf"]),
            float(m["expires_at"]),
            str(m["signed_in_with"]),
            float(m["created_at"]),
        )

    def end(self, session_id: str | None) -> None:
        """Sign out: the row goes, so every replica refuses the cookie from now on."""
        if session_id and len(session_id) <= _MAX_ID:
            where = console_sessions.c.id_hash == self.hash_id(session_id)
            with recorded_or_refused("so you were not signed out"), self._db.write() as conn:
                self._end_rows(conn, _rows(conn, where), "signed_out")

    def end_all(self, subject: str) -> int:
        """Sign a person out everywhere; returns how many sessions ended."""
        with recorded_or_refused("so no session was ended"), self._db.write() as conn:
            rows = _rows(conn, console_sessions.c.subject == subject)
            return self._end_rows(conn, rows, "signed_out_everywhere")

    def sweep(self) -> int:
        """End every session that is expired or whose API token is revoked or expired
        (each audited); returns how many ended. Cost: one read of the sessions signed
        in with a token and one primary-key read of each one's token."""
        now = clock.now()
        with self._db.write() as conn:
            ended = self._prune(conn, now)
            tokened = _rows(conn, console_sessions.c.signed_in_with == "token")
            dead = [m for m in tokened if not _credential_active(conn, _principal_of(m), m)]
            return ended + self._end_rows(conn, dead, "token_inactive")

    def _prune(self, conn: sa.Connection, now: float) -> int:
        # Runs with each new session or sign-in, so expired rows never accumulate.
        conn.execute(console_logins.delete().where(console_logins.c.expires_at <= now))
        return self._end_rows(conn, _rows(conn, console_sessions.c.expires_at <= now), "expired")

    def _end_rows(self, conn: sa.Connection, rows: list[Any], reason: str) -> int:
        """Delete each session row and, if this transaction is the one that deleted it,
        record the ending."""
        ended = 0
        for m in rows:
            where = console_sessions.c.id_hash == m["id_hash"]
            if conn.execute(console_sessions.delete().where(where)).rowcount != 1:
                continue  # another replica ended it (and recorded it) first
            ended += 1
            if self._record_in is not None:
                self._record_in(conn, "console.session_ended", _ended(m, reason))
        return ended

    def begin_login(self, oidc: dict[str, str] | None = None) -> PendingLogin:
        now = clock.now()
        login = PendingLogin(
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(24),
            now + self._login_lifetime,
            dict(oidc or {}),
        )
        with self._db.write() as conn:
            self._prune(conn, now)
            conn.execute(
                console_logins.insert().values(
                    id_hash=self.hash_id(login.id),
                    csrf=login.csrf,
                    oidc=json.dumps(login.oidc),
                    created_at=now,
                    expires_at=login.expires_at,
                )
            )
        return login

    def login(self, login_id: str | None) -> PendingLogin | None:
        if not login_id or len(login_id) > _MAX_ID:
            return None
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(console_logins).where(console_logins.c.id_hash == self.hash_id(login_id))
            ).first()
        return _pending(login_id, row)

    def take_login(self, login_id: str | None) -> PendingLogin | None:
        """Read and delete a sign-in at once: an OIDC state can be redeemed only once,
        even when two replicas receive the same callback."""
        if not login_id or len(login_id) > _MAX_ID:
            return None
        id_hash = self.hash_id(login_id)
        with self._db.write() as conn:
            row = conn.execute(
                sa.select(console_logins).where(console_logins.c.id_hash == id_hash)
            ).first()
            gone = conn.execute(console_logins.delete().where(console_logins.c.id_hash == id_hash))
        return _pending(login_id, row) if gone.rowcount == 1 else None

    def finish_login(self, login_id: str | None) -> None:
        if login_id and len(login_id) <= _MAX_ID:
            self._delete(console_logins, self.hash_id(login_id))

    def prune(self) -> None:
        """Delete every expired session and sign-in."""
        with self._db.write() as conn:
            self._prune(conn, clock.now())

    def _delete(self, table: sa.Table, id_hash: str) -> None:
        with self._db.write() as conn:
            conn.execute(table.delete().where(table.c.id_hash == id_hash))


def _rows(conn: sa.Connection, where: Any) -> list[Any]:
    return [row._mapping for row in conn.execute(sa.select(console_sessions).where(where))]


def _principal_of(m: Any) -> Principal | None:
    try:
        return _principal(json.loads(str(m["principal"])))
    except (ValueError, KeyError):
        return None


_WHY = {
    "signed_out": "the reviewer signed out",
    "signed_out_everywhere": "the person was signed out of every console session",
    "expired": "the session reached its session_minutes",
    "token_inactive": "the API token the session signed in with was revoked or has expired",
}


def _ended(m: Any, reason: str) -> dict[str, Any]:
    principal = _principal_of(m)
    return {
        "who": principal.to_json() if principal is not None else {"subject": m["subject"]},
        "why": {"reason": _WHY[reason], "code": reason},
        "how": m["signed_in_with"],
        "token_id": principal.token_id if principal is not None else None,
        "signed_in_at": float(m["created_at"]),
        "where": {"front_door": "console"},
    }


def _pending(login_id: str, row: sa.Row[Any] | None) -> PendingLogin | None:
    if row is None or float(row._mapping["expires_at"]) <= clock.latest():
        return None
    m = row._mapping
    oidc = json.loads(str(m["oidc"]))
    return PendingLogin(login_id, str(m["csrf"]), float(m["expires_at"]), dict(oidc))


def _credential_active(conn: sa.Connection, principal: Principal | None, m: Any) -> bool:
    """A session signed in with an API token lives only while the token does: revoking
    (or the token's expiry) ends it on the next request, on every replica, because the
    token's row is read in the same store transaction as the session's."""
    if principal is None:
        return False
    if m["signed_in_with"] != "token" or principal.authenticated_by != "token":
        return True  # OIDC (code flow, or a pasted access token), demo identities
    if principal.token_id is None:
        return False  # an API-token session that cannot name its token is not trusted
    row = conn.execute(
        sa.select(api_tokens.c.revoked_at, api_tokens.c.expires_at).where(
            api_tokens.c.id == principal.token_id
        )
    ).first()
    return (
        row is not None
        and row.revoked_at is None
        and (row.expires_at is None or float(row.expires_at) > clock.latest())
    )


def _principal_json(principal: Principal) -> dict[str, object]:
    return {
        **principal.to_json(),
        "authenticated_by": principal.authenticated_by,
        "token_id": principal.token_id,
    }


def _principal(data: dict[str, Any]) -> Principal:
    return Principal(
        subject=str(data["subject"]),
        kind=PrincipalKind(data["kind"]),
        groups=frozenset(str(g) for g in data["groups"]),
        on_behalf_of=data.get("on_behalf_of"),
        authenticated_by=str(data.get("authenticated_by", "token")),
        signed_in_as=data.get("signed_in_as"),
        token_id=data.get("token_id"),
    )


def same_token(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())
