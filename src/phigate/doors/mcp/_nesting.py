"""/mcp's guard against deep nesting, before the SDK's JSON reader sees the message.

The SDK answers a message nested past its reader's own depth with a bare JSON-RPC
parse error and audits nothing; a message nested past MAX_DEPTH but within the
reader's depth would reach the tools. Both are refused here, once, with a JSON-RPC
error naming the limit, and audited like every other refusal. The body is already
capped (`limits.max_body_bytes`, RequestLimits), so holding it to read it is bounded.
"""

from __future__ import annotations

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
        if not text_depth_exceeds(body):
            await self.app(scope, _replay(messages, receive), send)
            return
        client = scope.get("client")
        await self.gateway.audit_refusal(
            "request.invalid",
            PROBLEM,
            client_addr=client[0] if client else None,
            detail={"front_door": "mcp", "path": scope["path"]},
        )
        answer = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": PROBLEM}}
        await JSONResponse(answer, status_code=400)(scope, receive, send)


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
