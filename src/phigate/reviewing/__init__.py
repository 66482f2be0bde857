"""What reviewers see of an action, and who may see it: one module, every surface.

It depends on no front door; the console, the chat channels, webhooks, the CLI,
REST and MCP all call it.
"""

from __future__ import annotations

from phigate.reviewing._reveal import Shown, reveal
from phigate.reviewing.sight import Sight, is_requester, sight, visible_approvals
from phigate.reviewing.view import action_json, approval_json, visible_action

__all__ = [
    "Shown",
    "Sight",
    "action_json",
    "approval_json",
    "is_requester",
    "reveal",
    "sight",
    "visible_action",
    "visible_approvals",
]
