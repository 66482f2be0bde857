"""Refusals from one source, every one accounted for, without one record each.

A request refused before anyone is authenticated (a bad token at REST or /mcp, a bad
password on the wire, a forged chat callback) costs its sender nothing, and each one
is evidence: someone tried. One record each would let anyone grow the audit log
without bound. So per source address and kind of refusal, in each window of
WINDOW_SECONDS, the first PER_WINDOW are recorded in full; the rest are counted, and
the count is written as one `refusals.counted` record (from where, what, how many,
when) once the window has closed: by a timer within another window's length, at the
next refusal after it (from any source), or when the gateway shuts down. The count
is kept in this process: with several replicas behind one address, each writes its
own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from phigate.core import clock

PER_WINDOW = 30
WINDOW_SECONDS = 60.0
MAX_SOURCES = 10_000  # open windows; past it, new sources share one window
OTHER_SOURCES = "(other sources)"
EVENT = "refusals.counted"


@dataclass
class _Window:
    opened: float  # the clock's reading
    opened_at: float  # wall time, for the record
    recorded: int = 0
    counted: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Count:
    """Refusals counted, not recorded one by one, in one closed window."""

    event: str
    source: str
    count: int
    opened_at: float
    closed_at: float
    reason: str  # the last one's

    def fields(self) -> dict[str, Any]:
        """The audit record's fields."""
        return {
            "where": {"client_addr": self.source},
            "what": {
                "event": self.event,
                "refused": self.count,
                "recorded_in_full": PER_WINDOW,
                "from": _iso(self.opened_at),
                "until": _iso(self.closed_at),
                "counted_by": "one gateway process",
            },
            "why": {
                "reason": f"{self.count} more {self.event} refusals from {self.source} in "
                f"{WINDOW_SECONDS:g} s beyond the {PER_WINDOW} recorded in full; "
                f"the last: {self.reason}"
            },
        }


class FloodAccount:
    """Which refusals to record in full, and the counts of the rest (not thread-safe:
    one per event loop, used from it)."""

    def __init__(
        self,
        *,
        per_window: int = PER_WINDOW,
        seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = clock.now,
        max_sources: int = MAX_SOURCES,
    ) -> None:
        self.per_window, self.seconds = per_window, seconds
        self._clock, self._wall, self._max = clock, wall, max_sources
        self._open: dict[tuple[str, str], _Window] = {}  # in the order they opened

    def refused(self, event: str, source: str, reason: str) -> tuple[bool, list[Count]]:
        """Whether this refusal is recorded in full, and the counts of windows that
        have closed since the last call (to be written now)."""
        now = self._clock()
        closed = self._close(now)
        key = (event, source)
        if key not in self._open and len(self._open) >= self._max:
            key = (event, OTHER_SOURCES)
        window = self._open.get(key)
        if window is None:
            window = self._open[key] = _Window(now, self._wall())
        if window.recorded < self.per_window:
            window.recorded += 1
            return True, closed
        window.counted += 1
        window.reason = reason
        return False, closed

    def closed(self) -> list[Count]:
        """The counts of windows closed by now (to be written now)."""
        return self._close(self._clock())

    def counting(self) -> bool:
        """Whether an open window holds refusals counted and not yet written."""
        return any(window.counted for window in self._open.values())

    def drain(self) -> list[Count]:
        """Every count still open (at shutdown): nothing counted goes unwritten."""
        counts = [self._count(key, w, self._wall()) for key, w in self._open.items() if w.counted]
        self._open.clear()
        return counts

    def _close(self, now: float) -> list[Count]:
        counts = []
        while self._open:
            key, window = next(iter(self._open.items()))
            if now - window.opened < self.seconds:
                break
            del self._open[key]
            if window.counted:
                counts.append(self._count(key, window, window.opened_at + self.seconds))
        return counts

    @staticmethod
    def _count(key: tuple[str, str], window: _Window, closed_at: float) -> Count:
        event, source = key
        return Count(event, source, window.counted, window.opened_at, closed_at, window.reason)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")
