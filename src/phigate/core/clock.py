"""Now, as every replica agrees on it: the state database's clock, carried by this host's
monotonic clock between readings.

Replicas on one PostgreSQL state decide expiry (approvals, tokens, sessions) and date
records each with its own clock. A host whose clock drifted 30 s behind would take a
vote on an approval the others see as expired, accept a token after its end, and date
a vote before the request it decides. So each replica reads the state database's clock
(the one clock all of them share) once at start and at every heartbeat, and `now()` is
that reading plus the time this host's monotonic clock says has passed since. Reading the
database at every comparison would cost a round trip per check; a reading costs one
per heartbeat.

Why monotonic, not the wall clock plus an offset: NTP stepping the host's clock, or an
admin's `date -s`, moves the wall clock at once, and an offset measured before the step
would be added to the stepped clock until the next beat (20 minutes back lets expired
tokens in). The monotonic clock cannot step; its rate errs by parts per million
(`MAX_DRIFT` bounds it), which the next reading corrects.

A reading is as good as half its round trip: the database read its clock somewhere
between sending and receiving. Each calibration takes up to `READINGS` readings and
keeps the one with the shortest round trip (as NTP does), whatever that round trip;
its half is the uncertainty, exported (`phigate_clock_uncertainty_seconds`) and
warned about above `WARN_UNCERTAINTY`. Expiry is judged conservatively: `latest()` (now
plus the uncertainty) is what an expiry is compared with, so no credential outlives
its end because the state database is far away.

With SQLite (one process, one clock) nothing is read and `now()` is this host's wall
clock. A leaf module (the configuration reaches it through audit checkpoints);
core/metrics.py exports the offset and the uncertainty at each scrape. `time.time` is
looked up at each call, so a test that skews a replica's `time.time` (or its whole wall
clock, with time-machine, which leaves `monotonic` and CLOCK_BOOTTIME alone) is
corrected like a real drift.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa

log = logging.getLogger(__name__)

# A drift this large is reported (once per change of a second or more): the gateway
# corrects it, but the host's own clock is wrong for everything else it runs.
WARN_SECONDS = 1.0
# Readings taken per calibration at most; the one with the shortest round trip is kept.
READINGS = 5
# A round trip this short is as good as the shared clock needs: no further readings.
GOOD_ROUND_TRIP = 0.01
# An uncertainty above this is reported: expiry then comes this much early everywhere.
WARN_UNCERTAINTY = 0.25
# How fast a host's monotonic clock may run off true time (NTP's tolerance, 500 ppm):
# the uncertainty of a reading grows by this much per second since it was taken.
MAX_DRIFT = 500e-6

_QUERY = sa.text("SELECT extract(epoch FROM clock_timestamp())")
# Linux's CLOCK_BOOTTIME is CLOCK_MONOTONIC that also counts time suspended: a host (or
# VM) resumed after a pause must not read the time it was paused at until its next beat.
_STEADY = getattr(time, "CLOCK_BOOTTIME", None)


def _steady() -> float:
    """Seconds on a clock that never steps (time.monotonic, counting suspend if it can)."""
    return time.clock_gettime(_STEADY) if _STEADY is not None else time.monotonic()


@dataclass(frozen=True)
class Reading:
    """The shared clock read once: what it said, when by this host's monotonic clock,
    how far this host's wall clock was from it, and to within how much."""

    shared: float
    monotonic: float
    offset: float
    uncertainty: float

    @classmethod
    def taken(cls, offset: float, uncertainty: float = 0.0) -> Reading:
        """A reading of a shared clock `offset` seconds ahead of this host's wall clock,
        taken now (tests set the shared clock with it, as a calibration would)."""
        return cls(time.time() + offset, _steady(), offset, uncertainty)


_reading: Reading | None = None


def now() -> float:
    """Seconds since the epoch, by the clock every replica shares."""
    if _reading is None:
        return time.time()
    return _reading.shared + (_steady() - _reading.monotonic)


def uncertainty() -> float:
    """How far `now()` may be from the shared clock, either way (0 with no reading)."""
    if _reading is None:
        return 0.0
    return _reading.uncertainty + MAX_DRIFT * max(0.0, _steady() - _reading.monotonic)


def latest() -> float:
    """The latest the shared clock may read now: what an expiry is compared with, so
    that the uncertainty never lets a credential or an approval outlive its end."""
    return now() + uncertainty()


def earliest() -> float:
    """The earliest the shared clock may read now: what a `not before` is compared with."""
    return now() - uncertainty()


def offset() -> float:
    """How far this host's wall clock is behind the shared one now (negative: ahead).
    Read live, so a wall clock stepped since the last reading shows at once."""
    return now() - time.time()


def reading() -> Reading | None:
    """The reading in use, or None (SQLite, or never measured)."""
    return _reading


def adopt(new: Reading | None) -> None:
    """Use `new` from now on (None: this host's wall clock)."""
    global _reading
    _reading = new


def calibrate(conn: sa.Connection, readings: int = READINGS) -> Reading | None:
    """Read the state database's clock and adopt the best of up to `readings` readings.

    Only PostgreSQL state has a clock of its own to share; SQLite keeps this host's
    wall clock (and drops any reading of another state this process held before).
    Returns the reading adopted, or None (SQLite). Stops early on a round trip under
    GOOD_ROUND_TRIP, so a nearby database costs one query.
    """
    if conn.dialect.name != "postgresql":
        adopt(None)
        return None
    best = _read(conn)
    for _ in range(readings - 1):
        if best.uncertainty * 2 <= GOOD_ROUND_TRIP:
            break
        best = min(best, _read(conn), key=lambda r: r.uncertainty)
    _report(best, _reading)
    adopt(best)
    return best


def _read(conn: sa.Connection) -> Reading:
    """One reading: the database's clock, taken (we assume) midway through the round trip."""
    sent, sent_wall = _steady(), time.time()
    shared = float(conn.execute(_QUERY).scalar_one())
    back, back_wall = _steady(), time.time()
    trip = max(0.0, back - sent)
    return Reading(shared, (sent + back) / 2, shared - (sent_wall + back_wall) / 2, trip / 2)


def _report(new: Reading, old: Reading | None) -> None:
    """Warn once per change that matters, not at every heartbeat."""
    before = old.offset if old is not None else 0.0
    if abs(new.offset) >= WARN_SECONDS and round(new.offset) != round(before):
        log.warning(
            "this host's clock is %.1f s %s the state database's; phigate uses the "
            "database's time for expiry and records (fix the host's time sync)",
            abs(new.offset),
            "behind" if new.offset > 0 else "ahead of",
        )
    if new.uncertainty > WARN_UNCERTAINTY and (old is None or old.uncertainty <= WARN_UNCERTAINTY):
        log.warning(
            "the state database's clock is known here only to within %.2f s (best round "
            "trip of %d readings: %.2f s); expiry is judged that much early (move the "
            "state database closer, or unload it)",
            new.uncertainty,
            READINGS,
            new.uncertainty * 2,
        )
