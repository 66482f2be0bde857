"""REST front door (FastAPI). OpenAPI at /openapi.json; bearer tokens on every /v1 call."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal, assert_never

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from phigate.approvals import ApprovalState
from phigate.connectors.base import StreamingConnector
from phigate.connectors.exec import exec_body
from phigate.connectors.http import http_body
from phigate.connectors.mcp import McpConnector
from phigate.connectors.mcp_pins import compare_tool, list_pins
from phigate.core import metrics
from phigate.core.action_store import ActionRecord
from phigate.core.actions import Action
from phigate.core.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotAllowedError,
    NotFoundError,
    PhigateError,
)
from phigate.core.limits import off_loop
from phigate.doors._asgi import CountResponses
from phigate.doors._json_values import rest_json, rest_value
from phigate.doors._plain_route import PlainJsonRoute
from phigate.doors.request_limits import PRINCIPAL_KEY
from phigate.identity.principal import Principal
from phigate.pipeline.gateway import Gateway, Outcome, OutcomeStatus
from phigate.pipeline.nesting import MAX_DEPTH
from phigate.reviewing.sight import visible_approvals
from phigate.reviewing.view import approval_url, visible_action, visible_approval

MAX_WAIT_SECONDS = 300
StreamFlag = Annotated[
    bool,
    Query(description="stream the output as NDJSON while it runs (connections that stream)"),
]

_log = logging.getLogger(__name__)


class HttpRequestSpec(BaseModel):
    """An HTTP request for an `http` connection: method and path on its base URL."""

    model_config = ConfigDict(extra="forbid")

    method: str = Field(min_length=1, max_length=16)
    path: str = Field(min_length=1, max_length=8192)
    query: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    body: Any = None


class ActionRequest(BaseModel):
    """Exactly one of `sql` (sql connections), `argv` (exec) or `request` (http)."""

    model_config = ConfigDict(extra="forbid")

    connection: str = Field(min_length=1, max_length=200)
    sql: str | None = Field(None, min_length=1, max_length=1_000_000)
    params: list[Any] | None = None
    argv: list[str] | None = Field(None, min_length=1, max_length=10_000)
    stdin: str | None = Field(None, max_length=10_000_000)
    request: HttpRequestSpec | None = None
    reason: str | None = Field(None, max_length=2000)
    wait: float = Field(0, ge=0, le=MAX_WAIT_SECONDS)
    reveal: list[str] | None = Field(
        None, max_length=50, description="entity types to see unmasked (needs approval)"
    )
    masking: Literal["none"] | None = Field(None, description='"none": reveal every PHI type')
    break_glass: bool = Field(False, description="run now, reviewed afterwards (humans only)")

    def reveal_set(self) -> tuple[str, ...]:
        requested = {t.strip().upper() for t in self.reveal or () if t.strip()}
        if self.masking == "none":
            requested.add("*")
        return tuple(sorted(requested))

    @model_validator(mode="after")
    def _exactly_one(self) -> ActionRequest:
        given = [n for n in ("sql", "argv", "request") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of sql, argv or request")
        if self.params is not None and self.sql is None:
            raise ValueError("params go with sql only")
        if self.stdin is not None and self.argv is None:
            raise ValueError("stdin goes with argv only")
        return self

    def kind_and_body(self) -> tuple[str, dict[str, Any]]:
        if self.argv is not None:
            return "exec", exec_body(self.argv, self.stdin)
        if self.request is not None:
            r = self.request
            return "http", http_body(
                r.method, r.path, query=r.query, headers=r.headers, body=r.body
            )
        return "sql", {"sql": self.sql, "params": self.params or []}


class VoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field("", max_length=2000)


class RepinRequest(BaseModel):
    """Re-pin a changed MCP tool to the upstream definition the admin reviewed."""

    model_config = ConfigDict(extra="forbid")

    digest: str = Field(min_length=64, max_length=64, description="the reviewed upstream digest")
    reason: str = Field(min_length=1, max_length=2000)


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def create_app(gateway: Gateway) -> FastAPI:
    @asynccontextmanager
    async def lifespan(the_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            # Front doors and channels register what must stop with the server.
            for stop in reversed(the_app.state.on_shutdown):
                stop()

    app = FastAPI(
        title="phigate",
        version="0.1.0",
        lifespan=lifespan,
        description="Identity-aware gateway for AI agents on systems holding PHI.",
    )
    app.state.gateway = gateway
    app.state.on_shutdown = []
    _install_error_handlers(app)
    _install_routes(app, gateway)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PhigateError)
    async def _phigate_error(_request: Request, exc: PhigateError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else None
        return JSONResponse(
            error_body(exc.code, exc.message), status_code=exc.http_status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in exc.errors()[:5]
        )
        gateway: Gateway = request.app.state.gateway
        await gateway.audit_refusal(
            "request.invalid",
            problems,
            client_addr=_client(request),
            detail={"front_door": "rest", "path": request.url.path},
        )
        return JSONResponse(error_body("invalid_request", problems), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, RecursionError):  # FastAPI's JSON reader gave up
            return await _too_deep(request)
        return JSONResponse(error_body("http_error", str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The frames and the exception's type only: its message may quote upstream data.
        _log.error(
            "internal error on %s %s: %s\n%s",
            request.method,
            request.url.path,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        return JSONResponse(
            error_body("internal_error", "internal error; see the gateway log"), status_code=500
        )

    app.add_middleware(CountResponses)


async def _too_deep(request: Request) -> JSONResponse:
    """A body nested past what the JSON reader recurses to (far past MAX_DEPTH): the
    same audited 400 as a value admission finds too deep."""
    problem = (
        f"the request's body nests arrays or objects more than {MAX_DEPTH} levels deep; "
        f"phigate accepts at most {MAX_DEPTH}"
    )
    gateway: Gateway = request.app.state.gateway
    await gateway.audit_refusal(
        "request.invalid",
        problem,
        client_addr=_client(request),
        detail={"front_door": "rest", "path": request.url.path},
    )
    return JSONResponse(error_body("invalid_request", problem), status_code=400)


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("send an Authorization: Bearer <token> header")
    return token.strip()


async def authenticated(request: Request) -> Principal:
    """The caller, from the bearer token; every /v1 route depends on it.

    On the served app the `RequestLimits` gate has authenticated the caller before
    the body was read; without it (the bare REST app) the token is checked here.
    """
    gateway: Gateway = request.app.state.gateway
    principal = request.scope.get(PRINCIPAL_KEY)
    if isinstance(principal, Principal):
        return principal
    try:
        return await gateway.authenticate(bearer_token(request))
    except AuthenticationError as exc:
        await gateway.audit_refusal(
            "auth.refused",
            exc.message,
            client_addr=_client(request),
            detail={"front_door": "rest", "path": request.url.path},
            source=_client(request) or "unknown",  # anyone can cause it: capped
        )
        raise


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


Caller = Annotated[Principal, Depends(authenticated)]


def _install_routes(app: FastAPI, gateway: Gateway) -> None:
    @app.post("/v1/actions", responses={200: {}, 202: {}, 403: {}})
    async def submit_action(
        body: ActionRequest, caller: Caller, request: Request, stream: StreamFlag = False
    ) -> Response:
        action = _action_of(body, caller, request)
        if stream and _streams(gateway, action.connection):
            outcome = await gateway.admit(action, wait=body.wait)
            if outcome.status is OutcomeStatus.ADMITTED:
                return await streamed_response(gateway, outcome.record)
            return outcome_response(gateway, outcome)
        outcome = await gateway.submit(action, wait=body.wait)
        return await answer(gateway, outcome)

    async def submit_plain(request: Request, body: ActionRequest) -> Response:
        """`submit_action` for a plain JSON body without a query (so not streamed)."""
        action = _action_of(body, await authenticated(request), request)
        return await answer(gateway, await gateway.submit(action, wait=body.wait))

    _before(app, PlainJsonRoute(_api_route(app, "/v1/actions"), ActionRequest, submit_plain))

    @app.get("/v1/actions/{action_id}")
    async def get_action(action_id: str, caller: Caller) -> dict[str, Any]:
        record = await asyncio.to_thread(gateway.action, action_id)
        approval = await asyncio.to_thread(gateway.approval_for_action, action_id)
        return await asyncio.to_thread(visible_action, gateway, caller, record, approval)

    @app.post("/v1/actions/{action_id}/run")
    async def run_action(action_id: str, caller: Caller, stream: StreamFlag = False) -> Response:
        if stream:
            record = await asyncio.to_thread(gateway.action, action_id)
            if _streams(gateway, record.action.connection):
                claimed = await gateway.claim_approved(action_id, caller)
                return await streamed_response(gateway, claimed.record)
        outcome = await gateway.run_approved(action_id, caller)
        return await answer(gateway, outcome)

    @app.get("/v1/approvals")
    async def list_approvals(caller: Caller, status: str | None = None) -> dict[str, Any]:
        if status is not None and status not in {s.value for s in ApprovalState}:
            raise InvalidRequestError(f"unknown status {status!r}")
        await asyncio.to_thread(gateway.expire_due)
        items = await asyncio.to_thread(gateway.list_approvals, state=status)
        visible = await asyncio.to_thread(visible_approvals, gateway, caller, items)
        return {
            "approvals": [
                await asyncio.to_thread(visible_approval, gateway, caller, a) for a in visible
            ]
        }

    @app.get("/v1/approvals/{approval_id}")
    async def get_approval(approval_id: str, caller: Caller) -> dict[str, Any]:
        approval = await asyncio.to_thread(gateway.approval, approval_id)
        return await asyncio.to_thread(visible_approval, gateway, caller, approval)

    @app.post("/v1/approvals/{approval_id}/approve")
    async def approve(approval_id: str, body: VoteRequest, caller: Caller) -> dict[str, Any]:
        approval = await gateway.vote(approval_id, caller, "approve", comment=body.comment)
        return await asyncio.to_thread(visible_approval, gateway, caller, approval)

    @app.post("/v1/approvals/{approval_id}/deny")
    async def deny(approval_id: str, body: VoteRequest, caller: Caller) -> dict[str, Any]:
        approval = await gateway.vote(approval_id, caller, "deny", comment=body.comment)
        return await asyncio.to_thread(visible_approval, gateway, caller, approval)

    @app.get("/v1/audit")
    async def audit(
        caller: Caller,
        since: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        _require_auditor(gateway, caller)
        records = await asyncio.to_thread(gateway.audit_records, since=since, limit=limit)
        return {"records": records}

    @app.get("/v1/audit/verify")
    async def audit_verify(caller: Caller) -> dict[str, Any]:
        _require_auditor(gateway, caller)
        result = await asyncio.to_thread(gateway.verify_audit)
        return result.to_json()

    _install_tool_pin_routes(app, gateway)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        try:
            await asyncio.to_thread(gateway.audit_head)
        except Exception:
            return JSONResponse(
                {"status": "unavailable", "reason": "state store unreachable"}, status_code=503
            )
        body: dict[str, Any] = {"status": "ready"}
        schema = gateway.db.schema
        if schema is not None and schema.newer:  # an old build inside the window: say so
            body["schema"] = schema.to_json()
        return JSONResponse(body)

    @app.get("/metrics")
    async def metrics_endpoint() -> Response:
        await asyncio.to_thread(_refresh_approval_gauge, gateway)
        return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)


def _action_of(body: ActionRequest, caller: Principal, request: Request) -> Action:
    kind, action_body = body.kind_and_body()
    return Action(
        connection=body.connection,
        kind=kind,
        body=action_body,
        principal=caller,
        front_door="rest",
        reason=body.reason,
        client_addr=_client(request),
        reveal=body.reveal_set(),
        break_glass=body.break_glass,
    )


def _api_route(app: FastAPI, path: str) -> APIRoute:
    return next(r for r in app.router.routes if isinstance(r, APIRoute) and r.path == path)


def _before(app: FastAPI, route: BaseRoute) -> None:
    """`route` is tried before every route added so far (it stands in for one)."""
    app.router.routes.insert(0, route)


# Re-pinning accepts new upstream tool text that agents will read: admins, humans only.
def _require_admin(gateway: Gateway, caller: Principal) -> None:
    if not gateway.is_admin(caller):
        raise NotAllowedError(
            "MCP tool pins are managed by humans in identity.admin_groups "
            f"({', '.join(gateway.settings.identity.admin_groups)})"
        )


def _mcp_connector(gateway: Gateway, name: str) -> McpConnector:
    connector = gateway.connector(name)
    if not isinstance(connector, McpConnector):
        raise NotFoundError(f"no MCP connection {name!r}")
    return connector


def _install_tool_pin_routes(app: FastAPI, gateway: Gateway) -> None:
    """Pinned MCP tool definitions: review (admins, auditors) and re-pin (admins)."""

    @app.get("/v1/connections/{name}/tools")
    async def list_tools(name: str, caller: Caller) -> dict[str, Any]:
        if not gateway.is_auditor(caller):
            _require_admin(gateway, caller)
        pins = await list_pins(_mcp_connector(gateway, name), gateway.db)
        return {"connection": name, "tools": [p.to_json() for p in pins]}

    @app.get("/v1/connections/{name}/tools/{tool}")
    async def show_tool(name: str, tool: str, caller: Caller) -> dict[str, Any]:
        if not gateway.is_auditor(caller):
            _require_admin(gateway, caller)
        comparison = await compare_tool(_mcp_connector(gateway, name), gateway.db, tool)
        return comparison.to_json()

    @app.post("/v1/connections/{name}/tools/{tool}/repin")
    async def repin_tool(
        name: str, tool: str, body: RepinRequest, caller: Caller
    ) -> dict[str, Any]:
        _require_admin(gateway, caller)
        done = await gateway.repin(
            _mcp_connector(gateway, name),
            tool,
            expected_digest=body.digest,
            by={**caller.to_json(), "via": "rest"},
            reason=body.reason,
        )
        return done.to_json()


def _streams(gateway: Gateway, connection: str) -> bool:
    return isinstance(gateway.connector(connection), StreamingConnector)


async def streamed_response(gateway: Gateway, record: ActionRecord) -> StreamingResponse:
    """200 NDJSON: `{"id", "status": "running"}`, the masked output events as they
    come, then the end (`{"status": "executed", "exit_code", …}` or `"failed"`)."""
    events = gateway.stream(record)
    # Started here, not when the body is first read: a client gone before that
    # still ends in a recorded run (closing `events`, even by collection, stops it).
    running = await anext(events)

    async def lines() -> AsyncIterator[bytes]:
        yield _ndjson(running)
        async with contextlib.aclosing(events):
            async for event in events:
                yield _ndjson(event)

    # Proxies (nginx) must pass each line on at once rather than buffer the answer.
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(lines(), media_type="application/x-ndjson", headers=headers)


def _ndjson(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode() + b"\n"


def _require_auditor(gateway: Gateway, caller: Principal) -> None:
    if not gateway.is_auditor(caller):
        groups = ", ".join(gateway.settings.identity.auditor_groups)
        raise NotAllowedError(f"the audit log is for members of {groups}")


def _refresh_approval_gauge(gateway: Gateway) -> None:
    counts = {state.value: 0 for state in ApprovalState}
    for approval in gateway.list_approvals(limit=10_000):
        counts[approval.state.value] += 1
    for state, count in counts.items():
        metrics.APPROVALS.labels(state).set(count)


class ResultResponse(JSONResponse):
    """An executed action's answer. A text that holds a lone surrogate (a PostgreSQL
    json value may: `"\\ud800"`) has no UTF-8 form; the answer is then written with
    every non-ASCII character as a JSON escape, which carries it exactly. Either way
    the answer is valid JSON: the action ran and is recorded, it must not end in 500."""

    def render(self, content: Any) -> bytes:
        return rest_json(content)


async def answer(gateway: Gateway, outcome: Outcome) -> JSONResponse:
    """`outcome_response`; a large result is encoded off the event loop."""
    limits = gateway.settings.limits
    if (outcome.record.result_summary or {}).get("bytes", 0) < limits.inline_mask_bytes:
        return outcome_response(gateway, outcome)
    return await off_loop(limits, outcome_response, gateway, outcome)


def outcome_response(gateway: Gateway, outcome: Outcome) -> JSONResponse:
    """The REST answer for each way a request can end up; a new `OutcomeStatus` is a
    type error here until it has one."""
    record = outcome.record
    match outcome.status:
        case OutcomeStatus.EXECUTED:
            return _executed_response(record, outcome)
        case OutcomeStatus.DENIED:
            return JSONResponse(
                {
                    "id": record.id,
                    "status": "denied",
                    "rule": record.rule,
                    "reason": record.decision_reason,
                },
                status_code=403,
            )
        case OutcomeStatus.FAILED if outcome.error is not None:
            return JSONResponse(
                {
                    "id": record.id,
                    "status": "failed",
                    **error_body(outcome.error.code, outcome.error.message),
                },
                status_code=outcome.error.http_status,
            )
        case (
            OutcomeStatus.ADMITTED
            | OutcomeStatus.PENDING_APPROVAL
            | OutcomeStatus.APPROVED
            | OutcomeStatus.EXPIRED
            | OutcomeStatus.CANCELLED
            | OutcomeStatus.EXECUTING
            | OutcomeStatus.FAILED
            | OutcomeStatus.INTERRUPTED
        ):
            return _review_response(gateway, outcome)
        case unreachable:
            assert_never(unreachable)


def _executed_response(record: ActionRecord, outcome: Outcome) -> JSONResponse:
    body: dict[str, Any] = {
        "id": record.id,
        "status": "executed",
        "result": rest_value(outcome.result),
    }
    if record.decision == "break_glass":
        body["break_glass"] = True
        body["review"] = "reviewers are notified and will judge this access afterwards"
    return ResultResponse(body)


def _review_response(gateway: Gateway, outcome: Outcome) -> JSONResponse:
    """Where the request stands with its reviewers (or just its status, with none)."""
    record = outcome.record
    approval = outcome.approval
    if approval is None:
        return JSONResponse({"id": record.id, "status": outcome.status})
    body = {
        "id": record.id,
        "status": "pending_approval" if approval.state is ApprovalState.PENDING else outcome.status,
        "approval": {
            "id": approval.id,
            "state": approval.state.value,
            "required": approval.required,
            "eligible_groups": list(approval.eligible_groups),
            "requirements": approval.to_json()["requirements"],
            "still_needed": approval.still_needed,
            "expires_at": approval.expires_at,
            "url": approval_url(gateway, approval.id),
        },
    }
    if approval.state is ApprovalState.PENDING:
        if outcome.no_reviewer is not None:
            body["no_reviewer"] = outcome.no_reviewer
        return JSONResponse(body, status_code=202)
    code = 410 if approval.state is ApprovalState.EXPIRED else 403
    body["reason"] = f"the approval request was {approval.state.value}"
    return JSONResponse(body, status_code=code)
