"""Byte caps on what the upstream answers, checked before a row is masked.

A DataRow's values are measured from their length prefixes (nothing is copied);
a COPY OUT line counts as one value. `check` raises `ResultTooLargeError`, which
the relay turns into an ErrorResponse with SQLSTATE 54000 (program_limit_exceeded).
"""

from __future__ import annotations

import struct

from phigate.core.limits import LimitsSettings, ResultBudget
from phigate.doors.pgwire._codec import Message

_I16 = struct.Struct("!h")
_I32 = struct.Struct("!i")


def check(limits: LimitsSettings, received: int, msg: Message) -> int:
    """The result's bytes with this message counted; raises past a cap."""
    size = msg.size
    used = received + size
    if size <= limits.max_value_bytes and used <= limits.max_result_bytes:
        return used  # every row of an ordinary result: no budget to build
    budget = ResultBudget(limits)
    budget.used = received
    if size > limits.max_value_bytes:  # only then can one value be over the cap
        for length in _value_lengths(msg) if msg.type == b"D" else [size]:
            budget.value(length)
    budget.add(size)
    return budget.used


def _value_lengths(msg: Message) -> list[int]:
    body = msg.body
    (count,) = _I16.unpack_from(body, 0)
    lengths, pos = [], 2
    for _ in range(count):
        (length,) = _I32.unpack_from(body, pos)
        pos += 4 + max(length, 0)
        lengths.append(max(length, 0))
    return lengths
