"""What leaves the gateway for a chat channel or webhook: the reviewer's view.

It is the console's view (`approval_view`, built on `approval_json`), whose free text
(statement, parameters, reason, comments) is already masked for every reviewer
surface: a literal SSN inside a WHERE clause never reaches Slack.
"""

from __future__ import annotations

from typing import Any

from phigate.approvals import Approval
from phigate.frontends.console.present import approval_view
from phigate.gateway import Gateway


def masked_summary(gateway: Gateway, approval: Approval) -> dict[str, Any]:
    """The approval as external channels see it (blocking: call in a worker thread)."""
    return approval_view(gateway, approval)


_PAST = {"approve": "approved", "deny": "denied"}


def vote_line(vote: dict[str, Any]) -> str:
    """One vote as chat shows it: "alice approved via slack"."""
    return f"{vote['voter']} {_PAST.get(vote['vote'], vote['vote'])} via {vote['channel']}"
