"""Hash-chained audit records.

Each record is canonical JSON (sorted keys, no whitespace, UTF-8) holding its own
sequence number and the previous record's hash; its hash is SHA-256 over
`prev_hash + canonical_json(record)`. Altering, removing or reordering any record
breaks the chain at that point, which `verify_records` names. Cutting records off
the end is caught by signed checkpoints of the head (`phigate.audit.checkpoint`),
which `AuditLog.checkpoint` writes and `verify` checks against the chain.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from phigate.audit._canonical import canonical_json
from phigate.audit._rows import Body, mac_rows, not_utf8, record_batch, record_rows
from phigate.audit.checkpoint import Checkpoint, CheckpointSigner, signature_problem
from phigate.audit.free_text import mask_free_text
from phigate.audit.mac import RecordMac
from phigate.audit.tail import hold_to, prove_tail, when
from phigate.audit.verification import Verification
from phigate.core import clock
from phigate.core.errors import AuditUnavailableError, InvalidRequestError
from phigate.store import Database
from phigate.store.hot import HotStatement
from phigate.store.tables import audit_checkpoints, audit_head, audit_log

GENESIS = "0" * 64
# The key that marks an export's first line as its header (the signed checkpoint).
EXPORT_HEADER = "phigate_audit_export"
# The key that marks a checkpoint's witness log line (`phigate audit verify --against`).
WITNESS = "phigate_audit_checkpoint"
# Every checkpoint signed is also logged here: log shipping keeps a copy outside the store.
witness_log = logging.getLogger("phigate.audit")


class ForgedRecordError(AuditUnavailableError):
    """A record the gateway did not write (phigate.audit.mac): no checkpoint signs it."""


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


def chain_hash(prev_hash: str, record_json: str) -> str:
    return hashlib.sha256((prev_hash + record_json).encode()).hexdigest()


_BATCH = "phigate.audit_batch"


class _Batch:
    """Records chained in one transaction, written together at `flush`."""

    def __init__(self, conn: sa.Connection, mac: RecordMac | None) -> None:
        self._conn = conn
        self._mac = mac
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
        now = round(clock.now(), 6)
        for event, fields in entries:
            seq += 1
            record = {"seq": seq, "ts": now, "event": event, **fields, "prev_hash": prev}
            body = canonical_json(record)
            digest = chain_hash(prev, body)
            mac = self._mac.of(digest) if self._mac is not None else None
            row = {"seq": seq, "record": body, "prev_hash": prev, "hash": digest, "mac": mac}
            self._rows.append(row)
            prev = digest
        self._head = seq, prev
        return seq

    def flush(self) -> None:
        """Write the records and move the head, or raise AuditUnavailableError: a
        statement that "succeeds" writing nothing (a trigger's RAISE(IGNORE), a BEFORE
        trigger returning NULL, a rule) must not pass for a record, or the action runs
        unrecorded. The caller's transaction then rolls back with the action."""
        if self._rows and self._head is not None:
            written = _INSERT.executemany(self._conn, self._rows)
            _expect("records written", written, len(self._rows))
            cursor = _SET_HEAD.execute(
                self._conn, {"new_seq": self._head[0], "new_hash": self._head[1]}
            )
            try:
                _expect("head rows moved", cursor.rowcount, 1)
            finally:
                cursor.close()
            self._rows = []


def _expect(what: str, found: int, wanted: int) -> None:
    if found != wanted:
        raise AuditUnavailableError(
            f"the audit log did not take the write ({what}: {found} of {wanted}; "
            "a trigger or rule on the audit tables?): refused"
        )


class AuditLog:
    """Appends records atomically; several gateway processes may share one store."""

    def __init__(
        self,
        db: Database,
        *,
        signer: CheckpointSigner | None = None,
        trusted: frozenset[str] | None = None,
    ) -> None:
        self._db = db
        self.signer = signer
        self._mac = RecordMac(db.record_key) if db.record_key is not None else None
        # Masks free text in every record before it is hashed (phigate.audit.free_text);
        # the gateway sets its audit masker here. None: written as given.
        self.mask_text: Callable[[str], str] | None = None
        # Key ids verification insists on (audit.signing_key when configured).
        self.trusted = trusted

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
        if self.mask_text is not None:
            mask = self.mask_text
            entries = [(event, mask_free_text(fields, mask)) for event, fields in entries]
        batch = conn.info.get(_BATCH)
        if isinstance(batch, _Batch):
            return batch.add(entries)
        batch = _Batch(conn, self._mac)
        seq = batch.add(entries)
        batch.flush()
        return seq

    @contextmanager
    def batched(self, conn: sa.Connection) -> Iterator[None]:
        """Appends on `conn` inside this block share one read and one write of the head
        (a group commit's transaction): the chain is the same as appending one by one."""
        batch = _Batch(conn, self._mac)
        conn.info[_BATCH] = batch
        try:
            yield
            batch.flush()
        finally:
            conn.info.pop(_BATCH, None)

    def records(self, *, since: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        with self._db.read() as conn:
            rows = record_batch(conn, since=since, until=None, batch=limit)
        return [_parsed(seq, body) for seq, body, _hash in rows]

    def iter_rows(
        self, *, since: int = 0, until: int | None = None, batch: int = 1000
    ) -> Iterator[tuple[Body, str]]:
        """(record_json, hash) in order, in batches, for export and verification; a
        record whose bytes are not UTF-8 comes as its bytes (`verify_records` names it)."""
        for _seq, body, digest in self.iter_records(since=since, until=until, batch=batch):
            yield body, digest

    def iter_records(
        self, *, since: int = 0, until: int | None = None, batch: int = 1000
    ) -> Iterator[tuple[int, Body, str]]:
        """(seq, record_json, hash) in order; one short read per batch, so a long scan
        holds no transaction open."""
        cursor = since
        while True:
            with self._db.read() as conn:
                rows = record_batch(conn, since=cursor, until=until, batch=batch)
            if not rows:
                return
            yield from rows
            cursor = rows[-1][0]

    def head(self) -> tuple[int, str]:
        with self._db.read() as conn:
            row = conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).one()
        return int(row.seq), str(row.hash)

    def verify(
        self, *, trusted: frozenset[str] | None = None, kept: Iterable[Checkpoint] = ()
    ) -> Verification:
        """The chain from the genesis, then every stored checkpoint against it, then the head.

        `trusted` holds the key ids checkpoints must be signed with (default: this
        log's `trusted`; None there too: any key whose signature verifies). Records
        after the latest checkpoint are counted in `unproven`, not failed: the live
        log grows between checkpoints, but with trusted keys there must be a checkpoint
        (a serving gateway signs one at start). `kept` are checkpoints kept outside the
        store (an earlier export's, witness log lines), which the log must still hold.
        With the audit key, every record's MAC is checked too (phigate.audit.mac).
        """
        keys = trusted if trusted is not None else self.trusted
        # Read before the scan: every checkpoint up to it signs records the scan will see.
        latest = self.latest_checkpoint()
        result = verify_records(self.iter_rows())
        if latest is not None:
            checked = self._checkpoints_with_hashes(until=latest.seq)
            result = prove_tail(result, checked, keys, complete=False)
        else:
            result = dataclasses.replace(result, unproven=result.records)
        for checkpoint in kept:
            result = hold_to(result, checkpoint, self._hash_at(checkpoint.seq), keys)
        result = self._prove_authorship(_need_checkpoint(result, keys), keys)
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

    def _prove_authorship(self, result: Verification, keys: frozenset[str] | None) -> Verification:
        """With the audit key: the first record it did not MAC after the latest believed
        checkpoint (or with a MAC no gateway writes anywhere) fails the log. With no
        trusted keys named, a checkpoint may be anybody's: it proves no record."""
        if not result.ok or self._mac is None:
            return result
        checkpoint = result.checkpoint if keys is not None else None
        proven = checkpoint.seq if checkpoint is not None else 0
        with self._db.read() as conn:
            forged = self._mac.first_forged(mac_rows(conn, since=0), proven_until=proven)
        if forged is None:
            return result
        seq, problem = forged
        return Verification(False, seq - 1, result.head_hash, seq, problem, result.checkpoint)

    def _hash_at(self, seq: int) -> str | None:
        if seq == 0:
            return GENESIS
        with self._db.read() as conn:
            found = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.seq == seq))
            return found.scalar_one_or_none()

    def checkpoint(self, *, at: int | None = None) -> Checkpoint:
        """Sign the current head and store it (or return the checkpoint already there).

        The head row is locked as appends lock it, so the signed (sequence, hash) is
        exactly the chain's; replicas checkpointing at once take turns, and the second
        finds the first's row for the same sequence. `at`: sign the record at that
        sequence instead (an earlier key's last record, after a replacement).
        """
        if self.signer is None:
            raise AuditUnavailableError("no audit signing key: cannot write a checkpoint")
        try:
            with self._db.write() as conn:
                return self._checkpoint_in(conn, self.signer, at)
        except ForgedRecordError as exc:
            witness_log.error("audit checkpoint refused: %s", exc)
            raise
        except InvalidRequestError:
            raise
        except Exception as exc:
            raise AuditUnavailableError(
                f"the audit checkpoint cannot be written: {type(exc).__name__}"
            ) from exc

    def _checkpoint_in(
        self, conn: sa.Connection, signer: CheckpointSigner, at: int | None = None
    ) -> Checkpoint:
        head_seq, head_hash = conn.execute(
            sa.select(audit_head.c.seq, audit_head.c.hash)
            .where(audit_head.c.id == 1)
            .with_for_update()
        ).one()
        head, seq, digest = int(head_seq), int(head_seq), str(head_hash)
        if at is not None:
            seq, digest = at, _record_hash(conn, at, head)
        keys = self._keys(signer)
        existing = conn.execute(
            sa.select(audit_checkpoints).where(audit_checkpoints.c.seq == seq)
        ).first()
        if existing is not None:
            found = _checkpoint_of(existing)
            problem = signature_problem(found, keys)
            if problem is None and found.hash == digest:
                return found  # a replica's, signed and witnessed by it
            if problem is None:
                raise ForgedRecordError(_rewritten(found))  # evidence: never replaced
            self._replace_invalid(conn, found, problem)
        self._refuse_unproven(conn, keys, head=head, until=seq, digest=digest)
        checkpoint = signer.sign(seq, digest)
        row = checkpoint.to_json()
        del row["key_id"]  # derived from the public key
        conn.execute(audit_checkpoints.insert().values(row))
        witness_log.info("audit checkpoint signed %s", witness_line(checkpoint))
        return checkpoint

    @staticmethod
    def _replace_invalid(conn: sa.Connection, found: Checkpoint, problem: str) -> None:
        """A row at the head's sequence that is no believable checkpoint of it is an
        alarm, never taken as signed: taken, it would silence this checkpoint and its
        witness line. It goes, and the head is signed (and witnessed) as if it never was."""
        witness_log.error(
            "audit checkpoint ALARM: the store held an invalid checkpoint at sequence %d "
            "(%s); it was written in the state store by someone without the key: "
            "replaced by a signed one",
            found.seq,
            problem,
        )
        conn.execute(audit_checkpoints.delete().where(audit_checkpoints.c.seq == found.seq))

    def _refuse_unproven(
        self, conn: sa.Connection, keys: frozenset[str], *, head: int, until: int, digest: str
    ) -> None:
        """Raise ForgedRecordError unless the records after the latest stored checkpoint
        that still signs its record (up to `until`) chain to `digest` and, with the audit
        key, each carries its MAC: a checkpoint must sign nothing a holder of the key
        did not write. Nothing the store holds is believed unless a signature proves it
        against the records as they are now."""
        since, since_hash = _believed(conn, keys, head=head, until=until)
        tail = record_rows(conn, since=since, until=until)
        chain = verify_records(((body, h) for _seq, body, h in tail), start=(since, since_hash))
        if not chain.ok or chain.records != until or chain.head_hash != digest:
            raise ForgedRecordError(_unchained(chain, until))
        if self._mac is None:
            return
        rows_macs = mac_rows(conn, since=since, until=until)
        forged = self._mac.first_forged(rows_macs, proven_until=since)
        if forged is not None:
            raise ForgedRecordError(forged[1])

    def _keys(self, signer: CheckpointSigner) -> frozenset[str]:
        return self.trusted or frozenset({signer.key_id})

    def _checkpoints_with_hashes(
        self, *, until: int, batch: int = 1000
    ) -> Iterator[tuple[Checkpoint, str | None]]:
        """Stored checkpoints in order, each with the stored hash of the record at its
        sequence number (None if there is none), in batches: a long-lived log has many.
        Only called once the chain verified, so the stored hashes are the chain's."""
        cursor = -1
        while True:
            query = (
                sa.select(audit_checkpoints, audit_log.c.hash.label("record_hash"))
                .outerjoin(audit_log, audit_log.c.seq == audit_checkpoints.c.seq)
                .where(audit_checkpoints.c.seq > cursor, audit_checkpoints.c.seq <= until)
                .order_by(audit_checkpoints.c.seq)
                .limit(batch)
            )
            with self._db.read() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                record_hash = GENESIS if row.seq == 0 else row.record_hash
                yield _checkpoint_of(row), record_hash
            cursor = int(rows[-1].seq)

    def latest_checkpoint(self) -> Checkpoint | None:
        query = sa.select(audit_checkpoints).order_by(audit_checkpoints.c.seq.desc()).limit(1)
        with self._db.read() as conn:
            row = conn.execute(query).first()
        return None if row is None else _checkpoint_of(row)

    def export_lines(self, *, since: int = 0) -> Iterator[str]:
        """JSON lines, verifiable offline: first a header with a checkpoint signed now
        (or the latest stored one, without a key), then the records up to it, each with
        its chain hash. Records appended meanwhile wait for the next export."""
        until: int | None = None
        try:
            checkpoint = self.checkpoint() if self.signer is not None else self.latest_checkpoint()
            until = None if checkpoint is None else checkpoint.seq
        except ForgedRecordError:
            # Refused to sign (logged): the export holds every record to the head under
            # the last checkpoint, so verifying it names those no signature covers.
            checkpoint = self.latest_checkpoint()
        if checkpoint is not None:
            yield canonical_json({EXPORT_HEADER: 1, "checkpoint": checkpoint.to_json()})
        for seq, body, digest in self.iter_records(since=since, until=until):
            if isinstance(body, bytes):
                # Written out it would be another record; left out, a gap: say which.
                raise AuditUnavailableError(f"audit export stopped: {not_utf8(seq)}")
            yield body[:-1] + f',"hash":"{digest}"' + "}"


def witness_line(checkpoint: Checkpoint) -> str:
    """A signed checkpoint as one JSON object, for a log line (`read_checkpoints`);
    the marker key first, so a reader finds where the object starts."""
    return f'{{"{WITNESS}":1,"checkpoint":{canonical_json(checkpoint.to_json())}}}'


def _record_hash(conn: sa.Connection, seq: int, head: int) -> str:
    """The chain hash of the record at `seq`, which must be in the log."""
    found = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.seq == seq)).scalar()
    if not 0 < seq <= head or found is None:
        raise InvalidRequestError(f"no audit record at sequence {seq}: the log ends at {head}")
    return str(found)


def _believed(
    conn: sa.Connection, keys: frozenset[str], *, head: int, until: int
) -> tuple[int, str]:
    """(sequence, hash) of the latest stored checkpoint at or before `until` signed with
    one of `keys`; (0, GENESIS) if none. Rows without a valid signature are anybody's.
    A signed one that no longer matches the record at its sequence (or lies beyond the
    head) shows the log was rewritten or rolled back: ForgedRecordError, never a
    reason to look past it for an older one."""
    rows = conn.execute(
        sa.select(audit_checkpoints, audit_log.c.hash.label("record_hash"))
        .outerjoin(audit_log, audit_log.c.seq == audit_checkpoints.c.seq)
        .order_by(audit_checkpoints.c.seq.desc())
    )
    try:
        for row in rows:
            checkpoint = _checkpoint_of(row)
            if signature_problem(checkpoint, keys) is not None:
                continue
            stored = GENESIS if checkpoint.seq == 0 else row.record_hash
            if checkpoint.seq > head or stored is None:
                raise ForgedRecordError(_rolled_back(checkpoint, head))
            if stored != checkpoint.hash:
                raise ForgedRecordError(_rewritten(checkpoint))
            if checkpoint.seq <= until:
                return checkpoint.seq, checkpoint.hash
    finally:
        rows.close()
    return 0, GENESIS


def _rolled_back(checkpoint: Checkpoint, head: int) -> str:
    return (
        f"FORGED: the log was rolled back: it no longer holds record {checkpoint.seq}, "
        f"which the checkpoint signed {when(checkpoint.ts)} covers (the head is at "
        f"{head}): records were removed, or an old backup restored; nothing is signed "
        "over it"
    )


def _rewritten(checkpoint: Checkpoint) -> str:
    return (
        f"FORGED: record {checkpoint.seq} is not the one the checkpoint signed "
        f"{when(checkpoint.ts)} there: the log was rewritten in the state store after "
        "it was signed; nothing is signed over it"
    )


def _unchained(chain: Verification, until: int) -> str:
    if not chain.ok:
        return (
            f"FORGED: the chain after the last signed checkpoint breaks at record "
            f"{chain.first_bad_seq}: {chain.problem}"
        )
    return (
        f"FORGED: the head (sequence {until}) is not the chain's last record "
        f"({chain.records}): the head row was altered"
    )


def _need_checkpoint(result: Verification, keys: frozenset[str] | None) -> Verification:
    """With trusted keys, a live log holding records must have a believed checkpoint:
    else nothing shows its records are the gateway's whole log."""
    if not result.ok or keys is None or result.checkpoint is not None or not result.records:
        return result
    problem = (
        f"no signed checkpoint: {result.records} records unproven (a serving gateway "
        "signs one at start; `phigate audit export` signs one)"
    )
    return dataclasses.replace(result, ok=False, first_bad_seq=1, problem=problem)


def verify_records(
    rows: Iterable[tuple[Body, str | None]],
    *,
    on_record: Callable[[int, str], None] | None = None,
    start: tuple[int, str] = (0, GENESIS),
) -> Verification:
    """Check (record_json, hash) pairs from the genesis (or from `start`, the sequence
    and hash of a record already proven) on; hash may be None if unknown. `on_record`
    hears (sequence, hash) of each record found intact."""
    count, prev = start
    for body, stored_hash in rows:
        expected_seq = count + 1
        if isinstance(body, bytes):
            return Verification(False, count, prev, expected_seq, not_utf8(expected_seq))
        try:
            record = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested past the reader's depth
            return Verification(False, count, prev, expected_seq, "record is not JSON")
        problem = _check_record(record, body, expected_seq, prev)
        digest = chain_hash(prev, body)
        if problem is None and stored_hash is not None and stored_hash != digest:
            problem = "record content does not match its hash (altered)"
        if problem is not None:
            return Verification(False, count, prev, _seq_of(record, expected_seq), problem)
        prev, count = digest, count + 1
        if on_record is not None:
            on_record(count, digest)
    return Verification(True, count, prev)


def _check_record(record: Any, body: str, expected_seq: int, prev: str) -> str | None:
    if not isinstance(record, dict):
        return "record is not an object"
    if record.get("seq") != expected_seq:
        found = record.get("seq")
        return f"expected sequence {expected_seq}, found {found!r} (removed or reordered)"
    if record.get("prev_hash") != prev:
        return (
            "does not link to the previous record "
            "(this or the previous one altered, removed or reordered)"
        )
    if canonical_json(record) != body:
        return "record is not in canonical form (altered)"
    return None


def _parsed(seq: int, body: Body) -> dict[str, Any]:
    if isinstance(body, bytes):
        raise AuditUnavailableError(f"the audit log cannot be read: {not_utf8(seq)}")
    record: dict[str, Any] = json.loads(body)
    return record


def _checkpoint_of(row: sa.Row[Any]) -> Checkpoint:
    return Checkpoint(
        seq=int(row.seq),
        hash=str(row.hash),
        ts=float(row.ts),
        public_key=str(row.public_key),
        signature=str(row.signature),
    )


def _seq_of(record: Any, default: int) -> int:
    if isinstance(record, dict) and isinstance(record.get("seq"), int):
        return min(int(record["seq"]), default)
    return default
