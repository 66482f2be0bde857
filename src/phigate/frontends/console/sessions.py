"""Console sessions: server-side, keyed by an unguessable id in an HttpOnly cookie.

The cookie carries only a random session id; the principal and the CSRF token stay
on the server, so a stolen page cannot forge a vote and a cookie reveals nothing.
Sessions live in this process (a restart signs everyone out, which fails closed).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

from phigate.identity.principal import Principal

COOKIE = "phigate_session"
LOGIN_COOKIE = "phigate_login"  # pre-session: CSRF for the sign-in forms, OIDC state


@dataclass
class Session:
    id: str
    principal: Principal
    csrf: str
    expires_at: float
    signed_in_with: str  # "oidc" | "token" | "demo"


@dataclass
class PendingLogin:
    """Before sign-in: the form CSRF token and, during OIDC, state/nonce/PKCE verifier."""

    id: str
    csrf: str
    expires_at: float
    oidc: dict[str, str] = field(default_factory=dict)


class SessionStore:
    def __init__(self, lifetime_seconds: float, login_seconds: float = 600) -> None:
        self._lifetime = lifetime_seconds
        self._login_lifetime = login_seconds
        self._sessions: dict[str, Session] = {}
        self._logins: dict[str, PendingLogin] = {}
        self._lock = threading.Lock()

    def create(self, principal: Principal, how: str) -> Session:
        session = Session(
            secrets.token_urlsafe(32),
            principal,
            secrets.token_urlsafe(32),
            time.time() + self._lifetime,
            how,
        )
        with self._lock:
            self._prune()
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.expires_at <= time.time():
                del self._sessions[session_id]
                return None
            return session

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def begin_login(self) -> PendingLogin:
        login = PendingLogin(
            secrets.token_urlsafe(24), secrets.token_urlsafe(24), time.time() + self._login_lifetime
        )
        with self._lock:
            self._prune()
            self._logins[login.id] = login
        return login

    def login(self, login_id: str | None) -> PendingLogin | None:
        with self._lock:
            login = self._logins.get(login_id or "")
        if login is None or login.expires_at <= time.time():
            return None
        return login

    def finish_login(self, login_id: str | None) -> None:
        with self._lock:
            self._logins.pop(login_id or "", None)

    def _prune(self) -> None:
        now = time.time()
        for sid in [k for k, s in self._sessions.items() if s.expires_at <= now]:
            del self._sessions[sid]
        for lid in [k for k, v in self._logins.items() if v.expires_at <= now]:
            del self._logins[lid]


def same_token(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())
