"""API tokens seen in the last few seconds, for a door whose every use is re-checked.

Looking a token up in the state store costs a hand-off to a worker thread per
request, which on a busy host costs more than the lookup itself. A door that
records each request before anything of it happens (`POST /v1/actions`) may take
the principal of a token seen moments ago from here instead, because the
transaction that records its action reads the token's state again
(`Principal.token_rechecked`): a token revoked on any replica refuses the next
action at once, cache or not. Nothing else is served from here.

Entries are keyed by the token's keyed hash (never the token), live
`RECENT_SECONDS`, and there are at most `MAX_RECENT`; an entry is never served
past the token's own expiry.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from phigate.core import clock
from phigate.identity.principal import Principal

RECENT_SECONDS = 30.0
MAX_RECENT = 1024


@dataclass(frozen=True)
class _Seen:
    principal: Principal
    token_expires_at: float | None  # the token's expiry, on the state clock
    forget_at: float  # monotonic


class RecentTokens:
    """Principals by token hash, bounded in number and age."""

    def __init__(self, seconds: float = RECENT_SECONDS, size: int = MAX_RECENT) -> None:
        self._seconds = seconds
        self._size = size
        self._seen: OrderedDict[str, _Seen] = OrderedDict()
        self._lock = threading.Lock()  # filled from worker threads, read on the loop

    def get(self, key: str) -> Principal | None:
        """The principal seen for `key`, unless it is too old or its token expired."""
        with self._lock:
            seen = self._seen.get(key)
        if seen is None:
            return None
        expired = seen.token_expires_at is not None and seen.token_expires_at <= clock.latest()
        if expired or seen.forget_at <= time.monotonic():
            self.forget(key)
            return None
        return seen.principal

    def put(self, key: str, principal: Principal, token_expires_at: float | None) -> None:
        seen = _Seen(principal, token_expires_at, time.monotonic() + self._seconds)
        with self._lock:
            self._seen[key] = seen
            self._seen.move_to_end(key)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)

    def forget(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)
