"""What leaves the gateway for a chat channel or webhook: the reviewer's view.

It is the one reviewer's view (`phigate.reviewing.approval_json`), whose free text
(statement, parameters, reason, comments) is already masked and escaped for every
reviewer surface: a literal SSN inside a WHERE clause never reaches Slack, and a
character that looks like a quote is shown as `\\u02bc`.
"""

from __future__ import annotations

from typing import Any

from phigate.approvals import Approval
from phigate.pipeline.gateway import Gateway
from phigate.reviewing.view import approval_json


def masked_summary(gateway: Gateway, approval: Approval) -> dict[str, Any]:
    """The approval as external channels see it (blocking: call in a worker thread)."""
    return approval_json(gateway, approval, contents=True)  # sent to reviewers only


_PAST = {"approve": "approved", "deny": "denied"}


def vote_line(vote: dict[str, Any]) -> str:
    """One vote as chat shows it: "alice approved via slack"."""
    return f"{vote['voter']} {_PAST.get(vote['vote'], vote['vote'])} via {vote['channel']}"
