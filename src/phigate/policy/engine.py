"""Evaluate rules for one action. Pure: no I/O, no clock.

Every matching rule is a candidate; the most restrictive wins: deny over
approve over allow. When approval rules decide, every one of them must be met:
the decision carries each matching rule's requirement (its count of distinct
voters from its groups), the strictest first, and break-glass only when every
one of those rules allows it. No match is a deny. Each decision names its rule
and a human-readable reason.
"""

from __future__ import annotations

import datetime as dt
import enum
import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import assert_never

from phigate.config import ApprovalRequirement, Rule, RuleMatch
from phigate.core.actions import Action, Description
from phigate.identity.principal import Principal, PrincipalKind
from phigate.masking.entities import SECRET_TYPES

_SEVERITY = {"allow": 0, "approve": 1, "deny": 2}
DEFAULT_MASKING = "hipaa-safe-harbor"


class Verdict(enum.StrEnum):
    """What policy says about one action. The values are what the audit log and the
    `actions.decision` column have always held."""

    ALLOW = "allow"
    APPROVE = "approve"
    DENY = "deny"
    # A named human runs an `approve` action at once, reviewed afterwards (break_glass.py).
    BREAK_GLASS = "break_glass"


@dataclass(frozen=True)
class Decision:
    outcome: Verdict
    rule: str | None
    reason: str
    masking: str
    approvals: ApprovalRequirement | None = None  # the strictest requirement
    break_glass: bool = False  # the requester may run at once, reviewed afterwards
    # The other matching approval rules' requirements: each must be met as well.
    also_approvals: tuple[ApprovalRequirement, ...] = ()
    # A matching approval rule that allows no break-glass (named when it is refused).
    break_glass_refused_by: str | None = None

    @property
    def requirements(self) -> tuple[ApprovalRequirement, ...]:
        """Every requirement to meet before the action runs (empty unless approve)."""
        if self.approvals is None:
            return ()
        return (self.approvals, *self.also_approvals)

    def to_json(self) -> dict[str, object]:
        requirements = [_requirement_json(r) for r in self.requirements]
        return {
            "decision": self.outcome,
            "rule": self.rule,
            "reason": self.reason,
            "approvals": requirements[0] if requirements else None,
            "requirements": requirements,
            "masking": self.masking,
            "break_glass": self.break_glass,
        }


def _requirement_json(requirement: ApprovalRequirement) -> dict[str, object]:
    return {
        "count": requirement.count,
        "groups": list(requirement.groups),
        "expires_in": requirement.expires_in,
    }


def _nothing_shown(source: str) -> bool:
    return False


def evaluate(
    rules: Sequence[Rule],
    action: Action,
    description: Description,
    *,
    reveal_approvals: ApprovalRequirement | None = None,
    now: dt.datetime,
    shown_as_stored: Callable[[str], bool] = _nothing_shown,
) -> Decision:
    """The decision for one action asked at `now` (timezone-aware); a rule with a time
    window matches only inside it. The caller supplies the clock, and for rules with
    `predicate_masked` which source columns a caller sees as stored (the masking
    configuration's answer, `phigate.masking.columns.shown_as_stored`); without it
    every column counts as masked."""
    matching = [rule for rule in rules if _matches(rule, action, description, now, shown_as_stored)]
    if not matching:
        return Decision(
            Verdict.DENY,
            None,
            f"no policy rule matches this {description.risk} action "
            f"by {action.principal.subject} on {action.connection}",
            DEFAULT_MASKING,
        )
    winner = max(matching, key=_restrictiveness)
    decision = Decision(
        outcome=Verdict(winner.decision),
        rule=winner.name,
        reason=winner.reason or _default_reason(winner, description),
        masking=winner.masking,
    )
    if winner.decision == "approve":
        decision = _every_approval(decision, winner, matching)
    if action.reveal:
        return _gate_reveal(decision, winner, action, reveal_approvals)
    return decision


def _every_approval(decision: Decision, winner: Rule, matching: Sequence[Rule]) -> Decision:
    """Every matching approval rule speaks: each requirement must be met (the same one
    twice only once), and break-glass needs every one of those rules to allow it."""
    approving = [rule for rule in matching if rule.decision == "approve"]
    ordered = [winner, *(rule for rule in approving if rule is not winner)]
    requirements = tuple(
        dict.fromkeys(rule.approvals for rule in ordered if rule.approvals is not None)
    )
    refused_by = next((rule.name for rule in ordered if not rule.break_glass), None)
    return replace(
        decision,
        approvals=requirements[0] if requirements else None,
        also_approvals=requirements[1:],
        break_glass=refused_by is None,
        break_glass_refused_by=refused_by,
    )


def _gate_reveal(
    decision: Decision, winner: Rule, action: Action, approvals: ApprovalRequirement | None
) -> Decision:
    """Less masking is itself a sensitive action: by default it needs the data owners."""
    requested = set(action.reveal)
    if action.principal.kind is not PrincipalKind.HUMAN and (
        "*" in requested or requested & SECRET_TYPES
    ):
        return replace(
            decision,
            outcome=Verdict.DENY,
            approvals=None,
            also_approvals=(),
            break_glass=False,
            reason="agents and services are never shown secrets or credentials",
        )
    if decision.outcome is not Verdict.ALLOW or winner.match.reveal:
        return decision  # denied, already gated, or a rule that speaks about reveals
    shown = ", ".join(sorted(requested))
    return replace(
        decision,
        outcome=Verdict.APPROVE,
        approvals=approvals or ApprovalRequirement(count=1, groups=("data-owners",)),
        reason=f"revealing {shown} unmasked needs approval (rule {winner.name!r} allows the "
        "action only masked)",
    )


def _restrictiveness(rule: Rule) -> tuple[int, int]:
    count = rule.approvals.count if rule.approvals is not None else 0
    return _SEVERITY[rule.decision], count


def _default_reason(rule: Rule, description: Description) -> str:
    match rule.decision:
        case "allow":
            verb = "allows"
        case "deny":
            verb = "denies"
        case "approve":
            verb = "requires approval for"
        case unreachable:
            assert_never(unreachable)
    text = f"rule {rule.name!r} {verb} {description.risk} actions"
    if description.reasons:
        text += f" ({'; '.join(description.reasons[:3])})"
    return text


def caller_matches(match: RuleMatch, principal: Principal, connection: str) -> bool:
    """The criteria about who asks and where: kind, groups, subject, connection.

    Also what the MCP door uses to list the connections a caller could use, so a
    listing and a decision read a rule alike."""
    return (
        (not match.kinds or principal.kind in match.kinds)
        and (not match.groups or principal.in_any(frozenset(match.groups)))
        and (not match.subjects or principal.subject in match.subjects)
        and (not match.connections or connection in match.connections)
    )


def _matches(
    rule: Rule,
    action: Action,
    description: Description,
    now: dt.datetime,
    shown_as_stored: Callable[[str], bool],
) -> bool:
    match = rule.match
    checks = (
        caller_matches(match, action.principal, action.connection),
        not match.action_kinds or action.kind in match.action_kinds,
        not match.risk or description.risk in match.risk,
        not match.tables or _tables_match(match.tables, description.tables),
        not match.functions or _functions_match(match.functions, description.functions),
        not match.reveal or _reveal_matches(match.reveal, action.reveal),
        not match.predicate_columns
        or _columns_match(match.predicate_columns, description.detail.get("predicate_columns")),
        not match.predicate_masked
        or bool(masked_predicates(description.detail.get("predicate_columns"), shown_as_stored)),
        match.time is None or match.time.contains(now),
    )
    return all(checks)


def masked_predicates(columns: object, shown_as_stored: Callable[[str], bool]) -> list[str]:
    """The columns among an action's conditions whose values the caller would not see
    as stored: a condition on one reads back what masking hides (`WHERE
    encounter_date = '2024-11-23'` when the rows show `2024`)."""
    if not isinstance(columns, list):
        return []
    return [str(c) for c in columns if not shown_as_stored(str(c))]


def _reveal_matches(patterns: Sequence[str], requested: Sequence[str]) -> bool:
    if not requested:
        return False
    return "*" in patterns or not set(patterns).isdisjoint(requested)


def _columns_match(patterns: Sequence[str], columns: object) -> bool:
    """True when a column the action uses matches (`public.patients.ssn`, `*.ssn`).

    A whole row (`public.patients.*`: `(p).ssn`, `p::text`, `to_jsonb(p)`) holds every
    column of its table, so it matches any pattern that could name one of them.
    """
    return bool(columns_matching(patterns, columns))


def columns_matching(patterns: Sequence[str], columns: object) -> list[str]:
    """The columns among `columns` that a rule's `predicate_columns` patterns match:
    what made the rule apply, for reviewers to read."""
    if not isinstance(columns, list):
        return []
    return [str(c) for c in columns if any(_column_matches(str(c), p) for p in patterns)]


def _column_matches(column: str, pattern: str) -> bool:
    if fnmatch.fnmatchcase(column, pattern):
        return True
    if not column.endswith(".*"):
        return False
    table_pattern = pattern.rsplit(".", 1)[0] if "." in pattern else "*"
    return fnmatch.fnmatchcase(column[:-2], table_pattern)


def _functions_match(patterns: Sequence[str], functions: Sequence[str]) -> bool:
    """True when a called function or program matches, by full name or by its last part
    (`pg_catalog.pg_sleep` matches `pg_sleep`; `/usr/bin/kubectl` matches `kubectl`)."""
    for name in functions:
        bare = name.rsplit("/", 1)[-1].rsplit(".", 1)[-1]
        if any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(bare, p) for p in patterns):
            return True
    return False


def _tables_match(patterns: Sequence[str], tables: Sequence[str]) -> bool:
    """True when any touched table matches a pattern (`public.patients`, `*.claims`)."""
    for table in tables:
        bare = table.split(".", 1)[-1]
        if any(fnmatch.fnmatchcase(table, p) or fnmatch.fnmatchcase(bare, p) for p in patterns):
            return True
    return False
