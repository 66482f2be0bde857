"""Risk classes of actions and their order of severity.

`read` < `write` < `export` < `ddl` < `privilege` < `admin` < `unknown`.
Anything the gateway does not fully understand is `unknown`, which is treated as
at least as severe as `admin` unless a rule says otherwise.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class RiskClass(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    EXPORT = "export"
    DDL = "ddl"
    PRIVILEGE = "privilege"
    ADMIN = "admin"
    UNKNOWN = "unknown"

    @property
    def severity(self) -> int:
        return _ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, RiskClass):
            return NotImplemented
        return self.severity < other.severity

    def __le__(self, other: object) -> bool:
        if not isinstance(other, RiskClass):
            return NotImplemented
        return self.severity <= other.severity

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, RiskClass):
            return NotImplemented
        return self.severity > other.severity

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, RiskClass):
            return NotImplemented
        return self.severity >= other.severity


_ORDER = list(RiskClass)


def most_severe(classes: Iterable[RiskClass], default: RiskClass = RiskClass.READ) -> RiskClass:
    """The most severe class of `classes`, or `default` when there are none."""
    return max(classes, key=lambda c: c.severity, default=default)


def runs_as_reader(risk: RiskClass) -> bool:
    """Whether an action of this class runs as a connection's read-only role.

    Reads and exports only read (an export is a read that is large or leaves as a
    file stream), so the reader suffices; every other class needs the writer. A
    text that mixes an export with a write is an export and so fails in PostgreSQL:
    the second guard refuses rather than guesses.
    """
    return risk in (RiskClass.READ, RiskClass.EXPORT)
