"""Bearer authentication for /mcp, as the MCP authorization specification asks.

Every HTTP request to /mcp carries `Authorization: Bearer <token>`, verified by
`gateway.authenticate` (phigate API tokens and OIDC access tokens, exactly as
REST does). OIDC tokens must also name this resource's audience when
`mcp.audience` is set. A missing or bad token gets 401 with a
`WWW-Authenticate` header pointing at the protected-resource metadata
(RFC 9728), which names the authorization server clients should use.
The caller's token is never passed on: upstream systems see the gateway's own
credentials only.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from phigate.core.errors import AuthenticationError
from phigate.doors.mcp.settings import McpSettings
from phigate.identity.principal import Principal
from phigate.pipeline.gateway import Gateway

PRINCIPAL_KEY = "phigate.principal"
METADATA_PATH = "/.well-known/oauth-protected-resource"


def public_base(gateway: Gateway, scope: Scope) -> str:
    """The gateway's public URL: configured, else what this request was addressed to."""
    if gateway.settings.server.public_url:
        return gateway.settings.server.public_url.rstrip("/")
    return str(Request(scope).base_url).rstrip("/")


def resource_metadata(gateway: Gateway, base: str) -> dict[str, Any]:
    """RFC 9728 protected-resource metadata for /mcp."""
    body: dict[str, Any] = {
        "resource": f"{base}/mcp",
        "bearer_methods_supported": ["header"],
        "resource_name": "phigate",
        "resource_documentation": f"{base}/docs",
    }
    oidc = gateway.settings.identity.oidc
    if oidc is not None:
        body["authorization_servers"] = [oidc.issuer]
    return body


def principal_of(scope: Scope) -> Principal:
    principal = scope.get(PRINCIPAL_KEY)
    if not isinstance(principal, Principal):  # the gate always sets it; refuse if not
        raise AuthenticationError("request reached the MCP server unauthenticated")
    return principal


class BearerGate:
    """ASGI wrapper: authenticate, then hand the request (with its principal) to `app`."""

    def __init__(self, app: ASGIApp, gateway: Gateway, settings: McpSettings) -> None:
        self.app = app
        self.gateway = gateway
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        try:
            if token is None:
                raise AuthenticationError("send an Authorization: Bearer <token> header")
            principal = await self.gateway.authenticate(token)
            self._check_audience(token, principal)
        except AuthenticationError as exc:
            client = scope.get("client")
            await self.gateway.audit_refusal(
                "auth.refused",
                exc.message,
                client_addr=f"{client[0]}:{client[1]}" if client else None,
                detail={"front_door": "mcp"},
                source=client[0] if client else "unknown",  # anyone can cause it: capped
            )
            await self._refuse(scope, receive, send, exc, missing=token is None)
            return
        scope[PRINCIPAL_KEY] = principal
        await self.app(scope, receive, send)

    def _check_audience(self, token: str, principal: Principal) -> None:
        """OIDC tokens must be meant for this resource when an MCP audience is configured."""
        wanted = self.settings.audience
        if wanted is None or principal.authenticated_by != "oidc":
            return
        # The signature and the OIDC audience were verified by gateway.authenticate;
        # this reads the already-verified claims for the narrower MCP audience.
        claims = jwt.decode(token, options={"verify_signature": False})
        audience = claims.get("aud")
        values = [audience] if isinstance(audience, str) else list(audience or [])
        if wanted not in values:
            raise AuthenticationError(f"this token is not issued for {wanted} (audience)")

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, exc: AuthenticationError, *, missing: bool
    ) -> None:
        metadata = public_base(self.gateway, scope) + METADATA_PATH
        parts = (
            []
            if missing
            else ['error="invalid_token"', f"error_description={json.dumps(exc.message)}"]
        )
        parts.append(f'resource_metadata="{metadata}"')
        body = {
            "error": "invalid_token" if not missing else "unauthorized",
            "error_description": exc.message,
        }
        response = JSONResponse(
            body, status_code=401, headers={"WWW-Authenticate": "Bearer " + ", ".join(parts)}
        )
        await response(scope, receive, send)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text: str = value.decode("latin-1")
            scheme, _, token = text.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None
