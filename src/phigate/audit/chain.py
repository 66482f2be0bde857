"""Hash-chained audit records.

Each record is canonical JSON (sorted keys, no whitespace, UTF-8) holding its own
sequence number and the previous record's hash; its hash is SHA-256 over
`prev_hash + canonical_json(record)`. Altering, removing or reordering any record
breaks the chain at that point, which `verify_records` names.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from phigate.errors import AuditUnavailableError
from phigate.store import Database
from phigate.store.hot import HotStatement
from phigate.store.tables import audit_head, audit_log

GENESIS = "0" * 64

# Appends sit in every action's path (phigate.store.hot).
# The head row is the lock that orders appends across replicas.
_LOCK_HEAD = HotStatement(
    sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
)
_SET_HEAD = HotStatement(
    audit_head.update()
    .where(audit_head.c.id == 1)
    .values(seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))
)
_INSERT = HotStatement(
    audit_log.insert().values({c.name: sa.bindparam(c.name) for c in audit_log.c})
)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, record_json: str) -> str:
    return hashlib.sha256((prev_hash + record_json).encode()).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    records: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "records": self.records,
            "head_hash": self.head_hash,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
        }


_BATCH = "phigate.audit_batch"


class _Batch:
    """Records chained in one transaction, written together at `flush`."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._head: tuple[int, str] | None = None
        self._rows: list[dict[str, Any]] = []

    def add(self, entries: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
        if self._head is None:
            cursor = _LOCK_HEAD.execute(self._conn, {})
            try:
                head = cursor.fetchone()
            finally:
                cursor.close()
            if head is None:
                raise AuditUnavailableError("the audit log has no head row: is it migrated?")
            self._head = int(head[0]), str(head[1])
        seq, prev = self._head
        now = round(time.time(), 6)
        for event, fields in entries:
            seq += 1
            record = {"seq": seq, "ts": now, "event": event, **fields, "prev_hash": prev}
            body = canonical_json(record)
            digest = chain_hash(prev, body)
            self._rows.append({"seq": seq, "record": body, "prev_hash": prev, "hash": digest})
            prev = digest
        self._head = seq, prev
        return seq

    def flush(self) -> None:
        if self._rows and self._head is not None:
            _INSERT.executemany(self._conn, self._rows)
            _SET_HEAD.execute(
                self._conn, {"new_seq": self._head[0], "new_hash": self._head[1]}
            ).close()
            self._rows = []


class AuditLog:
    """Appends records atomically; several gateway processes may share one store."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, event: str, fields: Mapping[str, Any]) -> int:
        """Write one record and return its sequence number, or raise AuditUnavailableError."""
        try:
            with self._db.write() as conn:
                return self._append(conn, event, fields)
        except AuditUnavailableError:
            raise
        except Exception as exc:
            raise AuditUnavailableError(
                f"the audit log cannot be written: {type(exc).__name__}"
            ) from exc

    def append_in(self, conn: sa.Connection, event: str, fields: Mapping[str, Any]) -> int:
        """Write a record inside a caller's transaction (state change and record together)."""
        return self._append(conn, event, fields)

    def _append(self, conn: sa.Connection, event: str, fields: Mapping[str, Any]) -> int:
        return self.append_many_in(conn, [(event, fields)])

    def append_many_in(
        self, conn: sa.Connection, entries: Iterable[tuple[str, Mapping[str, Any]]]
    ) -> int:
        """Chain several records in a caller's transaction; returns the last sequence."""
        batch = conn.info.get(_BATCH)
        if isinstance(batch, _Batch):
            return batch.add(entries)
        batch = _Batch(conn)
        seq = batch.add(entries)
        batch.flush()
        return seq

    @contextmanager
    def batched(self, conn: sa.Connection) -> Iterator[None]:
        """Appends on `conn` inside this block share one read and one write of the head
        (a group commit's transaction): the chain is the same as appending one by one."""
        batch = _Batch(conn)
        conn.info[_BATCH] = batch
        try:
            yield
            batch.flush()
        finally:
            conn.info.pop(_BATCH, None)

    def records(self, *, since: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        query = (
            sa.select(audit_log.c.record).where(audit_log.c.seq > since).order_by(audit_log.c.seq)
        )
        if limit is not None:
            query = query.limit(limit)
        with self._db.read() as conn:
            return [json.loads(row.record) for row in conn.execute(query)]

    def iter_rows(self, *, since: int = 0, batch: int = 1000) -> Iterator[tuple[str, str]]:
        """(record_json, hash) in order, in batches, for export and verification."""
        cursor = since
        while True:
            query = (
                sa.select(audit_log.c.seq, audit_log.c.record, audit_log.c.hash)
                .where(audit_log.c.seq > cursor)
                .order_by(audit_log.c.seq)
                .limit(batch)
            )
            with self._db.read() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield row.record, row.hash
            cursor = int(rows[-1].seq)

    def head(self) -> tuple[int, str]:
        with self._db.read() as conn:
            row = conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).one()
        return int(row.seq), str(row.hash)

    def verify(self) -> Verification:
        result = verify_records(self.iter_rows())
        head_seq, head_hash = self.head()
        if result.ok and (result.records != head_seq or result.head_hash != head_hash):
            return Verification(
                False,
                result.records,
                result.head_hash,
                result.records + 1,
                "records after the last one are missing (head does not match)",
            )
        return result

    def export_lines(self, *, since: int = 0) -> Iterator[str]:
        """JSON lines: each record with its chain hash, verifiable offline."""
        for body, digest in self.iter_rows(since=since):
            yield body[:-1] + f',"hash":"{digest}"' + "}"


def verify_records(rows: Iterable[tuple[str, str | None]]) -> Verification:
    """Check (record_json, hash) pairs from the genesis on; hash may be None if unknown."""
    prev, count = GENESIS, 0
    for body, stored_hash in rows:
        expected_seq = count + 1
        try:
            record = json.loads(body)
        except json.JSONDecodeError:
            return Verification(False, count, prev, expected_seq, "record is not JSON")
        problem = _check_record(record, body, expected_seq, prev)
        digest = chain_hash(prev, body)
        if problem is None and stored_hash is not None and stored_hash != digest:
            problem = "record content does not match its hash (altered)"
        if problem is not None:
            return Verification(False, count, prev, _seq_of(record, expected_seq), problem)
        prev, count = digest, count + 1
    return Verification(True, count, prev)


def parse_export_line(line: str) -> tuple[str, str | None]:
    """Split an exported line back into the canonical record and its hash."""
    record = json.loads(line)
    digest = record.pop("hash", None) if isinstance(record, dict) else None
    return canonical_json(record), digest


def _check_record(record: Any, body: str, expected_seq: int, prev: str) -> str | None:
    if not isinstance(record, dict):
        return "record is not an object"
    if record.get("seq") != expected_seq:
        return f"expected sequence {expected_seq}, found {record.get('seq')} (removed or reordered)"
    if record.get("prev_hash") != prev:
        return (
            "does not link to the previous record "
            "(this or the previous one altered, removed or reordered)"
        )
    if canonical_json(record) != body:
        return "record is not in canonical form (altered)"
    return None


def _seq_of(record: Any, default: int) -> int:
    if isinstance(record, dict) and isinstance(record.get("seq"), int):
        return min(int(record["seq"]), default)
    return default
