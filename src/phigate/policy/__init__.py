"""Policy: rules from phigate.yaml and the pure `evaluate(principal, action) -> Decision`."""

from __future__ import annotations

from phigate.policy.break_glass import break_glass_decision
from phigate.policy.engine import Decision, evaluate

__all__ = ["Decision", "break_glass_decision", "evaluate"]
