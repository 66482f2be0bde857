"""Whether signed checkpoints prove the chain's tail: the one rule that both the live
store's verification and an export's apply.

A checkpoint is believed only if its signature verifies (and, when the verifier
names trusted keys, with one of them). A believed checkpoint at sequence N means
the log held at least N records, the N-th with the signed hash; a chain shorter
than N was truncated. Records after the latest checkpoint are unproven: for the
live log that is normal (they await the next checkpoint), for an export that
should end at its checkpoint it means the file cannot be shown to be whole.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from phigate.audit.checkpoint import Checkpoint, signature_problem
from phigate.audit.verification import Verification


def prove_tail(
    chain: Verification,
    checkpoints: Iterable[tuple[Checkpoint, str | None]],
    trusted: frozenset[str] | None,
    *,
    complete: bool,
) -> Verification:
    """`chain` is the hash chain's own verification; `checkpoints` are in sequence
    order, each with the chain's hash at its sequence number (None past the end).
    `complete`: every record must be covered by a checkpoint (an export), else the
    uncovered tail is only counted."""
    if not chain.ok:
        return chain
    latest: Checkpoint | None = None
    for checkpoint, chain_hash in checkpoints:
        problem = _checkpoint_problem(checkpoint, chain.records, chain_hash, trusted)
        if problem is not None:
            return _failed(chain, _first_bad(checkpoint, chain), problem, checkpoint)
        latest = checkpoint
    unproven = chain.records - (latest.seq if latest is not None else 0)
    if complete and unproven > 0:
        return _failed(chain, chain.records - unproven + 1, _unproven(latest, unproven), latest)
    return dataclasses.replace(chain, checkpoint=latest, unproven=unproven)


def hold_to(
    result: Verification, kept: Checkpoint, chain_hash: str | None, trusted: frozenset[str] | None
) -> Verification:
    """Check a checkpoint kept from earlier (an older export's) against the chain: the
    log must still hold what it signed. Stored checkpoints can be deleted together
    with the records they cover; a copy kept elsewhere cannot."""
    if not result.ok:
        return result
    problem = _checkpoint_problem(kept, result.records, chain_hash, trusted)
    if problem is None:
        return result
    if kept.seq <= result.records and signature_problem(kept, trusted) is None:
        # A verified chain differing at a signed point was cut and grown again past it.
        problem = (
            f"TRUNCATED (and grown again): the log no longer holds the record signed "
            f"{when(kept.ts)} at sequence {kept.seq}: records were removed or rewritten"
        )
    seq = _first_bad(kept, result)
    return _failed(result, seq, f"against the earlier export: {problem}", result.checkpoint)


def _checkpoint_problem(
    checkpoint: Checkpoint,
    records: int,
    chain_hash: str | None,
    trusted: frozenset[str] | None,
) -> str | None:
    problem = signature_problem(checkpoint, trusted)
    if problem is not None:
        return problem
    if checkpoint.seq > records:
        missing = checkpoint.seq - records
        return (
            f"TRUNCATED: the checkpoint signed {when(checkpoint.ts)} covers "
            f"{checkpoint.seq} records, but the log ends at sequence {records}: "
            f"{missing} records are missing after it (the log was cut or rolled back)"
        )
    if chain_hash != checkpoint.hash:
        return (
            f"the checkpoint at sequence {checkpoint.seq} does not match that record's "
            "hash (the records or the checkpoint were altered)"
        )
    return None


def _unproven(latest: Checkpoint | None, unproven: int) -> str:
    if latest is None:
        return (
            f"no signed checkpoint: none of the {unproven} records is proven to be the "
            "whole log (unproven; the export may be truncated)"
        )
    return (
        f"{unproven} records after the checkpoint at sequence {latest.seq} are not "
        "covered by its signature (unproven: anyone can append to a hash chain)"
    )


def _first_bad(checkpoint: Checkpoint, chain: Verification) -> int:
    """The checkpoint's own sequence number, or the first record missing before it."""
    return min(checkpoint.seq, chain.records + 1)


def _failed(
    chain: Verification, seq: int, problem: str, checkpoint: Checkpoint | None
) -> Verification:
    return dataclasses.replace(
        chain, ok=False, first_bad_seq=seq, problem=problem, checkpoint=checkpoint
    )


def when(ts: float) -> str:
    try:
        return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("at %Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):  # a signer's own odd clock, not ours to crash on
        return f"at time {ts!r}"
