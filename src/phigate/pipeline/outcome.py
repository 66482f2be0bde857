"""What the pipeline's services hand back to a front door: an `Outcome`, and the
`Decided` a later run of the same statement may reuse."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, assert_never

from phigate.approvals import Approval, ApprovalState
from phigate.core.action_store import ActionRecord, ActionStatus
from phigate.core.actions import Action, Description
from phigate.core.errors import PhigateError
from phigate.policy import Decision

# Hears (seconds waited, the approval as it stands) while a request waits for reviewers.
WaitProgress = Callable[[float, Approval], Awaitable[None]]


class OutcomeStatus(enum.StrEnum):
    """Where a request stands when the pipeline hands it back to a door. The values are
    the `status` strings the REST and MCP answers have always carried."""

    ADMITTED = "admitted"  # recorded and may run now: the door (or `submit`) runs it
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    EXECUTING = "executing"
    EXECUTED = "executed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @classmethod
    def of_action(cls, status: ActionStatus) -> OutcomeStatus:
        """What a door says of an action that stands at `status` in the store."""
        match status:
            case ActionStatus.PENDING_APPROVAL:
                return cls.PENDING_APPROVAL
            case ActionStatus.APPROVED:
                return cls.APPROVED
            case ActionStatus.DENIED:
                return cls.DENIED
            case ActionStatus.EXPIRED:
                return cls.EXPIRED
            case ActionStatus.CANCELLED:
                return cls.CANCELLED
            case ActionStatus.EXECUTING:
                return cls.EXECUTING
            case ActionStatus.EXECUTED:
                return cls.EXECUTED
            case ActionStatus.FAILED:
                return cls.FAILED
            case ActionStatus.INTERRUPTED:
                return cls.INTERRUPTED
            case unreachable:
                assert_never(unreachable)

    @classmethod
    def of_approval(cls, state: ApprovalState) -> OutcomeStatus:
        """What a door says of a request whose approval stands at `state`."""
        match state:
            case ApprovalState.PENDING:
                return cls.PENDING_APPROVAL
            case ApprovalState.APPROVED:
                return cls.APPROVED
            case ApprovalState.DENIED:
                return cls.DENIED
            case ApprovalState.EXPIRED:
                return cls.EXPIRED
            case ApprovalState.CANCELLED:
                return cls.CANCELLED
            case ApprovalState.EXECUTED:
                return cls.EXECUTED
            case unreachable:
                assert_never(unreachable)


@dataclass
class Outcome:
    """What the front door answers: executed (with result), pending, denied or failed."""

    status: OutcomeStatus
    record: ActionRecord
    result: dict[str, Any] | None = None
    approval: Approval | None = None
    error: PhigateError | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # A pending request nobody can decide (no eligible reviewer): said in the answer.
    no_reviewer: str | None = None
    # The decision, when the next run of the same statement may reuse it (`Decided`).
    decided: Decided | None = None

    @property
    def action_id(self) -> str:
        return self.record.id


@dataclass(frozen=True, eq=False)
class Decided:
    """An allow, decided once for one caller's statement text, that its next runs may
    reuse (the wire keeps one per prepared statement) instead of refining and
    deciding again. It holds only while what it rests on cannot have changed: the
    same SQL action apart from its parameters (`key`: connection, text, reveal,
    principal), the same classification handed in (`source`, by identity), the
    same policy object, no rule with a time window, a connector whose
    refinement does not depend on the run (`RefiningConnector.refines_alike`), and
    the same catalog in force (`basis`: no reload since). Every run is still
    recorded, before it runs, with this decision."""

    key: tuple[Any, ...]
    source: Description | None
    policy: object
    description: Description
    decision: Decision
    analysis_json: str  # the description as the action row stores it, serialised once
    # What the connector's refinement rested on (`RefiningConnector.decided_on`: the
    # catalog's generation): a reload since then ends the reuse.
    basis: object = None


def decision_key(action: Action) -> tuple[Any, ...]:
    """What a `Decided` is keyed on: everything that decided it but the parameters."""
    return (
        action.connection,
        action.kind,
        action.sql,
        action.reveal,
        action.principal,
        action.break_glass,
        action.front_door,
    )
