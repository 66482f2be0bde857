"""What an agent reads back: outcomes as structured content plus a compact text rendering.

Pure functions from pipeline outcomes to `ToolAnswer`; no SDK types, so the
rendering is testable and shared by every tool. Nothing here sees unmasked
data: results arrive already masked by the connector.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, assert_never

from phigate.approvals import Approval, ApprovalState
from phigate.core.errors import PhigateError
from phigate.pipeline.gateway import Gateway, Outcome, OutcomeStatus
from phigate.reviewing.view import approval_url

_CELL_WIDTH = 40


@dataclass(frozen=True)
class ToolAnswer:
    """A tool result: `structured` for programs, `text` for the model, `is_error` for failures."""

    structured: dict[str, Any]
    text: str
    is_error: bool = False


def error_answer(error: PhigateError, action_id: str | None = None) -> ToolAnswer:
    structured: dict[str, Any] = {"status": "error", "error": error.code, "message": error.message}
    if action_id is not None:
        structured["action_id"] = action_id
    return ToolAnswer(structured, f"Error ({error.code}): {error.message}", is_error=True)


def outcome_answer(gateway: Gateway, outcome: Outcome, *, text_rows: int) -> ToolAnswer:
    """Executed → masked rows; denied/failed/ended → tool error; pending → how to wait."""
    record = outcome.record
    match outcome.status:
        case OutcomeStatus.EXECUTED if record.action.kind == "mcp_tool":
            return upstream_answer(record.id, outcome.result or {})
        case OutcomeStatus.EXECUTED:
            return executed_answer(record.id, outcome.result or {}, text_rows=text_rows)
        case OutcomeStatus.DENIED:
            return denied_answer(record.id, record.rule, record.decision_reason)
        case OutcomeStatus.FAILED if outcome.error is not None:
            return error_answer(outcome.error, record.id)
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
            return _review_answer(gateway, outcome)
        case unreachable:
            assert_never(unreachable)


def _review_answer(gateway: Gateway, outcome: Outcome) -> ToolAnswer:
    """Where the request stands with its reviewers (or just its status, with none)."""
    record = outcome.record
    approval = outcome.approval
    if approval is not None and approval.state is ApprovalState.PENDING:
        return pending_answer(gateway, approval, no_reviewer=outcome.no_reviewer)
    if approval is not None:
        return ended_answer(record.id, approval)
    return ToolAnswer(
        {"status": outcome.status, "action_id": record.id},
        f"Action {record.id} is {outcome.status}.",
    )


def executed_answer(action_id: str, result: dict[str, Any], *, text_rows: int) -> ToolAnswer:
    columns = [str(c) for c in result.get("columns", [])]
    rows = result.get("rows", [])
    structured = {
        "status": "executed",
        "action_id": action_id,
        "columns": columns,
        "rows": rows,
        "row_count": result.get("row_count", len(rows)),
        "truncated": bool(result.get("truncated", False)),
        "masked": result.get("masked", {}),
    }
    return ToolAnswer(
        structured, _summary_line(structured) + "\n" + text_table(columns, rows, limit=text_rows)
    )


def upstream_answer(action_id: str, result: dict[str, Any]) -> ToolAnswer:
    """An upstream MCP tool's masked result: its text blocks and structured content."""
    texts = [str(b.get("text", "")) for b in result.get("content", []) if isinstance(b, dict)]
    structured = result.get("structured")
    if not isinstance(structured, dict):
        structured = {"status": "executed", "action_id": action_id, "content": texts}
    return ToolAnswer(structured, "\n".join(texts), is_error=bool(result.get("is_error")))


def _summary_line(result: dict[str, Any]) -> str:
    masked = result["masked"]
    counts = ", ".join(f"{k}={v}" for k, v in sorted(masked.items())) if masked else "none"
    more = " (truncated by the gateway's row limit)" if result["truncated"] else ""
    return (
        f"{result['row_count']} row(s){more}; values masked by the gateway: {counts}. "
        "Placeholders like [NAME] are masked data, not missing data."
    )


def text_table(columns: list[str], rows: list[Any], *, limit: int) -> str:
    """A compact pipe table; cells shortened, at most `limit` rows."""
    if not columns:
        return "(no result set)"
    lines = [" | ".join(columns), " | ".join("---" for _ in columns)]
    for row in rows[:limit]:
        cells = row if isinstance(row, list) else [row]
        lines.append(" | ".join(_cell(value) for value in cells))
    if len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more row(s) in the structured result")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"


def denied_answer(action_id: str, rule: str | None, reason: str) -> ToolAnswer:
    structured = {"status": "denied", "action_id": action_id, "rule": rule, "reason": reason}
    named = f"rule {rule!r}" if rule else "the gateway (no rule allows it)"
    text = (
        f"Denied by {named}: {reason}. Explain this to the user; do not retry the same "
        "statement, and do not try to work around the policy."
    )
    return ToolAnswer(structured, text, is_error=True)


def pending_answer(
    gateway: Gateway, approval: Approval, *, no_reviewer: str | None = None
) -> ToolAnswer:
    structured = {
        "status": "pending_approval",
        "action_id": approval.action_id,
        "approval_url": approval_url(gateway, approval.id),
        "expires_at": _iso(approval.expires_at),
        "required_approvals": approval.required,
        "approvals_so_far": approval.approvals_so_far,
        "eligible_groups": list(approval.eligible_groups),
        "requirements": approval.to_json()["requirements"],
    }
    needs = "; and ".join(
        f"{need.count} approval(s) from {', '.join(need.groups)}" for need in approval.needs
    )
    text = (
        f"This action needs {needs} before it runs. "
        f"It has NOT run yet. Tell the user it is waiting for review at "
        f"{structured['approval_url']}, then wait and check back by calling get_action with "
        f"action_id {approval.action_id!r} (a minute or more apart). It expires at "
        f"{structured['expires_at']}. Do not submit it again."
    )
    if no_reviewer is not None:
        structured["no_reviewer"] = no_reviewer
        text = f"Warning: {no_reviewer}. Tell the user. {text}"
    return ToolAnswer(structured, text)


def ended_answer(action_id: str, approval: Approval) -> ToolAnswer:
    state = approval.state.value
    structured: dict[str, Any] = {
        "status": state,
        "action_id": action_id,
        "approval_id": approval.id,
    }
    if approval.state is ApprovalState.DENIED:
        voters = ", ".join(v.voter for v in approval.votes if v.vote == "deny") or "a reviewer"
        structured["denied_by"] = [v.voter for v in approval.votes if v.vote == "deny"]
        text = f"A reviewer ({voters}) denied this action; it did not run. Tell the user."
    else:
        text = f"The approval request is {state}; the action did not run."
    return ToolAnswer(structured, text, is_error=True)


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")
