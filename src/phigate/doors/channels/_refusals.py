"""A refused chat callback (forged, replayed, malformed) as an audit record and an answer.

A forged click is someone trying to vote as a reviewer: evidence, like a bad
token at the REST door. But a callback costs its sender nothing, so the records
are capped per source address (`PER_SOURCE` a minute); past the cap the refusal
is still answered and logged, not written, so a flood cannot grow the audit log
without bound. The first refusal past the cap in each minute is written with a
note saying that more follow unrecorded.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from phigate.pipeline.gateway import Gateway

log = logging.getLogger(__name__)

PER_SOURCE = 30
WINDOW_SECONDS = 60.0
_MAX_SOURCES = 10_000


class RefusalAudit:
    """Audits refused callbacks for one channel, at most PER_SOURCE a minute per address."""

    def __init__(self, gateway: Gateway, channel: str) -> None:
        self.gateway = gateway
        self.channel = channel
        self._seen: dict[str, tuple[float, int]] = {}  # source → (window start, count)

    async def refuse(self, request: Request, reason: str, status: int) -> JSONResponse:
        """Record (within the cap) and answer a refused callback."""
        source = request.client.host if request.client else "unknown"
        count = self._count(source)
        if count <= PER_SOURCE + 1:
            detail: dict[str, Any] = {"front_door": self.channel, "path": request.url.path}
            if count == PER_SOURCE + 1:
                detail["note"] = "further refusals from this source this minute are logged only"
            await self.gateway.audit_refusal(
                f"{self.channel}.callback_refused", reason, client_addr=source, detail=detail
            )
        else:
            log.warning(
                "%s callback from %s refused (not audited: over the cap): %s",
                self.channel,
                source,
                reason,
            )
        return JSONResponse({"error": reason}, status_code=status)

    def _count(self, source: str) -> int:
        now = time.monotonic()
        start, count = self._seen.get(source, (now, 0))
        if now - start >= WINDOW_SECONDS:
            start, count = now, 0
        if len(self._seen) >= _MAX_SOURCES and source not in self._seen:
            self._seen = {s: v for s, v in self._seen.items() if now - v[0] < WINDOW_SECONDS}
        self._seen[source] = (start, count + 1)
        return count + 1
