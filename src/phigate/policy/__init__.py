"""Policy: rules from phigate.yaml and the pure `evaluate(principal, action) -> Decision`."""

from __future__ import annotations

from phigate.policy.break_glass import break_glass_decision
from phigate.policy.engine import Decision, Verdict, evaluate

__all__ = ["Decision", "Verdict", "break_glass_decision", "evaluate"]
