"""Mount the reviewer console at /ui on the gateway's app (one call from doors/app.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from phigate.doors._asgi import PrefixRequests
from phigate.doors.console._auth import install_auth
from phigate.doors.console._pages import install_pages
from phigate.doors.console._sweep import install_sweep
from phigate.doors.console._web import (
    HERE,
    SECURITY_HEADERS,
    Console,
    SignInRequired,
    to_sign_in,
)
from phigate.doors.console.sessions import SessionStore, session_key
from phigate.doors.console.settings import ConsoleSettings
from phigate.pipeline.gateway import Gateway


def console_settings(gateway: Gateway) -> ConsoleSettings:
    value = getattr(gateway.settings, "console", None)
    return value if isinstance(value, ConsoleSettings) else ConsoleSettings()


def install_console(app: FastAPI, gateway: Gateway) -> Console | None:
    settings = console_settings(gateway)
    if not settings.enabled:
        return None
    console = Console(gateway, settings, _session_store(gateway, settings), _templates())
    app.state.console = console
    install_sweep(app, console.sessions, settings.session_sweep_seconds)
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="console-static")
    _install_favicon(app)
    _install_security(app, console)
    install_auth(app, console)
    install_pages(app, console)
    return console


def _install_favicon(app: FastAPI) -> None:
    # Browsers ask for /favicon.ico on every first visit; an SVG answers it (every
    # current browser draws an SVG icon) instead of a 404 in the log.
    @app.get("/favicon.ico", include_in_schema=False)
    async def _favicon() -> Response:
        return FileResponse(
            HERE / "static" / "favicon.svg",
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )


def _session_store(gateway: Gateway, settings: ConsoleSettings) -> SessionStore:
    # Every replica shares the token key (API tokens need it too), so every
    # replica derives the same session key and recognises every session.
    token_key = gateway.settings.secrets.token_hash_key.reveal().encode()
    return SessionStore(
        gateway.db,
        session_key(token_key),
        settings.session_minutes * 60,
        record_in=gateway.record_event_in,
    )


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["when"] = lambda ts: (
        dt.datetime.fromtimestamp(float(ts), dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if ts else ""
    )
    templates.env.filters["pretty_json"] = _pretty_json
    return templates


def _pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def _install_security(app: FastAPI, console: Console) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, exc: SignInRequired) -> Response:
        return to_sign_in(exc.next_path)

    app.add_middleware(
        PrefixRequests,
        prefix="/ui",
        skip="/ui/static",
        before=console.load_session,
        headers=SECURITY_HEADERS,
    )
