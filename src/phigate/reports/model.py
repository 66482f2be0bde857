"""The evidence for one period, as plain frozen data: what the report shows, and its JSON.

Everything here is computed from the audit log alone (see `phigate.reports.evidence`),
so the same numbers appear in the JSON, the HTML page, the PDF and the console.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

SCHEMA = "phigate.evidence/1"
# The order decisions are listed and charted in; keys of `Evidence.decisions`.
DECISION_KINDS = (
    "allowed",
    "denied",
    "approval_required",
    "break_glass",
    "approved",
    "reviewer_denied",
    "expired",
    "cancelled",
    "pending",
)
# Kinds that happen at a point in time and are drawn in "decisions over time".
TIMELINE_KINDS = (
    "allowed",
    "denied",
    "break_glass",
    "approved",
    "reviewer_denied",
    "expired",
    "cancelled",
)


@dataclass(frozen=True)
class Timing:
    """Seconds from `action.requested` to `approval.decided` (nearest-rank percentiles)."""

    count: int
    median_s: float | None
    p95_s: float | None


@dataclass(frozen=True)
class Violation:
    seq: int
    ts: float
    approval_id: str | None
    action_id: str | None
    voter: str
    reason: str


@dataclass(frozen=True)
class SelfApprovalControl:
    """No approving vote by the requester, the human an agent acts for, or a non-human."""

    approving_votes_checked: int
    refused_attempts: int
    violations: tuple[Violation, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class RevealUse:
    """An action that asked for less masking, and what became of it."""

    seq: int
    ts: float
    action_id: str
    subject: str
    kind: str
    on_behalf_of: str | None
    reveal: tuple[str, ...]
    reason: str | None
    decision: str | None
    outcome: str | None
    approvers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Review:
    ts: float
    reviewer: str
    verdict: str
    comment: str | None
    after_period: bool


@dataclass(frozen=True)
class BreakGlassUse:
    seq: int
    ts: float
    action_id: str
    subject: str
    kind: str
    reveal: tuple[str, ...]
    reason: str | None
    review: Review | None = None
    # pending | justified | unjustified | expired (the review window closed unreviewed)
    review_state: str = "pending"


@dataclass(frozen=True)
class PolicyVersion:
    seq: int
    ts: float
    policy_hash: str
    source: str | None
    rules: tuple[str, ...]
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyEvidence:
    """The policy in force at the period's start, every change during it, and the caller's."""

    in_force_at_start: PolicyVersion | None
    changes: tuple[PolicyVersion, ...]
    current_hash: str | None = None

    @property
    def hashes(self) -> tuple[str, ...]:
        first = (self.in_force_at_start.policy_hash,) if self.in_force_at_start else ()
        return first + tuple(c.policy_hash for c in self.changes)


@dataclass(frozen=True)
class ChainStatus:
    """The whole chain verified from the genesis; the head as it stood at the period's end."""

    ok: bool
    records: int
    first_bad_seq: int | None
    problem: str | None
    head_seq_at_end: int
    head_hash_at_end: str | None
    head_at_end_verified: bool


@dataclass(frozen=True)
class Bucket:
    start: float
    counts: dict[str, int]


@dataclass(frozen=True)
class Evidence:
    start: datetime
    end: datetime
    generated_at: datetime
    records_in_period: int
    actions_total: int
    actions_by_front_door: dict[str, int]
    actions_by_principal_kind: dict[str, int]
    actions_by_risk: dict[str, int]
    actions_by_connection: dict[str, int]
    results: dict[str, int]
    decisions: dict[str, int]
    time_to_decision: dict[str, Timing]
    votes_by_reviewer: dict[str, dict[str, int]]
    votes_by_channel: dict[str, int]
    self_approval: SelfApprovalControl
    reveals: tuple[RevealUse, ...]
    break_glass: tuple[BreakGlassUse, ...]
    masked: dict[str, int]
    refusals: dict[str, int]
    chain: ChainStatus
    policy: PolicyEvidence
    timeline: tuple[Bucket, ...]
    bucket_seconds: int
    approval_durations: tuple[float, ...] = field(default=())

    @property
    def masked_total(self) -> int:
        return sum(self.masked.values())

    @property
    def open_break_glass_reviews(self) -> int:
        """Uses nobody has judged: still pending, or expired without a verdict."""
        return sum(1 for use in self.break_glass if use.review is None)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (schema `phigate.evidence/1`); datetimes are ISO 8601."""
        data = asdict(self)
        for key in ("start", "end", "generated_at"):
            data[key] = getattr(self, key).isoformat()
        data["schema"] = SCHEMA
        data["self_approval"]["passed"] = self.self_approval.passed
        data["policy"]["hashes"] = list(self.policy.hashes)
        data["masked_total"] = self.masked_total
        data["open_break_glass_reviews"] = self.open_break_glass_reviews
        result: dict[str, Any] = _lists(data)
        return result


def _lists(value: Any) -> Any:
    """Tuples become lists so the JSON round-trips to the same structure."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value
