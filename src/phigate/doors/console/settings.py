"""The `console:` section of phigate.yaml (the reviewer web console at /ui)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ConsoleSettings(BaseModel):
    """How reviewers sign in to the console and how long a session lasts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    # OIDC authorization code + PKCE against identity.oidc; the client is public
    # unless a secret reference (`${ENV}` or `file:/path`) is given.
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: tuple[str, ...] = ("openid", "profile", "email")
    # Paste a phigate API token or OIDC access token to sign in (generic fallback).
    token_sign_in: bool = True
    # `phigate demo` only: one-click sign-in as the demo identities, from loopback only.
    demo_sign_in: bool = False
    session_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60)
    # How often each replica ends (and audits) expired sessions and sessions whose
    # API token was revoked, when nobody presents them (requests check every time).
    session_sweep_seconds: float = Field(default=5.0, gt=0, le=300)
    # "auto": Secure cookies unless the console is served on a loopback address.
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    poll_seconds: float = Field(default=3.0, ge=0.5, le=60)
