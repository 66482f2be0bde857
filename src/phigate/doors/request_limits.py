"""The HTTP port's outermost gate: who is asking, and how much, before any body is read.

A pure ASGI wrapper (no `BaseHTTPMiddleware`, which buffers), so it sees each
request before FastAPI parses its body:

- every route: a `Content-Length` over `limits.max_body_bytes` is answered 413
  at once, and a body sent without one (chunked) is counted as it arrives and
  cut off with 413 at the cap. Slack, Teams and the console get the same cap:
  their signatures and sessions can only be checked after the body is read.
- `/v1/…` (bearer tokens): the caller is authenticated from the header before
  the body is read; a missing or bad token is 401 and the body is never read.
  The principal is handed to the route in the scope. `/mcp` has its own gate
  with the same rule (`frontends.mcp._auth`), so it only gets the cap here.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phigate.core.digits import ascii_int
from phigate.core.errors import AuthenticationError, PhigateError, RequestTooLargeError
from phigate.pipeline.gateway import Gateway

PRINCIPAL_KEY = "phigate.principal"  # the same key the MCP gate uses
BEARER_PREFIXES = ("/v1/",)
SUBMIT_PATH = "/v1/actions"


class RequestLimits:
    def __init__(self, app: ASGIApp, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway
        self.cap = gateway.settings.limits.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _route_path(scope).startswith(BEARER_PREFIXES):
            try:  # first: a stranger learns nothing, not even the cap
                scope[PRINCIPAL_KEY] = await self._authenticate(scope)
            except AuthenticationError as exc:
                await self._refuse(scope, send, exc)
                return
        declared = _content_length(scope)
        if declared is not None and declared > self.cap:
            await self._refuse(scope, send, self._too_large(declared))
            return
        await self.app(scope, *_Counted(self, scope, receive, send).channels())

    async def _authenticate(self, scope: Scope) -> Any:
        header = _header(scope, b"authorization") or ""
        scheme, _, token = header.partition(" ")
        try:
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthenticationError("send an Authorization: Bearer <token> header")
            return await self.gateway.authenticate(token, rechecked=_submits_actions(scope))
        except AuthenticationError as exc:
            await self._audit(scope, "auth.refused", exc.message)
            raise

    def _too_large(self, size: int | None) -> RequestTooLargeError:
        told = f" ({size} bytes)" if size is not None else ""
        return RequestTooLargeError(
            f"the request body{told} is over limits.max_body_bytes ({self.cap})"
        )

    async def _refuse(self, scope: Scope, send: Send, error: PhigateError) -> None:
        if isinstance(error, RequestTooLargeError):
            await self._audit(scope, "request.too_large", error.message)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, AuthenticationError) else {}
        # The unread body is not drained: the connection is closed after the answer.
        headers["Connection"] = "close"
        body = {"error": {"code": error.code, "message": error.message}}
        response = JSONResponse(body, status_code=error.http_status, headers=headers)
        await response(scope, _nothing, send)

    async def _audit(self, scope: Scope, event: str, reason: str) -> None:
        client = scope.get("client")
        await self.gateway.audit_refusal(
            event,
            reason,
            client_addr=client[0] if client else None,
            detail={"front_door": _front_door(scope["path"]), "path": scope["path"]},
            source=client[0] if client else "unknown",  # anyone can cause it: capped
        )


class _Counted:
    """One request's receive/send, counting body bytes and cutting off at the cap."""

    def __init__(self, gate: RequestLimits, scope: Scope, receive: Receive, send: Send) -> None:
        self.gate, self.scope = gate, scope
        self._receive, self._send = receive, send
        self.received = 0
        self.started = False  # the app began its answer: ours can no longer be sent
        self.refused = False

    def channels(self) -> tuple[Receive, Send]:
        return self.receive, self.send

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.gate.cap:
                await self._cut_off()
                return {"type": "http.disconnect"}  # the app stops reading
        return message

    async def _cut_off(self) -> None:
        self.refused = True
        if not self.started:
            await self.gate._refuse(self.scope, self._send, self.gate._too_large(None))

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # our 413 was the answer
        self.started = True
        await self._send(message)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    if value is None:
        return None
    # The server refuses a malformed length itself; counting still applies.
    return ascii_int(value)


def _submits_actions(scope: Scope) -> bool:
    """`POST /v1/actions`: each use records an action whose transaction re-reads the
    token, so a token seen moments ago may be taken from memory (`Gateway.authenticate`);
    every other route looks it up."""
    return scope["method"] == "POST" and _route_path(scope) == SUBMIT_PATH


def _route_path(scope: Scope) -> str:
    """The path the app routes on: behind a proxy prefix (root_path), without it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _front_door(path: str) -> str:
    if path.startswith("/mcp"):
        return "mcp"
    if path.startswith("/ui"):
        return "console"
    return "rest" if path.startswith("/v1/") else "http"
