"""Action: the exact description of one request, and its fingerprint.

An approval binds to the fingerprint, so nothing the requester sends later can
change what runs: the connection, kind, exact body (SQL text and parameters,
argv, HTTP request, tool call), the requester and the requested reveal.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from phigate.audit._canonical import sorted_json
from phigate.core.risk import RiskClass
from phigate.identity.principal import Principal

ACTION_KINDS = ("sql", "exec", "http", "mcp_tool")


# 64 characters in ASCII order, so the time's digits sort as the time does.
_SORTED_DIGITS = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
TIME_CHARS = 6  # 36 bits of seconds: until the year 4147


def new_id(prefix: str) -> str:
    """A unique id: the time in seconds (6 characters), then 64 random bits (11).

    The time first makes ids sort roughly by creation, so each new row's entry in the
    id's index lands at its right edge, beside the last one (one page written per
    commit), not on a random page of it; the random part keeps ids unique and
    unguessable (ids grant nothing: every read checks who may see it). About as short
    as ids were before: reviewers read them in an 80-column terminal and in chat.

    Every statement on the wire takes one on the event loop: the time's characters
    are worked out once a second, and the random parts come from the operating
    system's generator (`os.urandom`, as `secrets` draws them) 256 at a time.
    """
    global _stamp
    seconds = time.time_ns() // 1_000_000_000
    second, stamp = _stamp
    if second != seconds:
        stamp = "".join(_SORTED_DIGITS[(seconds >> shift) & 63] for shift in range(30, -1, -6))
        _stamp = (seconds, stamp)
    try:
        part = next(_random_parts)
    except StopIteration:
        part = _draw_random_parts()
    return f"{prefix}_{stamp}{part}"


_RANDOM_BYTES = 8  # per id: 11 characters of base64url
_RANDOM_BATCH = 256  # random parts drawn per system call
_stamp: tuple[int, str] = (-1, "")  # the last second an id was made in, and its characters
_random_parts: Iterator[str] = iter(())


def _draw_random_parts() -> str:
    """Draw the next batch of random parts; return the first. `next` on a list's
    iterator is one step under the interpreter lock, so threads taking parts at once
    never share one; two refilling at once each draw a batch of their own."""
    global _random_parts
    raw = os.urandom(_RANDOM_BYTES * _RANDOM_BATCH)
    encoded = base64.urlsafe_b64encode  # 8 bytes: 11 characters and one "="
    parts = iter(
        [
            encoded(raw[at : at + _RANDOM_BYTES])[:11].decode()
            for at in range(0, len(raw), _RANDOM_BYTES)
        ]
    )
    _random_parts = parts
    return next(parts)


def _forget_random_parts() -> None:
    """A forked child must not make the ids its parent will make."""
    global _random_parts
    _random_parts = iter(())


os.register_at_fork(after_in_child=_forget_random_parts)


def id_time(identifier: str) -> float:
    """When an id from `new_id` was made, in seconds since the epoch."""
    stamp = identifier.partition("_")[2][:TIME_CHARS]
    seconds = 0
    for char in stamp:
        seconds = seconds * 64 + _SORTED_DIGITS.index(char)
    return float(seconds)


@dataclass(frozen=True)
class Action:
    """What a caller asks the gateway to do, before any decision."""

    connection: str
    kind: str
    body: dict[str, Any]
    principal: Principal
    front_door: str
    reason: str | None = None
    client_addr: str | None = None
    reveal: tuple[str, ...] = ()
    # Break-glass asks to run at once and be reviewed afterwards. It is how the
    # request is made, not what runs, so the fingerprint leaves it out.
    break_glass: bool = False

    @property
    def sql(self) -> str | None:
        value = self.body.get("sql")
        return value if isinstance(value, str) else None

    @property
    def params(self) -> list[Any]:
        value = self.body.get("params")
        return list(value) if isinstance(value, list) else []

    def fingerprint(self) -> str:
        """SHA-256 over everything that defines what would run and for whom (the
        person: an alias they signed in with is recorded, not bound)."""
        return self._fingerprint

    @functools.cached_property
    def _fingerprint(self) -> str:
        # Computed once per action: the pipeline asks for it several times.
        bound = {
            "connection": self.connection,
            "kind": self.kind,
            "body": self.body,
            "principal": self.principal.bound_json(),
            "reveal": sorted(self.reveal),
        }
        encoded = sorted_json(bound, ensure_ascii=True)  # the form approvals were bound in
        return hashlib.sha256(encoded.encode()).hexdigest()

    def summary_text(self) -> str:
        """One line for people: the SQL text, command line or request."""
        if self.sql is not None:
            return self.sql
        return json.dumps(self.body, sort_keys=True, default=str)


@dataclass(frozen=True)
class Description:
    """What the gateway understood of an action: class, touched objects, reasons."""

    risk: RiskClass
    tables: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)

    def reads_as(self, other: Description) -> bool:
        """Whether `other` runs what this one does, as far as approving and masking go:
        the same class, tables and output lineage. An identical request (same
        fingerprint) approved or asked for under another reading is not this one: a
        view or a name redefined since means other rows, masked by other columns."""
        return (
            self.risk == other.risk
            and tuple(self.tables) == tuple(other.tables)
            and _json_alike(self.detail.get("lineage")) == _json_alike(other.detail.get("lineage"))
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "risk": self.risk.value,
            "tables": list(self.tables),
            "columns": list(self.columns),
            "functions": list(self.functions),
            "reasons": list(self.reasons),
            **self.detail,
        }


def _json_alike(value: Any) -> str:
    """`value` as stored JSON reads it back (tuples as lists), to compare a description
    just made with one read from the action store."""
    return sorted_json(value, ensure_ascii=True)
