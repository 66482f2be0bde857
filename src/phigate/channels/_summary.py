"""What leaves the gateway for a chat channel or webhook: the reviewer's view, masked.

Starts from the console's view (`approval_view`, built on `approval_json`) and runs
every free-text field (statement, parameters, reason, comments) through the rule's
masking profile: a literal SSN inside a WHERE clause must not reach Slack.
"""

from __future__ import annotations

import json
from typing import Any

from phigate.approvals import Approval
from phigate.frontends.console.present import approval_view
from phigate.gateway import Gateway


def masked_summary(gateway: Gateway, approval: Approval) -> dict[str, Any]:
    """The approval as external channels see it (blocking: call in a worker thread)."""
    view = approval_view(gateway, approval)
    action = view["action"]
    masker = gateway.masking.masker(action["masking"])
    for key in ("text", "pretty", "reason"):
        if isinstance(action.get(key), str):
            action[key] = masker.mask_text(action[key]).text
    if action.get("params"):
        action["params"] = json.loads(masker.mask_text(json.dumps(action["params"])).text)
    for vote in view["votes"]:
        vote["comment"] = masker.mask_text(vote["comment"]).text if vote["comment"] else ""
    return view
