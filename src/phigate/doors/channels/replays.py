"""The replay guard for chat callbacks, kept in the shared state store.

A callback that authenticates (a Slack signature, a Teams activity and its token)
is accepted once. What identifies it is recorded in `chat_replays` with an expiry
no earlier than the moment it stops authenticating by itself (Slack's timestamp
window, the token's `exp` plus the clock skew); a second sighting, on this replica
or any other on the same store, is refused. Replicas share nothing else: the
primary key makes the check and the record one atomic insert on both back ends.

The same once-only record decides which replica posts a request to chat when every
replica hears it (`posted.PostedMessages.claim_post`: a request sent back for more
votes); those keys are digests of ("post", channel, approval id, version), apart from any
callback's.

Only SHA-256 digests of what was seen are stored, never a signature or a token.
Expired rows are deleted at most once a minute per process, in a transaction of
their own (best effort: two replicas pruning at once must not fail a callback). A
row kept past its expiry only refuses what could no longer authenticate anyway.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from phigate.core import clock
from phigate.store import Database
from phigate.store.tables import chat_replays

log = logging.getLogger(__name__)
PRUNE_EVERY_SECONDS = 60.0
_c = chat_replays.c
_RECORD = chat_replays.insert().values(
    key=sa.bindparam("p_key"),
    channel=sa.bindparam("p_channel"),
    seen_at=sa.bindparam("p_now"),
    expires_at=sa.bindparam("p_expires"),
)
_FORGET_EXPIRED = chat_replays.delete().where(_c.expires_at < sa.bindparam("p_now"))


def digest(*parts: str) -> str:
    """The key of one sighting: the parts, length-prefixed so no two tuples collide."""
    framed = "".join(f"{len(p)}:{p}" for p in parts)
    return hashlib.sha256(framed.encode("utf-8", "surrogatepass")).hexdigest()


class ReplayGuard:
    """Sightings of one channel ("slack", "teams") in the shared store."""

    def __init__(self, db: Database, channel: str, clock: Callable[[], float] = clock.now) -> None:
        self._db = db
        self._channel = channel
        self._clock = clock
        self._pruned_at = -1e18

    def first_sighting(self, keys: Sequence[str], expires_at: float) -> bool:
        """Record every key; False (and nothing recorded) if any was seen before."""
        now = self._clock()
        rows = [
            {"p_key": k, "p_channel": self._channel, "p_now": now, "p_expires": expires_at}
            for k in dict.fromkeys(keys)
        ]
        if now - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._prune(now)
        try:
            with self._db.write() as conn:
                conn.execute(_RECORD, rows)
        except sa.exc.IntegrityError:
            return False  # the transaction rolled back: none of the keys is recorded
        return True

    def _prune(self, now: float) -> None:
        self._pruned_at = now
        try:
            with self._db.write() as conn:
                conn.execute(_FORGET_EXPIRED, {"p_now": now})
        except sa.exc.DBAPIError as exc:  # e.g. a deadlock with another replica's prune
            log.warning("pruning expired chat replay records failed: %s", type(exc).__name__)
