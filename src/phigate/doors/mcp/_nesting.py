"""/mcp's guard against deep nesting and impossible ids, before the SDK reads the message.

The SDK answers a message nested past its reader's own depth with a bare JSON-RPC
parse error and audits nothing; a message nested past MAX_DEPTH but within the
reader's depth would reach the tools. Both are refused here, once, with a JSON-RPC
error naming the limit, and audited like every other refusal. The body is already
capped (`limits.max_body_bytes`, RequestLimits), so holding it to read it is bounded.

A JSON-RPC id is a string, an integer or null. The SDK reads a message whose id is
anything else (`NaN`, which Python's JSON reader takes, `1e400`, `1.5`, `true`) as
no valid request, matches it as a notification instead, and answers 202 with no
body: a `tools/call` neither run, refused nor recorded. Such a message is refused
here as an Invalid Request (-32600, id null, since its id cannot be echoed). An
integer beyond JSON's safe range (2**53 - 1) is refused too: a client reading the
answer as a double could not match it to its request.
"""

from __future__ import annotations

import json

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phigate.pipeline.gateway import Gateway
from phigate.pipeline.nesting import MAX_DEPTH, text_depth_exceeds

PROBLEM = (
    f"the message nests arrays or objects more than {MAX_DEPTH} levels deep; "
    f"phigate accepts at most {MAX_DEPTH}"
)


class NestingGate:
    def __init__(self, app: ASGIApp, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        messages, body = await _read(receive)
        problem = PROBLEM if text_depth_exceeds(body) else _id_problem(body)
        if problem is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        client = scope.get("client")
        await self.gateway.audit_refusal(
            "request.invalid",
            problem,
            client_addr=client[0] if client else None,
            detail={"front_door": "mcp", "path": scope["path"]},
        )
        answer = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": problem}}
        await JSONResponse(answer, status_code=400)(scope, receive, send)


_SAFE_INTEGER = 2**53 - 1
ID_PROBLEM = (
    "the message's id is not a JSON-RPC id: an id is a string, an integer "
    f"within ±{_SAFE_INTEGER}, or null"
)


def _id_problem(body: bytes) -> str | None:
    """ID_PROBLEM when a message of the body has an id no request can have. A body
    that is not JSON is left to the SDK, which answers it with a parse error."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return None
    messages = parsed if isinstance(parsed, list) else [parsed]
    for message in messages:
        if isinstance(message, dict) and "id" in message and not _valid_id(message["id"]):
            return ID_PROBLEM
    return None


def _valid_id(value: object) -> bool:
    if value is None or isinstance(value, str):
        return True
    return type(value) is int and -_SAFE_INTEGER <= value <= _SAFE_INTEGER


async def _read(receive: Receive) -> tuple[list[Message], bytes]:
    """Every message of the request body (a disconnect ends it), and the body."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    return messages, b"".join(m.get("body", b"") for m in messages)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """The messages already read, in order, then the live channel (a disconnect)."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
