"""Break-glass: a named human runs at once, with a reason, and is reviewed afterwards."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from phigate.core.actions import Action
from phigate.policy.engine import Decision, Verdict


def break_glass_decision(action: Action, decision: Decision) -> Decision:
    """Turn an `approve` into a run-now-review-later, or refuse break-glass with the reason."""
    problem = None
    if not action.principal.is_human:
        problem = "break-glass is for named humans only, never agents or services"
    elif not _says_something(action.reason or ""):
        problem = "break-glass needs a reason"
    elif decision.outcome is Verdict.DENY:
        return decision
    elif not decision.break_glass:
        # Every matching approval rule must allow it: a later rule that holds the same
        # action for review is not skipped because an earlier one allows break-glass.
        rule = decision.break_glass_refused_by or decision.rule
        problem = f"rule {rule!r} does not allow break-glass for this action"
        if decision.outcome is Verdict.APPROVE:
            problem += "; ask without break-glass and it waits for approval"
    if problem is not None:
        return replace(
            decision,
            outcome=Verdict.DENY,
            approvals=None,
            also_approvals=(),
            requirement_rules=(),
            break_glass=False,
            reason=problem,
        )
    return replace(
        decision,
        outcome=Verdict.BREAK_GLASS,
        reason=f"break-glass by {action.principal.subject}: {action.reason}",
    )


def _says_something(reason: str) -> bool:
    """Whether a reason holds a letter or a digit: zero-width, format and combining
    characters pass `.strip()` yet show a reviewer nothing to judge."""
    return any(unicodedata.category(char)[0] in "LN" for char in reason)
