"""Compute a period's evidence from the audit log, and nothing else.

One pass over the chain from the genesis: records before the period are read
only to know who asked for an action and which policy was in force; records
after it only for after-the-fact reviews of break-glass uses. The whole chain
is verified with the core's verifier, so the report can say whether what it
counts can be trusted.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from phigate.audit.chain import AuditLog
from phigate.audit.verification import Verification
from phigate.reports import _stats
from phigate.reports.model import (
    DECISION_KINDS,
    TIMELINE_KINDS,
    BreakGlassUse,
    Bucket,
    ChainStatus,
    Evidence,
    PolicyEvidence,
    PolicyVersion,
    RevealUse,
    Review,
    SelfApprovalControl,
    Violation,
)

Progress = Callable[[int], None]
Record = dict[str, Any]
# The moments a report can span: the audit log's timestamps count seconds from 1970,
# and the charts need room past the period's end (a chart of year 9999 draws 10000).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)

REFUSAL_EVENTS = ("auth.refused", "request.invalid", "action.refused")
APPROVAL_STATES = {
    "approved": "approved",
    "denied": "reviewer_denied",
    "expired": "expired",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class _Requester:
    ts: float
    subject: str
    kind: str
    on_behalf_of: str | None


@dataclass
class _Scan:
    """Accumulates one period's counts while the records stream by."""

    start: float
    end: float
    records_in_period: int = 0
    head_seq: int = 0
    head_hash: str | None = None
    requesters: dict[str, _Requester] = field(default_factory=dict)
    by_door: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_risk: Counter[str] = field(default_factory=Counter)
    by_connection: Counter[str] = field(default_factory=Counter)
    results: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_reviewer: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_channel: Counter[str] = field(default_factory=Counter)
    approving_votes: int = 0
    refused_votes: int = 0
    violations: list[Violation] = field(default_factory=list)
    reveals: dict[str, RevealUse] = field(default_factory=dict)
    decided: dict[str, str] = field(default_factory=dict)
    approval_outcomes: dict[str, str] = field(default_factory=dict)  # action id -> state
    approvers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    break_glass: dict[str, BreakGlassUse] = field(default_factory=dict)
    review_approvals: set[str] = field(default_factory=set)
    review_states: dict[str, str] = field(default_factory=dict)
    reviews: dict[str, Review] = field(default_factory=dict)
    masked: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    policy_before: PolicyVersion | None = None
    policy_changes: list[PolicyVersion] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)

    def feed(self, record: Record, digest: str) -> None:
        ts = _float(record.get("ts"))
        event = str(record.get("event", ""))
        if event == "break_glass.reviewed":
            self._review(record, ts)  # reviews count whenever they were made
        if ts > self.end:
            return
        self.head_seq, self.head_hash = _int(record.get("seq")), digest
        if event in ("action.requested", "action.admitted"):
            self._remember_requester(record, ts)
        elif event == "policy.loaded":
            self._policy(record, ts)
        if ts < self.start:
            return
        self.records_in_period += 1
        handler = _HANDLERS.get(event)
        if handler is not None:
            handler(self, record, ts)
        elif event in REFUSAL_EVENTS:
            self.refusals[event] += 1

    # ── actions and decisions ───────────────────────────────────────────────
    def _remember_requester(self, record: Record, ts: float) -> None:
        who = _dict(record.get("who"))
        self.requesters[str(record.get("action_id"))] = _Requester(
            ts, str(who.get("subject", "?")), str(who.get("kind", "?")), _opt(who, "on_behalf_of")
        )

    def _requested(self, record: Record, ts: float) -> None:
        who, where, what = (_dict(record.get(k)) for k in ("who", "where", "what"))
        self.by_door[str(where.get("front_door") or "unknown")] += 1
        self.by_kind[str(who.get("kind") or "unknown")] += 1
        self.by_risk[str(what.get("risk") or "unknown")] += 1
        self.by_connection[str(where.get("connection") or "unknown")] += 1
        reveal = tuple(str(t) for t in what.get("reveal") or ())
        if reveal:
            action_id = str(record.get("action_id"))
            self.reveals[action_id] = RevealUse(
                seq=_int(record.get("seq")),
                ts=ts,
                action_id=action_id,
                subject=str(who.get("subject", "?")),
                kind=str(who.get("kind", "?")),
                on_behalf_of=_opt(who, "on_behalf_of"),
                reveal=reveal,
                reason=_opt(_dict(record.get("why")), "reason"),
                decision=None,
                outcome=None,
            )

    def _admitted(self, record: Record, ts: float) -> None:
        """An action allowed outright: its request and its decision in one record."""
        self._requested(record, ts)
        self._decided(record, ts)

    def _decided(self, record: Record, ts: float) -> None:
        outcome = _DECISIONS.get(str(record.get("decision")), "unknown")
        self.decisions[outcome] += 1
        self.decided[str(record.get("action_id"))] = outcome
        if outcome in TIMELINE_KINDS:
            self.events.append((ts, outcome))

    def _approval_decided(self, record: Record, ts: float) -> None:
        action_id = str(record.get("action_id"))
        if _is_review(record) or record.get("approval_id") in self.review_approvals:
            # Judging a break-glass use after it ran is not a decision on the action.
            self.review_states[action_id] = str(record.get("state"))
            return
        state = APPROVAL_STATES.get(str(record.get("state")), "unknown")
        earlier = self.approval_outcomes.get(action_id)
        if earlier is not None:
            # Decided again (sent back for more votes at run time, or approved and then
            # expired unrun): each request is counted once, by how it ended.
            self.decisions[earlier] -= 1
        self.approval_outcomes[action_id] = state
        self.decisions[state] += 1
        self.decided[action_id] = state
        self.events.append((ts, state))
        requester = self.requesters.get(action_id)
        if requester is not None:
            waited = max(0.0, ts - requester.ts)
            self.durations[state].append(waited)
            self.durations["all"].append(waited)

    def _result(self, record: Record, ts: float) -> None:
        event = str(record.get("event"))
        self.results[event.removeprefix("action.")] += 1
        masked = _dict(_dict(record.get("result")).get("masked"))
        for entity, count in masked.items():
            self.masked[str(entity)] += _int(count)

    # ── reviewers ───────────────────────────────────────────────────────────
    def _vote(self, record: Record, ts: float) -> None:
        who = _dict(record.get("who"))
        voter, vote = str(who.get("subject", "?")), str(record.get("vote", "?"))
        self.by_reviewer[voter][vote] += 1
        self.by_channel[str(record.get("channel") or "unknown")] += 1
        if vote != "approve":
            return
        self.approving_votes += 1
        action_id = str(record.get("action_id"))
        self.approvers[action_id].append(voter)
        problem = _self_approval(who, self.requesters.get(action_id))
        if problem is not None:
            self.violations.append(
                Violation(
                    _int(record.get("seq")),
                    ts,
                    _opt(record, "approval_id"),
                    action_id,
                    voter,
                    problem,
                )
            )

    def _vote_refused(self, record: Record, ts: float) -> None:
        self.refused_votes += 1

    # ── reveals, break-glass, policy ────────────────────────────────────────
    def _break_glass(self, record: Record, ts: float) -> None:
        who = _dict(record.get("who"))
        action_id = str(record.get("action_id"))
        if record.get("approval_id"):
            self.review_approvals.add(str(record.get("approval_id")))
        self.break_glass[action_id] = BreakGlassUse(
            seq=_int(record.get("seq")),
            ts=ts,
            action_id=action_id,
            subject=str(who.get("subject", "?")),
            kind=str(who.get("kind", "?")),
            reveal=tuple(str(t) for t in record.get("reveal") or ()),
            reason=_opt(_dict(record.get("why")), "reason"),
        )

    def _review(self, record: Record, ts: float) -> None:
        who = _dict(record.get("who"))
        self.reviews[str(record.get("action_id"))] = Review(
            ts=ts,
            reviewer=str(who.get("subject", "?")),
            verdict=str(record.get("verdict", "?")),
            comment=_opt(_dict(record.get("why")), "comment"),
            after_period=ts > self.end,
        )

    def _policy(self, record: Record, ts: float) -> None:
        rules = tuple(str(r) for r in record.get("rules") or ())
        previous = self.policy_changes[-1] if self.policy_changes else self.policy_before
        old = set(previous.rules) if previous else set()
        version = PolicyVersion(
            seq=_int(record.get("seq")),
            ts=ts,
            policy_hash=str(record.get("policy_hash", "?")),
            source=_opt(record, "source"),
            rules=rules,
            added=tuple(r for r in rules if r not in old) if previous else (),
            removed=tuple(sorted(old - set(rules))),
        )
        if ts < self.start:
            self.policy_before = version
        elif previous is None or previous.policy_hash != version.policy_hash:
            # A restart with the same policy is not a change.
            self.policy_changes.append(version)


_DECISIONS = {
    "allow": "allowed",
    "deny": "denied",
    "approve": "approval_required",
    "break_glass": "break_glass",
}


def _is_review(record: Record) -> bool:
    return record.get("purpose") == "break_glass_review"


_HANDLERS: dict[str, Callable[[_Scan, Record, float], None]] = {
    "action.requested": _Scan._requested,
    "action.decided": _Scan._decided,
    "action.admitted": _Scan._admitted,
    "approval.decided": _Scan._approval_decided,
    "action.executed": _Scan._result,
    "action.failed": _Scan._result,
    # Left executing by a replica that died; marked by another replica (phigate.ops.replicas).
    "action.interrupted": _Scan._result,
    "approval.vote": _Scan._vote,
    "approval.vote_refused": _Scan._vote_refused,
    "action.break_glass": _Scan._break_glass,
}


def _self_approval(voter: dict[str, Any], requester: _Requester | None) -> str | None:
    """Why an approving vote breaks separation of duties, read from the records alone."""
    if voter.get("kind") != "human":
        return f"approving vote by a {voter.get('kind', 'unknown')} principal, not a human"
    if requester is None:
        return "the request this vote approves is not in the audit log"
    if voter.get("subject") == requester.subject:
        return "the requester approved their own request"
    if requester.on_behalf_of is not None and voter.get("subject") == requester.on_behalf_of:
        return "the person the agent acts for approved the agent's request"
    return None


def build_evidence(
    audit: AuditLog,
    start: datetime,
    end: datetime,
    *,
    policy_hash: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Evidence:
    """The evidence for [start, end] (inclusive), computed from `audit` alone.

    `policy_hash` is the hash of the policy the caller runs now (shown beside the
    log's own `policy.loaded` records); `progress` hears the number of records read.
    """
    scan = _Scan(_aware(start).timestamp(), _aware(end).timestamp())
    for count, (record, digest) in enumerate(_records(audit), start=1):
        scan.feed(record, digest)
        if progress is not None and count % 500 == 0:
            progress(count)
    verification = audit.verify()
    if progress is not None:
        progress(verification.records)
    return _assemble(scan, verification, _aware(start), _aware(end), policy_hash, now)


def _records(audit: AuditLog) -> Iterator[tuple[Record, str]]:
    for body, digest in audit.iter_rows():
        if isinstance(body, bytes):
            continue  # not UTF-8: the verifier names it, as it does a record not JSON
        try:
            record = json.loads(body)
        except json.JSONDecodeError:
            continue  # the verifier names it; the counts skip what cannot be read
        if isinstance(record, dict):
            yield record, digest


def _assemble(
    scan: _Scan,
    verification: Verification,
    start: datetime,
    end: datetime,
    policy_hash: str | None,
    now: datetime | None,
) -> Evidence:
    width = _stats.bucket_width(scan.start, scan.end)
    return Evidence(
        start=start,
        end=end,
        generated_at=now or datetime.now(UTC),
        records_in_period=scan.records_in_period,
        actions_total=sum(scan.by_door.values()),
        actions_by_front_door=_sorted(scan.by_door),
        actions_by_principal_kind=_sorted(scan.by_kind),
        actions_by_risk=_sorted(scan.by_risk),
        actions_by_connection=_sorted(scan.by_connection),
        results=_sorted(scan.results),
        decisions=_decision_counts(scan),
        time_to_decision={k: _stats.timing(v) for k, v in sorted(scan.durations.items())},
        votes_by_reviewer={k: dict(sorted(v.items())) for k, v in sorted(scan.by_reviewer.items())},
        votes_by_channel=_sorted(scan.by_channel),
        self_approval=SelfApprovalControl(
            scan.approving_votes, scan.refused_votes, tuple(scan.violations)
        ),
        reveals=tuple(_with_outcome(scan, use) for use in scan.reveals.values()),
        break_glass=tuple(_with_review(scan, use) for use in scan.break_glass.values()),
        masked=_sorted(scan.masked),
        refusals=_sorted(scan.refusals),
        chain=_chain(scan, verification),
        policy=PolicyEvidence(scan.policy_before, tuple(scan.policy_changes), policy_hash),
        timeline=_timeline(scan, width),
        bucket_seconds=width,
        approval_durations=tuple(scan.durations.get("all", ())),
    )


def _decision_counts(scan: _Scan) -> dict[str, int]:
    counts = {kind: scan.decisions.get(kind, 0) for kind in DECISION_KINDS}
    decided = sum(counts[k] for k in APPROVAL_STATES.values())
    counts["pending"] = max(0, counts["approval_required"] - decided)
    return counts


def _with_outcome(scan: _Scan, use: RevealUse) -> RevealUse:
    outcome = scan.decided.get(use.action_id)
    decision = "approval_required" if outcome in APPROVAL_STATES.values() else outcome
    if use.action_id in scan.break_glass:
        review_state = _with_review(scan, scan.break_glass[use.action_id]).review_state
        decision, outcome = "break_glass", f"ran at once, review {review_state}"
    return replace(
        use, decision=decision, outcome=outcome, approvers=tuple(scan.approvers[use.action_id])
    )


def _with_review(scan: _Scan, use: BreakGlassUse) -> BreakGlassUse:
    review = scan.reviews.get(use.action_id)
    state = review.verdict if review is not None else "pending"
    if review is None and scan.review_states.get(use.action_id) in ("expired", "cancelled"):
        state = "expired"
    return replace(use, review=review, review_state=state)


def _chain(scan: _Scan, verification: Verification) -> ChainStatus:
    bad = verification.first_bad_seq
    return ChainStatus(
        ok=verification.ok,
        records=verification.records,
        first_bad_seq=bad,
        problem=verification.problem,
        head_seq_at_end=scan.head_seq,
        head_hash_at_end=scan.head_hash,
        head_at_end_verified=verification.ok or (bad is not None and scan.head_seq < bad),
    )


def _timeline(scan: _Scan, width: int) -> tuple[Bucket, ...]:
    starts = _stats.bucket_starts(scan.start, scan.end, width)
    buckets = [{kind: 0 for kind in TIMELINE_KINDS} for _ in starts]
    for ts, kind in scan.events:
        index = min(len(starts) - 1, max(0, int((ts - starts[0]) // width)))
        buckets[index][kind] += 1
    return tuple(Bucket(s, c) for s, c in zip(starts, buckets, strict=True))


def _aware(moment: datetime) -> datetime:
    """Naive datetimes are UTC: the audit log's clock is unix time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _opt(mapping: dict[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return None if value is None else str(value)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
