"""Reviewer moves that tests of several doors share."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.pgwire.conftest import Wire


async def approve_all(wire: Wire, voter: str = "alice") -> list[dict[str, Any]]:
    """Approve every pending request as `voter`; the SQL and parameters each was bound to."""
    gateway = wire.harness.gateway
    principal = await gateway.authenticate(wire.harness.tokens[voter])
    bound = []
    for approval in await asyncio.to_thread(gateway.list_approvals, state="pending"):
        await gateway.vote(approval.id, principal, "approve")
        record = await asyncio.to_thread(gateway.action, approval.action_id)
        bound.append(dict(record.action.body))
    return bound
