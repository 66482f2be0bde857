"""What reviewers see of an action, and who may see it: one module, every surface.

It depends on no front door; the console, the chat channels, webhooks, the CLI,
REST and MCP all call it. The package itself exports only the escaping rule
(`reveal`), a leaf: connectors render upstream-chosen text with it too, and
importing the views here would import the gateway back.
"""

from __future__ import annotations

from phigate.reviewing._reveal import Shown, reveal

__all__ = ["Shown", "reveal"]
