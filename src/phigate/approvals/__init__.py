"""Approvals: bound to one stored action, decided by distinct eligible humans, run once."""

from __future__ import annotations

from phigate.approvals.model import Approval, ApprovalState, Ballot, Vote, ineligibility
from phigate.approvals.service import ApprovalEvent, ApprovalListener, ApprovalService

__all__ = [
    "Approval",
    "ApprovalEvent",
    "ApprovalListener",
    "ApprovalService",
    "ApprovalState",
    "Ballot",
    "Vote",
    "ineligibility",
]
