"""Now, as every replica agrees on it: this host's clock set to the state database's.

Replicas on one PostgreSQL state decide expiry (approvals, tokens, sessions) and date
records each with its own clock. A host whose clock drifted 30 s behind would take a
vote on an approval the others see as expired, accept a token after its end, and date
a vote before the request it decides. So each replica measures how far its clock is
from the state database's (the one clock all of them share), once at start and at
every heartbeat, and `now()` is this host's clock plus that offset. Reading the
database at every comparison would cost a round trip per check; the offset costs one
per heartbeat and is as good as half that round trip.

With SQLite (one process, one clock) the offset stays 0. A leaf module (the
configuration reaches it through audit checkpoints): callers export the offset
(`phigate_clock_offset_seconds`). `time.time` is looked up at
each call, so a test that skews a replica's `time.time` is corrected like a real drift.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa

log = logging.getLogger(__name__)

# A drift this large is reported (once per change of a second or more): the gateway
# corrects it, but the host's own clock is wrong for everything else it runs.
WARN_SECONDS = 1.0
# A reading whose round trip took longer than this is too uncertain to adopt.
MAX_ROUND_TRIP = 0.5

_offset = 0.0


def now() -> float:
    """Seconds since the epoch, by the clock every replica shares."""
    return time.time() + _offset


def offset() -> float:
    """How far this host's clock is behind the shared one (negative: ahead)."""
    return _offset


def calibrate(conn: sa.Connection) -> float | None:
    """Measure this host's clock against the state database's and adopt the offset.

    Only PostgreSQL state has a clock of its own to share; SQLite leaves the offset
    at 0. Returns the offset adopted, or None when nothing was measured (SQLite, or a
    round trip too slow to tell).
    """
    global _offset
    if conn.dialect.name != "postgresql":
        return None
    sent = time.time()
    shared = float(
        conn.execute(sa.text("SELECT extract(epoch FROM clock_timestamp())")).scalar_one()
    )
    back = time.time()
    if back - sent > MAX_ROUND_TRIP:
        return None
    measured = shared - (sent + back) / 2
    if abs(measured) >= WARN_SECONDS and round(measured) != round(_offset):
        log.warning(
            "this host's clock is %.1f s %s the state database's; phigate uses the "
            "database's time for expiry and records (fix the host's time sync)",
            abs(measured),
            "behind" if measured > 0 else "ahead of",
        )
    _offset = measured
    return measured
