"""Reading audit rows back from the store, as stored: the one place that knows how.

SQLite keeps whatever bytes an UPDATE casts to TEXT, and its driver then fails the
whole query on a record that is not UTF-8 (naming no record: a traceback, not a
finding). There the record column is read as bytes and decoded here, so such a
record comes back as its bytes, for the verifier to name at its sequence number.
PostgreSQL refuses text that is not valid in the database's encoding on write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from phigate.store.tables import audit_log

# A record's stored form: its text, or its bytes when they are not UTF-8 (damage).
Body = str | bytes


def record_column(conn: sa.Connection) -> sa.ColumnElement[Any]:
    """The record column, selected so that no stored bytes can fail the driver."""
    if conn.dialect.name == "sqlite":
        return sa.cast(audit_log.c.record, sa.LargeBinary).label("record")
    return audit_log.c.record


def record_text(value: object) -> Body:
    """The stored record as text; its bytes if they are not UTF-8."""
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
    return str(value)


def not_utf8(seq: int) -> str:
    """The problem of a record that is not UTF-8 text: no gateway writes one."""
    return (
        f"FORGED: record {seq} is not UTF-8 text: it was not written by a gateway "
        "(altered in the state store)"
    )


def record_batch(
    conn: sa.Connection, *, since: int, until: int | None, batch: int | None
) -> list[tuple[int, Body, str]]:
    """(seq, record, hash) of up to `batch` (None: all) records after `since` (to
    `until`), in order."""
    query = (
        sa.select(audit_log.c.seq, record_column(conn), audit_log.c.hash)
        .where(audit_log.c.seq > since)
        .order_by(audit_log.c.seq)
    )
    if batch is not None:
        query = query.limit(batch)
    if until is not None:
        query = query.where(audit_log.c.seq <= until)
    return [(int(row.seq), record_text(row.record), str(row.hash)) for row in conn.execute(query)]


def record_rows(
    conn: sa.Connection, *, since: int, until: int | None = None, batch: int = 1000
) -> Iterator[tuple[int, Body, str]]:
    """(seq, record, hash) of the records after `since` (to `until`), in batches, on `conn`."""
    while rows := record_batch(conn, since=since, until=until, batch=batch):
        yield from rows
        since = rows[-1][0]


def mac_rows(
    conn: sa.Connection, *, since: int, until: int | None = None, batch: int = 1000
) -> Iterator[tuple[int, str, object]]:
    """(seq, hash, mac) of the records after `since` (to `until`), in batches, on
    `conn`; `mac` is whatever the column holds."""
    cursor = since
    while True:
        query = (
            sa.select(audit_log.c.seq, audit_log.c.hash, audit_log.c.mac)
            .where(audit_log.c.seq > cursor)
            .order_by(audit_log.c.seq)
            .limit(batch)
        )
        if until is not None:
            query = query.where(audit_log.c.seq <= until)
        rows = conn.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield int(row.seq), str(row.hash), row.mac
        cursor = int(rows[-1].seq)
