"""Answers held back until the outcome of the write they report is on record.

A read is answered before its outcome is recorded (the outcome rides behind the
answer). A statement that is not a read, or that needed approval, must never be
reported done without its outcome on record (docs/pgwire.md: `08007` otherwise): from
its CommandComplete on, everything for the client waits here until that outcome is
committed. Sans-IO: `send` is the session's write to the client.
"""

from __future__ import annotations

from collections.abc import Callable

from phigate.core.action_store import ActionRecord
from phigate.core.risk import RiskClass
from phigate.doors.pgwire._relay import Execution


def recorded_first(record: ActionRecord) -> bool:
    """Whether the run of `record` is reported only once its outcome is recorded:
    anything but a read that policy simply allowed."""
    return record.description.risk is not RiskClass.READ or record.decision != "allow"


class HeldAnswers:
    """The client's bytes from the first unrecorded write's report on, in order."""

    def __init__(self, send: Callable[[bytes], None]) -> None:
        self._send = send
        self._chunks: list[bytes] = []
        # Each write awaiting its record: where its report starts among `_chunks`, in
        # the order the reports came (dicts keep insertion order).
        self._marks: dict[Execution, int] = {}
        self._recorded: set[Execution] = set()

    @property
    def holding(self) -> bool:
        return bool(self._marks)

    def holds(self, execution: Execution) -> bool:
        return execution in self._marks

    def out(self, data: list[bytes], reports: list[Execution]) -> None:
        """Bytes for the client; `reports`: the writes whose report is among them (their
        CommandComplete), held from there on."""
        for execution in reports:
            self._marks.setdefault(execution, len(self._chunks))
        if self._marks:
            self._chunks.extend(data)
        elif data:
            self._send(b"".join(data))

    def recorded(self, execution: Execution) -> None:
        """Its outcome is on record: what no unrecorded write holds back goes out."""
        self._recorded.add(execution)
        while self._marks:
            first = next(iter(self._marks))
            if first not in self._recorded:
                self._release(self._marks[first])
                return
            del self._marks[first]
            self._recorded.discard(first)
        self._release(len(self._chunks))

    def unrecorded(self, execution: Execution) -> None:
        """Its outcome could not be recorded: what came before its report goes out, its
        report and everything after it never do (the session then ends)."""
        self._release(self._marks.get(execution, 0))
        self._chunks.clear()
        self._marks.clear()
        self._recorded.clear()

    def _release(self, upto: int) -> None:
        if upto <= 0:
            return
        self._send(b"".join(self._chunks[:upto]))
        del self._chunks[:upto]
        self._marks = {e: at - upto for e, at in self._marks.items()}
