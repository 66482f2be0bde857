"""A JSON route without FastAPI's per-request layers, answering as FastAPI would.

FastAPI reads, parses and validates a body and solves a route's dependencies
through several layers of its own on every call: about a tenth of the CPU of a
masked read through `POST /v1/actions` (docs/rest.md, "Performance"). The
ordinary request, a JSON body and no query string, is parsed here as FastAPI
parses it (`json.loads`, then the same pydantic model in the same mode) and
handed to the same code. Anything else (another content type, a query, a body
that does not parse or validate) is handed, with the body already read, to the
FastAPI route itself: every error answer, the audit record of it and the OpenAPI
description stay FastAPI's and the route's own.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

Model = TypeVar("Model", bound=BaseModel)


class PlainJsonRoute(Route, Generic[Model]):
    """`POST route.path` with a body of `model`: `run(request, body)` answers it, or
    `route` when the request is not the ordinary kind. Put it before `route`."""

    def __init__(
        self,
        route: APIRoute,
        model: type[Model],
        run: Callable[[Request, Model], Awaitable[Response]],
    ) -> None:
        super().__init__(route.path, self._answer, methods=["POST"], include_in_schema=False)
        self.app = self._answer  # an ASGI app, not a request-response function
        self._route, self._model, self._run = route, model, run

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await _body(request) if _plain_json(scope) else None
        parsed = self._parsed(body) if body is not None else None
        if parsed is None:  # a body not read (or not all of it) is read there as it comes
            await self._route.handle(scope, _replayed(body, receive), send)
            return
        response = await self._run(request, parsed)
        await response(scope, receive, send)

    def _parsed(self, body: bytes) -> Model | None:
        """The body as FastAPI would validate it, or None for FastAPI to answer."""
        try:
            return self._model.model_validate(json.loads(body))
        except (ValueError, RecursionError, ValidationError):  # ValidationError: a ValueError
            return None


def _plain_json(scope: Scope) -> bool:
    """No query string, and a body declared `application/json`."""
    if scope.get("query_string"):
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json"
    return False


async def _body(request: Request) -> bytes | None:
    """The whole body, or None when the client left before sending it all (FastAPI
    then reads on, meets the same end and answers it its own way)."""
    try:
        return await request.body()
    except ClientDisconnect:
        return None


def _replayed(body: bytes | None, receive: Receive) -> Receive:
    """`receive`, giving first the body this route has already read (if it has)."""
    if body is None:
        return receive
    pending = [body]

    async def replay() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replay
