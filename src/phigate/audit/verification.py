"""The result of verifying an audit log or an export: a leaf both the chain and the
checkpoint rule (`tail`) build on, so neither imports the other for it."""

from __future__ import annotations

from dataclasses import dataclass

from phigate.audit.checkpoint import Checkpoint


@dataclass(frozen=True)
class Verification:
    ok: bool
    records: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None
    # The latest signed checkpoint that was checked, and how many records follow it.
    checkpoint: Checkpoint | None = None
    unproven: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "records": self.records,
            "head_hash": self.head_hash,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
            "checkpoint": self.checkpoint.to_json() if self.checkpoint is not None else None,
            "unproven": self.unproven,
        }
