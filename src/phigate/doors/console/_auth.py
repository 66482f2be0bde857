"""Console sign-in: OIDC authorization code + PKCE, a pasted token, or the demo identities.

Every way ends in `gateway.authenticate`-equivalent identity (a `Principal`) and a
server-side session; only humans may sign in, since only humans review.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
from typing import Annotated
from urllib.parse import urlencode

import httpx
import jwt
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from phigate.core.errors import AuthenticationError, PhigateError
from phigate.doors.channels._secret import reveal
from phigate.doors.console._web import Console, is_loopback, safe_next
from phigate.doors.console.sessions import (
    COOKIE,
    LOGIN_COOKIE,
    PendingLogin,
    Session,
    same_token,
)
from phigate.identity.principal import Principal, PrincipalKind
from phigate.ops.demo.identities import IDENTITIES

log = logging.getLogger(__name__)


def install_auth(app: FastAPI, console: Console) -> None:
    @app.get("/ui/login", response_class=HTMLResponse)
    async def login_page(request: Request, next: str = "/ui/approvals") -> Response:
        return await _login_form(console, request, next)

    @app.post("/ui/login/token")
    async def login_token(
        request: Request,
        token: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
        next: Annotated[str, Form()] = "",
    ) -> Response:
        if not console.settings.token_sign_in:
            return await _login_form(console, request, next, "Token sign-in is disabled.", 403)
        if await _login_csrf_fails(console, request, csrf):
            return await _login_form(
                console, request, next, "The form expired; please try again.", 403
            )
        try:
            principal = await console.gateway.authenticate(token)
        except PhigateError as exc:
            await _audit_refused(console, request, exc.message)
            return await _login_form(console, request, next, f"Sign-in failed: {exc.message}", 401)
        return await _start_session(console, request, principal, "token", next)

    @app.post("/ui/login/demo")
    async def login_demo(
        request: Request,
        subject: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
        next: Annotated[str, Form()] = "",
    ) -> Response:
        if not demo_allowed(console, request):
            return await _login_form(
                console, request, next, "Demo sign-in is not available here.", 403
            )
        if await _login_csrf_fails(console, request, csrf):
            return await _login_form(
                console, request, next, "The form expired; please try again.", 403
            )
        principal = demo_principals().get(subject)
        if principal is None:
            return await _login_form(console, request, next, "Unknown demo identity.", 400)
        return await _start_session(console, request, principal, "demo", next)

    @app.get("/ui/login/oidc")
    async def login_oidc(request: Request, next: str = "/ui/approvals") -> Response:
        return await _oidc_redirect(console, request, next)

    @app.get("/ui/callback")
    async def oidc_callback(request: Request, code: str = "", state: str = "") -> Response:
        return await _oidc_callback(console, request, code, state)

    @app.post("/ui/logout")
    async def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
        session = console.session_of(request)
        if session is not None and same_token(session.csrf, csrf):
            await asyncio.to_thread(console.sessions.end, session.id)
            console.forget_session(request)
        response = RedirectResponse("/ui/login", status_code=303)
        response.delete_cookie(COOKIE, path="/ui")
        return response


def demo_principals() -> dict[str, Principal]:
    """The human demo identities (agents do not review)."""
    return {
        i.subject: Principal(i.subject, i.kind, frozenset(i.groups), i.on_behalf_of, "demo")
        for i in IDENTITIES
        if i.kind is PrincipalKind.HUMAN
    }


def demo_allowed(console: Console, request: Request) -> bool:
    # Demo identities need no credential, so they are offered only to the machine itself.
    client = request.client.host if request.client else ""
    return console.settings.demo_sign_in and is_loopback(client)


def oidc_enabled(console: Console) -> bool:
    return (
        console.gateway.settings.identity.oidc is not None
        and console.settings.oidc_client_id is not None
    )


async def _login_form(
    console: Console, request: Request, next_path: str, error: str = "", status: int = 200
) -> Response:
    login = await asyncio.to_thread(_current_login, console, request)
    response = console.render(
        request,
        "login.html",
        {
            "csrf": login.csrf,
            "next": safe_next(next_path),
            "error": error,
            "oidc": oidc_enabled(console),
            "token_sign_in": console.settings.token_sign_in,
            "demo": sorted(demo_principals().values(), key=lambda p: p.subject)
            if demo_allowed(console, request)
            else [],
        },
        status_code=status,
    )
    console.set_cookie(request, response, LOGIN_COOKIE, login.id, max_age=600)
    return response


def _current_login(console: Console, request: Request) -> PendingLogin:
    sessions = console.sessions
    return sessions.login(request.cookies.get(LOGIN_COOKIE)) or sessions.begin_login()


async def _login_csrf_fails(console: Console, request: Request, csrf: str) -> bool:
    login = await asyncio.to_thread(console.sessions.login, request.cookies.get(LOGIN_COOKIE))
    return login is None or not same_token(login.csrf, csrf)


async def _start_session(
    console: Console, request: Request, principal: Principal, how: str, next_path: str
) -> Response:
    if not principal.is_human:
        return await _login_form(
            console,
            request,
            next_path,
            f"{principal.kind} identities cannot use the reviewer console.",
            403,
        )
    session = await asyncio.to_thread(_open_session, console, request, principal, how)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    console.set_cookie(
        request, response, COOKIE, session.id, max_age=console.settings.session_minutes * 60
    )
    response.delete_cookie(LOGIN_COOKIE, path="/ui")
    return response


async def _audit_refused(console: Console, request: Request, reason: str) -> None:
    """A refused sign-in, audited like a bad token at any other door (capped per
    source address: anyone can cause it)."""
    host = request.client.host if request.client else None
    await console.gateway.audit_refusal(
        "auth.refused",
        reason,
        client_addr=host,
        detail={"front_door": "console", "path": request.url.path},
        source=host or "unknown",
    )


def _open_session(console: Console, request: Request, principal: Principal, how: str) -> Session:
    console.sessions.finish_login(request.cookies.get(LOGIN_COOKIE))
    session = console.sessions.create(principal, how)
    console.gateway.record_event(
        "console.signed_in",
        {
            "who": principal.to_json(),
            "how": how,
            "where": {"client_addr": request.client.host if request.client else None},
        },
    )
    return session


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def redirect_uri(console: Console, request: Request) -> str:
    public = console.gateway.settings.server.public_url
    base = public.rstrip("/") if public else str(request.base_url).rstrip("/")
    return f"{base}/ui/callback"


async def _oidc_redirect(console: Console, request: Request, next_path: str) -> Response:
    if not oidc_enabled(console) or console.gateway.oidc is None:
        return await _login_form(
            console, request, next_path, "OIDC sign-in is not configured.", 404
        )
    try:
        discovery = await console.gateway.oidc.discovery()
    except PhigateError as exc:
        return await _login_form(
            console, request, next_path, f"Identity provider: {exc.message}", 502
        )
    verifier, challenge = _pkce_pair()
    oidc = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": verifier,
        "next": safe_next(next_path),
        "redirect_uri": redirect_uri(console, request),
    }
    login = await asyncio.to_thread(_fresh_login, console, request, oidc)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": console.settings.oidc_client_id,
            "redirect_uri": login.oidc["redirect_uri"],
            "scope": " ".join(console.settings.oidc_scopes),
            "state": login.oidc["state"],
            "nonce": login.oidc["nonce"],
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    response = RedirectResponse(f"{discovery['authorization_endpoint']}?{query}", status_code=303)
    console.set_cookie(request, response, LOGIN_COOKIE, login.id, max_age=600)
    return response


def _fresh_login(console: Console, request: Request, oidc: dict[str, str]) -> PendingLogin:
    # A new sign-in id for every OIDC attempt: the state travels with a cookie value
    # that was never shown before this redirect.
    console.sessions.finish_login(request.cookies.get(LOGIN_COOKIE))
    return console.sessions.begin_login(oidc)


async def _oidc_callback(console: Console, request: Request, code: str, state: str) -> Response:
    login = await asyncio.to_thread(_matching_login, console, request, code, state)
    if login is None:
        return await _login_form(
            console,
            request,
            "/ui/approvals",
            "Sign-in could not be completed (state mismatch); please try again.",
            400,
        )
    try:
        principal = await _redeem(console, login, code)
    except AuthenticationError as exc:
        await _audit_refused(console, request, exc.message)
        return await _login_form(
            console, request, login.oidc["next"], f"Sign-in failed: {exc.message}", 401
        )
    return await _start_session(console, request, principal, "oidc", login.oidc["next"])


def _matching_login(
    console: Console, request: Request, code: str, state: str
) -> PendingLogin | None:
    """The sign-in this callback completes, taken (read and deleted in one transaction) so
    a state is redeemed once across all replicas. A wrong state leaves it in place, so a
    forged callback cannot abort a reviewer's sign-in."""
    login_id = request.cookies.get(LOGIN_COOKIE)
    login = console.sessions.login(login_id)
    if login is None or not login.oidc or not code or not same_token(login.oidc["state"], state):
        return None
    return console.sessions.take_login(login_id)


async def _redeem(console: Console, login: PendingLogin, code: str) -> Principal:
    """Code + PKCE verifier → tokens (back channel) → principal from the access token."""
    assert console.gateway.oidc is not None
    discovery = await console.gateway.oidc.discovery()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": login.oidc["redirect_uri"],
        "code_verifier": login.oidc["verifier"],
        "client_id": console.settings.oidc_client_id or "",
    }
    if console.settings.oidc_client_secret:
        form["client_secret"] = reveal(console.settings.oidc_client_secret)
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        try:
            answer = await client.post(str(discovery["token_endpoint"]), data=form)
        except httpx.HTTPError as exc:
            raise AuthenticationError(f"token endpoint unreachable: {type(exc).__name__}") from exc
    if answer.status_code != 200:
        raise AuthenticationError(f"the identity provider refused the code ({answer.status_code})")
    tokens = answer.json()
    _check_nonce(tokens.get("id_token"), login.oidc["nonce"])
    principal = await console.gateway.authenticate(str(tokens.get("access_token", "")))
    return principal


def _check_nonce(id_token: object, nonce: str) -> None:
    # The ID token came straight from the token endpoint over the back channel
    # (OIDC Core 3.1.3.7), so its claims are read for the nonce binding; the
    # access token, which carries identity, is fully verified by the gateway.
    if not isinstance(id_token, str):
        return
    try:
        claims = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AuthenticationError("the ID token is malformed") from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise AuthenticationError("the ID token does not carry this sign-in's nonce")
