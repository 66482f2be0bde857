"""A refused chat callback (forged, replayed, malformed) as an audit record and an answer.

A forged click is someone trying to vote as a reviewer: evidence, like a bad
token at the REST door. But a callback costs its sender nothing, so the records
are capped per source address like every refusal before authentication
(phigate.pipeline.floods): the first few a minute in full, the rest counted in one
`refusals.counted` record, so a flood is accounted for without growing the audit
log without bound. The refusal is answered the same either way.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from phigate.pipeline.gateway import Gateway


class RefusalAudit:
    """Audits refused callbacks for one channel, capped per source address."""

    def __init__(self, gateway: Gateway, channel: str) -> None:
        self.gateway = gateway
        self.channel = channel

    async def refuse(self, request: Request, reason: str, status: int) -> JSONResponse:
        """Record (or count) and answer a refused callback."""
        await self.record(source_of(request), reason, request.url.path)
        return JSONResponse({"error": reason}, status_code=status)

    async def record(
        self, source: str, reason: str, path: str, about: dict[str, str] | None = None
    ) -> None:
        """Record (or count) a refused callback answered in the channel's own shape (a
        card, a Socket Mode acknowledgement); `about`: who sent it and what it named."""
        await self.gateway.audit_refusal(
            f"{self.channel}.callback_refused",
            reason,
            client_addr=source,
            detail={**(about or {}), "front_door": self.channel, "path": path},
            source=source,
        )


def source_of(request: Request) -> str:
    """Where a callback came from (its peer address), for the refusal caps."""
    return request.client.host if request.client else "unknown"
