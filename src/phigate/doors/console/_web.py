"""Shared plumbing of the console: templates, the signed-in reviewer, cookies, headers."""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from phigate.doors.console.sessions import COOKIE, Session, SessionStore
from phigate.doors.console.settings import ConsoleSettings
from phigate.pipeline.gateway import Gateway

HERE = Path(__file__).parent
# Only same-origin script/style, no inline code, no framing: a hostile page can
# neither run code in the console nor overlay it to steal a click.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}


_STATE = "phigate_console_session"
_UNSET = object()


class SignInRequired(Exception):
    """Raised by `reviewer()`; the console answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass
class Console:
    gateway: Gateway
    settings: ConsoleSettings
    sessions: SessionStore
    templates: Jinja2Templates

    def render(
        self, request: Request, name: str, context: dict[str, Any], status_code: int = 200
    ) -> HTMLResponse:
        session = self.session_of(request)
        base = {
            "session": session,
            "me": session.principal if session else None,
            # Links to pages that would answer 403 are not shown (the pages still check).
            "auditor": session is not None and self.gateway.is_auditor(session.principal),
            "poll_seconds": self.settings.poll_seconds,
        }
        return self.templates.TemplateResponse(
            request, name, {**base, **context}, status_code=status_code
        )

    def session_of(self, request: Request) -> Session | None:
        """The request's session, looked up in the state store once per request."""
        cached = getattr(request.state, _STATE, _UNSET)
        if cached is _UNSET:
            cached = self.sessions.get(request.cookies.get(COOKIE))
            setattr(request.state, _STATE, cached)
        return cached if isinstance(cached, Session) else None

    async def load_session(self, request: Request) -> None:
        """Look the session up off the event loop, before the page asks for it."""
        cookie = request.cookies.get(COOKIE)
        found = await asyncio.to_thread(self.sessions.get, cookie) if cookie else None
        setattr(request.state, _STATE, found)

    def forget_session(self, request: Request) -> None:
        setattr(request.state, _STATE, None)

    def reviewer(self, request: Request) -> Session:
        session = self.session_of(request)
        if session is None:
            raise SignInRequired(request.url.path)
        return session

    def set_cookie(
        self, request: Request, response: Response, name: str, value: str, max_age: int
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/ui",
            httponly=True,
            secure=self.secure(request),
            samesite="strict",
        )

    def secure(self, request: Request) -> bool:
        if self.settings.secure_cookies != "auto":
            return self.settings.secure_cookies == "always"
        return not is_loopback(request.url.hostname or "")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_next(path: str | None) -> str:
    """Only console paths: an open redirect after sign-in would hand a session to a phisher."""
    if path and path.startswith("/ui/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/ui/approvals"


def to_sign_in(next_path: str) -> RedirectResponse:
    return RedirectResponse(f"/ui/login?next={quote(safe_next(next_path))}", status_code=303)
