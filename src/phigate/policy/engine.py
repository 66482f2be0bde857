"""Evaluate rules for one action. Pure: no I/O, no clock.

Every matching rule is a candidate; the most restrictive wins: deny over
approve over allow, and among approvals the one needing more people. No match
is a deny. Each decision names its rule and a human-readable reason.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from phigate.actions import Action, Description
from phigate.config import ApprovalRequirement, Rule

_SEVERITY = {"allow": 0, "approve": 1, "deny": 2}
DEFAULT_MASKING = "hipaa-safe-harbor"


@dataclass(frozen=True)
class Decision:
    outcome: str  # "allow" | "deny" | "approve"
    rule: str | None
    reason: str
    masking: str
    approvals: ApprovalRequirement | None = None

    def to_json(self) -> dict[str, object]:
        approvals = None
        if self.approvals is not None:
            approvals = {
                "count": self.approvals.count,
                "groups": list(self.approvals.groups),
                "expires_in": self.approvals.expires_in,
            }
        return {
            "decision": self.outcome,
            "rule": self.rule,
            "reason": self.reason,
            "approvals": approvals,
            "masking": self.masking,
        }


def evaluate(rules: Sequence[Rule], action: Action, description: Description) -> Decision:
    matching = [rule for rule in rules if _matches(rule, action, description)]
    if not matching:
        return Decision(
            "deny",
            None,
            f"no policy rule matches this {description.risk} action "
            f"by {action.principal.subject} on {action.connection}",
            DEFAULT_MASKING,
        )
    winner = max(matching, key=_restrictiveness)
    return Decision(
        outcome=winner.decision,
        rule=winner.name,
        reason=winner.reason or _default_reason(winner, description),
        masking=winner.masking,
        approvals=winner.approvals if winner.decision == "approve" else None,
    )


def _restrictiveness(rule: Rule) -> tuple[int, int]:
    count = rule.approvals.count if rule.approvals is not None else 0
    return _SEVERITY[rule.decision], count


def _default_reason(rule: Rule, description: Description) -> str:
    verb = {"allow": "allows", "deny": "denies", "approve": "requires approval for"}[rule.decision]
    text = f"rule {rule.name!r} {verb} {description.risk} actions"
    if description.reasons:
        text += f" ({'; '.join(description.reasons[:3])})"
    return text


def _matches(rule: Rule, action: Action, description: Description) -> bool:
    match, principal = rule.match, action.principal
    checks = (
        not match.kinds or principal.kind in match.kinds,
        not match.groups or principal.in_any(frozenset(match.groups)),
        not match.subjects or principal.subject in match.subjects,
        not match.connections or action.connection in match.connections,
        not match.action_kinds or action.kind in match.action_kinds,
        not match.risk or description.risk in match.risk,
        not match.tables or _tables_match(match.tables, description.tables),
    )
    return all(checks)


def _tables_match(patterns: Sequence[str], tables: Sequence[str]) -> bool:
    """True when any touched table matches a pattern (`public.patients`, `*.claims`)."""
    for table in tables:
        bare = table.split(".", 1)[-1]
        if any(fnmatch.fnmatchcase(table, p) or fnmatch.fnmatchcase(bare, p) for p in patterns):
            return True
    return False
