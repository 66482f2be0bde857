"""A small upstream MCP server written with the SDK, for phigate to front in tests and bench.

Its tools and their descriptions live in a mutable dict, so a test can change a
description after phigate first saw it (a tool-poisoning "rug pull"). It records
the Authorization headers it receives, to prove the caller's token never reaches it.

By default it is stateless and does not announce tool changes. `announce=True`
serves stateful sessions and declares `tools.listChanged`; `announce_change()` then
sends `notifications/tools/list_changed` to every session it has served.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.models import InitializationOptions
from mcp.server.session import ServerSession
from starlette.applications import Starlette
from starlette.requests import Request

PATIENT_TEXT = (
    "Patient Margaret Okafor, SSN 536-22-8412, phone (617) 555-0142, "
    "email margaret.okafor@example.com, seen 2024-03-14 for hypertension."
)
INDEX_SSN = "536-22-8471"
UPSTREAM_TOKEN = "upstream-secret-held-by-the-gateway"


def _schema(**props: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": kind} for name, kind in props.items()},
        "required": list(props),
    }


@dataclass
class Upstream:
    descriptions: dict[str, str] = field(
        default_factory=lambda: {
            "lookup_patient": "Look up a patient's chart summary by MRN.",
            "delete_note": "Delete a clinical note by id.",
            "admin_reset": "Reset the whole system.",
        }
    )
    seen_authorization: list[str] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    announce: bool = False
    sessions: list[ServerSession] = field(default_factory=list)

    def schemas(self) -> dict[str, dict[str, Any]]:
        return {
            "lookup_patient": _schema(mrn="string"),
            "delete_note": _schema(note_id="integer"),
            "admin_reset": _schema(),
        }

    def server(self) -> Server[Any]:
        async def list_tools(
            ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
        ) -> types.ListToolsResult:
            self._record(ctx)
            schemas = self.schemas()
            return types.ListToolsResult(
                tools=[
                    types.Tool(name=n, description=d, input_schema=schemas.get(n, _schema()))
                    for n, d in self.descriptions.items()
                ]
            )

        async def call_tool(
            ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
        ) -> types.CallToolResult:
            self._record(ctx)
            arguments = params.arguments or {}
            self.calls.append((params.name, arguments))
            if params.name == "lookup_patient":
                return types.CallToolResult(
                    content=[types.TextContent(text=PATIENT_TEXT)],
                    structured_content={
                        "mrn": arguments.get("mrn"),
                        "summary": PATIENT_TEXT,
                        "visits_by_ssn": {INDEX_SSN: {"visits": 3}},  # an index by identifier
                    },
                )
            if params.name == "lookup_whoami":  # an upstream that shows the credential it got
                return _echo_credential(self.seen_authorization[-1])
            return types.CallToolResult(content=[types.TextContent(text=f"{params.name}: done")])

        kind = _Announcing if self.announce else Server
        return kind("test-upstream", on_list_tools=list_tools, on_call_tool=call_tool)

    def _record(self, ctx: ServerRequestContext[Any]) -> None:
        if isinstance(ctx.request, Request):
            self.seen_authorization.append(ctx.request.headers.get("authorization", ""))
        if self.announce and not any(s is ctx.session for s in self.sessions):
            self.sessions.append(ctx.session)

    def app(self) -> Starlette:
        return self.server().streamable_http_app(stateless_http=not self.announce)

    async def announce_change(self) -> None:
        """Tell every session served so far that the tool list changed."""
        for session in self.sessions:
            await session.send_tool_list_changed()


class _Announcing(Server[Any]):
    """A server that declares `tools.listChanged` in its initialize result."""

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        return super().create_initialization_options(
            notification_options or NotificationOptions(tools_changed=True),
            experimental_capabilities,
            extensions,
        )


def _echo_credential(authorization: str) -> types.CallToolResult:
    """The header as received, its token, the token base64-encoded inside other text,
    and in the forms a server echoes it (`echoed_forms`)."""
    import base64

    token = authorization.removeprefix("Bearer ")
    wrapped = base64.b64encode(f"user:{token}".encode()).decode()
    forms = echoed_forms(token)
    text = f"authorized with {authorization}; basic {wrapped}; " + "; ".join(forms.values())
    return types.CallToolResult(
        content=[types.TextContent(text=text)],
        structured_content={"token": token, "nested": [{"header": authorization}], **forms},
        is_error=False,
    )


def echoed_forms(token: str) -> dict[str, str]:
    """The token percent-encoded (a link), in hex (a request dump), lower-cased, base32."""
    import base64

    return {
        "link": "https://up.example/cb?t=" + "".join(f"%{b:02X}" for b in token.encode()),
        "hex": token.encode().hex(),
        "lower": token.lower(),
        "base32": base64.b32encode(token.encode()).decode(),
    }
