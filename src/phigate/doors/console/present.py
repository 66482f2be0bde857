"""What the console shows of an approval: the reviewer's view of `phigate.reviewing`.

The console adds nothing of its own to what an action looks like, so it cannot show
a reviewer anything other than what Slack, Teams, the CLI or REST show.
"""

from __future__ import annotations

from typing import Any

from phigate.approvals import Approval
from phigate.identity.principal import Principal
from phigate.pipeline.gateway import Gateway
from phigate.reviewing.view import visible_approval


def approval_view(gateway: Gateway, viewer: Principal, approval: Approval) -> dict[str, Any]:
    """The reviewer's view of `approval` as `viewer` may see it (blocking: call in a
    thread): a requester sees the files the action binds by digest only."""
    return visible_approval(gateway, viewer, approval)
