"""The four tools phigate offers agents, as plain async functions over the gateway.

Every data access is one `gateway.submit(Action(front_door="mcp", ...))`: the same
pipeline as REST and the wire proxy. Nothing here approves, denies or changes
policy; an agent can only ask, wait, and check back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phigate.approvals import Approval, ApprovalState
from phigate.connectors.mcp import McpConnector
from phigate.core.actions import Action
from phigate.core.errors import InvalidRequestError, NotFoundError, PhigateError
from phigate.doors.mcp._catalog import describe_connection, usable_connections
from phigate.doors.mcp._render import (
    ToolAnswer,
    denied_answer,
    ended_answer,
    error_answer,
    outcome_answer,
    pending_answer,
)
from phigate.doors.mcp.settings import McpSettings
from phigate.identity.principal import Principal
from phigate.pipeline.gateway import Gateway, Outcome, OutcomeStatus
from phigate.pipeline.nesting import MAX_DEPTH, depth_exceeds
from phigate.reviewing.sight import is_requester

log = logging.getLogger(__name__)

Progress = Callable[[float, float | None, str], Awaitable[None]]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoArgs(_Args):
    pass


class ConnectionArgs(_Args):
    connection: str = Field(
        min_length=1, max_length=200, description="A connection name from list_connections."
    )


class QueryArgs(_Args):
    connection: str = Field(
        min_length=1, max_length=200, description="A connection name from list_connections."
    )
    sql: str = Field(
        min_length=1,
        max_length=1_000_000,
        description="One or more PostgreSQL statements, exactly as they should run.",
    )
    reason: str | None = Field(
        None, max_length=2000, description="Why you need this; shown to reviewers and audited."
    )
    reveal: list[str] | None = Field(
        None,
        max_length=50,
        description="Entity types to see unmasked (e.g. DATE, PERSON). A reveal always needs "
        "a human's approval; secrets and credentials are never revealed to agents.",
    )


class ActionArgs(_Args):
    action_id: str = Field(
        min_length=1, max_length=100, description="The action_id returned by query."
    )


class ToolSpec(BaseModel):
    """A tool as listed to agents: name, description, argument model, read-only hint."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    title: str
    description: str
    args: type[_Args]
    read_only: bool

    def input_schema(self) -> dict[str, Any]:
        return _input_schema(self.args)


@functools.cache
def _input_schema(args: type[_Args]) -> dict[str, Any]:
    """Built once per model: the SDK asks for a called tool's schema on every call."""
    schema = args.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    schema["additionalProperties"] = False
    return schema


TOOLS = (
    ToolSpec(
        name="list_connections",
        title="List connections",
        args=NoArgs,
        read_only=True,
        description="The systems you may use through phigate, with their kind and a "
        "one-line description.",
    ),
    ToolSpec(
        name="describe_connection",
        title="Describe a connection",
        args=ConnectionArgs,
        read_only=True,
        description="Tables and columns of a connection, each column's sensitivity label "
        "and the masking applied to you. Shows no data values.",
    ),
    ToolSpec(
        name="query",
        title="Run SQL through phigate",
        args=QueryArgs,
        read_only=False,
        description="Run SQL on a connection through phigate's policy. Answers masked rows "
        "(PHI replaced by placeholders), or status 'pending_approval' when a "
        "human must approve first: then tell the user, wait, and call "
        "get_action later. Denials come back as errors with the rule and reason.",
    ),
    ToolSpec(
        name="get_action",
        title="Check an action",
        args=ActionArgs,
        read_only=False,
        description="State of an action you submitted. Once approved, runs it (once) and "
        "returns the masked result.",
    ),
)
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}


class AgentTools:
    """The tool implementations for one gateway; the MCP server calls `call`."""

    def __init__(self, gateway: Gateway, settings: McpSettings) -> None:
        self.gateway = gateway
        self.settings = settings

    async def call(
        self,
        name: str,
        arguments: dict[str, Any] | None,
        principal: Principal,
        *,
        progress: Progress,
        client_addr: str | None = None,
    ) -> ToolAnswer:
        """Run one tool; every failure becomes an error answer the model can read."""
        spec = TOOLS_BY_NAME[name]
        if depth_exceeds(arguments):  # /mcp refuses it earlier; stdio reaches here
            problem = f"the arguments nest more than {MAX_DEPTH} levels deep"
            await self.gateway.audit_refusal(
                "request.invalid", problem, client_addr=client_addr, detail={"front_door": "mcp"}
            )
            return error_answer(InvalidRequestError(problem))
        try:
            args = spec.args.model_validate(arguments or {})
        except ValidationError as exc:
            return error_answer(InvalidRequestError(_problems(name, exc)))
        try:
            return await self._dispatch(args, principal, progress, client_addr)
        except PhigateError as exc:
            return error_answer(exc)
        except Exception:  # fail closed, and tell the agent nothing about internals
            log.exception("MCP tool %s failed", name)
            return error_answer(PhigateError("internal error; see the gateway log"))

    async def _dispatch(
        self, args: _Args, principal: Principal, progress: Progress, client_addr: str | None
    ) -> ToolAnswer:
        if isinstance(args, QueryArgs):
            return await self.query(args, principal, progress, client_addr)
        if isinstance(args, ActionArgs):
            return await self.get_action(args.action_id, principal)
        if isinstance(args, ConnectionArgs):
            view = await describe_connection(self.gateway, principal, args.connection)
            return ToolAnswer(view, _describe_text(view))
        connections = usable_connections(self.gateway, principal)
        text = "\n".join(f"- {c['name']} ({c['type']}): {c['description']}" for c in connections)
        return ToolAnswer({"connections": connections}, text or "No connections are open to you.")

    # ── query ───────────────────────────────────────────────────────────────
    async def query(
        self, args: QueryArgs, principal: Principal, progress: Progress, client_addr: str | None
    ) -> ToolAnswer:
        action = Action(
            connection=args.connection,
            kind="sql",
            body={"sql": args.sql, "params": []},
            principal=principal,
            front_door="mcp",
            reason=args.reason,
            client_addr=client_addr,
            reveal=tuple(sorted({t.strip().upper() for t in args.reveal or () if t.strip()})),
        )
        return await self._submit(action, principal, progress)

    async def call_upstream(
        self,
        connector: McpConnector,
        tool: str,
        arguments: dict[str, Any] | None,
        principal: Principal,
        *,
        progress: Progress,
        client_addr: str | None = None,
    ) -> ToolAnswer:
        """An upstream MCP tool call, through the same pipeline as a query."""
        try:
            await connector.tools()  # fresh definitions for describe (cached briefly)
            action = Action(
                connection=connector.name,
                kind="mcp_tool",
                body={"tool": tool, "arguments": arguments or {}},
                principal=principal,
                front_door="mcp",
                client_addr=client_addr,
            )
            return await self._submit(action, principal, progress)
        except PhigateError as exc:
            return error_answer(exc)
        except Exception:
            log.exception("MCP upstream tool %s failed", tool)
            return error_answer(PhigateError("internal error; see the gateway log"))

    async def _submit(self, action: Action, principal: Principal, progress: Progress) -> ToolAnswer:
        outcome = await self.gateway.submit(action)
        # Nobody can decide it: holding the call would only delay saying so.
        held = outcome.status is OutcomeStatus.PENDING_APPROVAL and outcome.no_reviewer is None
        if held and outcome.approval is not None:
            outcome = await self._hold(outcome, outcome.approval, principal, progress)
        return outcome_answer(self.gateway, outcome, text_rows=self.settings.text_rows)

    async def _hold(
        self, outcome: Outcome, approval: Approval, principal: Principal, progress: Progress
    ) -> Outcome:
        """Wait up to `query_wait_seconds` for reviewers, telling the client we are alive."""
        try:
            approval = await self._wait(approval, progress)
        except asyncio.CancelledError:
            # The SDK cancels the call when the client hangs up: say so to reviewers.
            with anyio.CancelScope(shield=True):
                await self._requester_left(approval)
            raise
        if approval.state is ApprovalState.APPROVED:
            return await self.gateway.run_approved(approval.action_id, principal)
        return Outcome(
            outcome.status
            if approval.state is ApprovalState.PENDING
            else OutcomeStatus.of_approval(approval.state),
            outcome.record,
            approval=approval,
        )

    async def _wait(self, approval: Approval, progress: Progress) -> Approval:
        wait = self.settings.query_wait_seconds

        async def alive(waited: float, current: Approval) -> None:
            await progress(waited, wait, _waiting(current))

        return await self.gateway.wait_for_decision(
            approval.id,
            wait,
            progress=alive,
            progress_every=self.settings.progress_interval_seconds,
        )

    async def _requester_left(self, approval: Approval) -> None:
        try:
            await asyncio.to_thread(self.gateway.requester_disconnected, approval.id, "mcp")
        except Exception:
            # Best effort: the request stays pending and bound either way.
            log.exception("could not record that the requester of %s disconnected", approval.id)

    # ── get_action ──────────────────────────────────────────────────────────
    async def get_action(self, action_id: str, principal: Principal) -> ToolAnswer:
        record = await asyncio.to_thread(self.gateway.action, action_id)
        if not is_requester(self.gateway, principal, record):
            # get_action runs the action once approved, so it is the requester's alone
            # (phigate.reviewing decides who else may look); others' ids look unknown.
            raise NotFoundError(f"no action {action_id}")
        await asyncio.to_thread(self.gateway.expire_due)
        record = await asyncio.to_thread(self.gateway.action, action_id)
        approval = await asyncio.to_thread(self.gateway.approval_for_action, action_id)
        if record.status == "approved":
            outcome = await self.gateway.run_approved(action_id, principal)
            return outcome_answer(self.gateway, outcome, text_rows=self.settings.text_rows)
        if approval is not None and approval.state is ApprovalState.PENDING:
            return pending_answer(self.gateway, approval)
        if approval is not None and approval.state in _ENDED:
            return ended_answer(action_id, approval)
        if record.status == "denied":
            return denied_answer(action_id, record.rule, record.decision_reason)
        return _finished_answer(action_id, record.status, record.result_summary)


_ENDED = (ApprovalState.DENIED, ApprovalState.EXPIRED, ApprovalState.CANCELLED)


def _finished_answer(action_id: str, status: str, summary: dict[str, Any] | None) -> ToolAnswer:
    structured = {"status": status, "action_id": action_id, "result_summary": summary}
    if status == "executed":
        text = (
            f"Action {action_id} already ran. Results are returned once, to the call that "
            "ran it; submit the query again if you need the rows."
        )
        return ToolAnswer(structured, text)
    if status == "failed":
        message = (summary or {}).get("error", "the upstream action failed")
        return ToolAnswer(structured, f"Action {action_id} failed: {message}", is_error=True)
    return ToolAnswer(structured, f"Action {action_id} is {status}.")


def _waiting(approval: Approval) -> str:
    return f"waiting for approval: {approval.votes_text}"


def _problems(tool: str, exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "arguments"
        parts.append(f"{where}: {error['msg']}")
    return f"invalid arguments for {tool}: " + "; ".join(parts)


def _describe_text(view: dict[str, Any]) -> str:
    lines = [f"{view['connection']} ({view['type']}): {view.get('description', '')}"]
    for table in view.get("tables", []):
        lines.append(
            f"table {table['name']} — access: {table['access']}, masking profile: "
            f"{table['masking_profile']}"
        )
        for column in table["columns"]:
            lines.append(
                f"  {column['name']} {column['type']}: {column['sensitivity']}; {column['masking']}"
            )
    for tool in view.get("tools", []):
        lines.append(f"tool {tool['name']}: {tool.get('description') or ''}")
    return "\n".join(lines)
