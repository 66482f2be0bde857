"""What reviewers see of an action, and who may see it: one module, every surface.

It depends on no front door; the console, the chat channels, webhooks, the CLI,
REST and MCP all call it.
"""

from __future__ import annotations

from phigate.reviewing._reveal import Shown, reveal
from phigate.reviewing.view import Sight, action_json, approval_json, sight

__all__ = ["Shown", "Sight", "action_json", "approval_json", "reveal", "sight"]
