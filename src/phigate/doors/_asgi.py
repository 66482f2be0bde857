"""Pure ASGI middlewares of the HTTP app: request counting and the console's wrapping.

Not Starlette's BaseHTTPMiddleware (`@app.middleware("http")`): when a client hangs
up before the answer (an agent whose HTTP client gave up while its request waited
for approval), its `call_next` raises `RuntimeError: No response returned.` and the
server logs a traceback for an ordinary event. These only watch `send`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phigate.core import metrics

# nginx's code for "client closed the request before the answer".
CLIENT_CLOSED = "499"


class CountResponses:
    """`phigate_http_requests_total` by method and answered status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = CLIENT_CLOSED

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            metrics.HTTP_REQUESTS.labels(scope["method"], status).inc()


class PrefixRequests:
    """Under `prefix`: run `before(request)` first (unless under `skip`), and add
    `headers` the answer does not set itself."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        skip: str,
        before: Callable[[Request], Awaitable[None]],
        headers: Mapping[str, str],
    ) -> None:
        self.app, self.prefix, self.skip = app, prefix, skip
        self.before, self.headers = before, headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if not path.startswith(self.skip):
            await self.before(Request(scope, receive))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    answer.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
