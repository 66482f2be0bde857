"""Verifying an audit export offline: its hash chain, and the signed checkpoint in its
first line that proves it was not cut short.

An export (`AuditLog.export_lines`) is JSON lines: a header
`{"phigate_audit_export": 1, "checkpoint": {...}}`, then each record with its
chain hash, up to the checkpoint's sequence number. The checkpoint carries its
public key, so the file verifies on its own; a key id the verifier trusts (the
gateway's) shows that the gateway, not whoever handed over the file, signed it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from phigate.audit.chain import EXPORT_HEADER, GENESIS, WITNESS, verify_records
from phigate.audit.checkpoint import Checkpoint
from phigate.audit.tail import hold_to, prove_tail
from phigate.audit.verification import Verification
from phigate.core.errors import InvalidRequestError


def verify_export(
    lines: Iterable[str],
    *,
    trusted: frozenset[str] | None = None,
    kept: Iterable[Checkpoint] = (),
) -> Verification:
    """The chain from the genesis, that the header's checkpoint signs its end, and
    that it still holds what `kept` (checkpoints kept elsewhere) signed."""
    kept = list(kept)
    rows = (line for line in lines if line.strip())
    first = next(rows, None)
    header = _header(first)
    if isinstance(header, str):
        return Verification(False, 0, GENESIS, 1, header)
    body = rows if first is None or header is not None else _prepend(first, rows)
    wanted = {cp.seq for cp in (header, *kept) if cp is not None}
    hashes: dict[int, str] = {0: GENESIS}

    def keep(seq: int, digest: str) -> None:
        if seq in wanted:
            hashes[seq] = digest

    chain = verify_records((parse_export_line(line) for line in body), on_record=keep)
    checkpoints = [(header, hashes.get(header.seq))] if header is not None else []
    result = prove_tail(chain, checkpoints, trusted, complete=True)
    for checkpoint in kept:
        result = hold_to(result, checkpoint, hashes.get(checkpoint.seq), trusted)
    return result


def read_checkpoints(lines: Iterable[str], *, source: str) -> list[Checkpoint]:
    """Checkpoints kept outside the store: an export's header, or every witness line
    (`phigate.audit` log lines of signed checkpoints) in a log file; else
    InvalidRequestError."""
    rows = iter(lines)
    first = next((line for line in rows if line.strip()), None)
    header = _header(first)
    if isinstance(header, str):
        raise InvalidRequestError(f"{source}: {header}")
    if header is not None:
        return [header]
    found = [cp for line in _prepend(first or "", rows) if (cp := _witnessed(line, source))]
    if not found:
        raise InvalidRequestError(
            f"{source}: not a phigate audit export with a checkpoint, nor a log "
            "holding audit checkpoint lines"
        )
    return found


_WITNESS_START = '{"' + WITNESS + '":'


def _witnessed(line: str, source: str) -> Checkpoint | None:
    """The checkpoint in a witness log line, wherever the log's format put the JSON."""
    start = line.find(_WITNESS_START)
    if start < 0:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(line, start)
        return Checkpoint.from_json(value.get("checkpoint"))
    except (ValueError, RecursionError) as exc:
        # A damaged witness is not skipped: it may be the one that shows the cut.
        raise InvalidRequestError(f"{source}: a malformed audit checkpoint line") from exc


# An exported record: its stored canonical bytes with `,"hash":"…"` before the last brace.
_EXPORTED = re.compile(r'(\{.*),"hash":"([0-9a-f]{64})"\}')


def parse_export_line(line: str) -> tuple[str, str | None]:
    """Split an exported line back into the record's bytes and its hash, textually: the
    bytes checked are the bytes in the file. Parsing the line and writing it out again
    would verify what a JSON reader keeps, not what the auditor reads (a second `who`
    before the genuine one reads as another person to whoever keeps the first of two
    keys). A line not in the exported shape comes back as it is, for the verifier to
    name."""
    found = _EXPORTED.fullmatch(line.rstrip("\r\n"))
    if found is None:
        return line.rstrip("\r\n"), None
    return found[1] + "}", found[2]


def _header(line: str | None) -> Checkpoint | str | None:
    """The header's checkpoint; None when the first line is a record; a problem if the
    header is there but unreadable."""
    if line is None:
        return None
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None  # a record line that is not JSON: the chain check names it
    if not isinstance(value, dict) or EXPORT_HEADER not in value:
        return None
    try:
        return Checkpoint.from_json(value.get("checkpoint"))
    except ValueError as exc:
        return f"the export's header is malformed: {exc}"


def text_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """An export file's lines as text. A byte that is not UTF-8 is damage, not a reason
    to stop: it reads as U+FFFD, so the record holding it no longer matches its hash and
    the verifier names that record (a traceback would name nothing)."""
    for line in lines:
        yield line.decode("utf-8", errors="replace")


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
