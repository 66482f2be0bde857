"""Approved non-read statements of a read-only wire session, run on the writer.

When a connection has `read_dsn`, every wire session logs in as that reader
role, so nothing a client sends on its own can write (not even after `SET
ROLE`: the reader is a member of no role). A statement policy and approval
admitted as more than a read runs through the gateway instead, on the
connector's writer pool and in its own transaction, exactly as REST runs it;
`answer` renders the masked result as the upstream would have sent it (every
column as text). The session sends the reader a no-op in its place, so answers
reach the client in the order it asked.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pglast
from pglast import ast

from phigate.action_store import ActionRecord
from phigate.errors import UpstreamError
from phigate.frontends.pgwire import _codec as codec
from phigate.gateway import Gateway

# Forwarded to the reader in place of the statement: its CommandComplete is
# replaced by the writer's answer, its ReadyForQuery is the reader's own.
PLACEHOLDER = codec.query("SET phigate_wire.noop TO DEFAULT")
# Refused before it runs: outside the client's transaction it would not roll back
# with it, and while earlier answers are pending the transaction state is unknown.
IN_TRANSACTION = codec.error_response(
    "25001",
    "phigate: a write runs in a transaction of its own on this connection; send it outside "
    "a transaction block (COMMIT or ROLLBACK first), once earlier results have arrived",
)
# What the writer path cannot run, refused before an approval is spent on it.
# COPY FROM STDIN streams the client's rows to the session's own upstream: the
# reader cannot take them, and the writer path runs whole statement texts only.
# (An approved `EXECUTE w` of a write reaches the writer, which has no `w`: it
# fails there, 26000; the classifier decides what EXECUTE is, not this module.)
COPY_IN_REFUSED = codec.error_response(
    "0A000",
    "phigate: COPY FROM STDIN cannot run on a read-only wire session (this connection has "
    "read_dsn); load through a connection without read_dsn",
)
# The extended protocol's result formats (binary included) are the client's to choose;
# the writer path renders text only.
EXTENDED_REFUSED = codec.error_response(
    "0A000",
    "phigate: on a read-only wire session (this connection has read_dsn) a write must be "
    "sent as a simple query (no parameters, no prepared statement), or through REST",
)
_TEXT_OID = 25
_SQLSTATE = re.compile(r"^upstream error ([0-9A-Z]{5}):")
_BUSY = {"upstream_busy": "53300", "too_many_connections": "53300"}


async def refuse_in_transaction(gateway: Gateway, record: ActionRecord) -> None:
    """Record the admitted action as failed: it did not run (the approval is spent)."""
    reason = "an approved write runs in a transaction of its own; one was open"
    await gateway.finish(
        record,
        {"error_class": "in_transaction", "error": reason},
        error=UpstreamError(reason),
    )


def refusal(text: str) -> bytes | None:
    """Why the writer path cannot run `text` (read from the parse tree), or None."""
    try:
        statements = [raw.stmt for raw in pglast.parse_sql(text)]
    except pglast.parser.ParseError:
        return None  # the classifier refuses what does not parse
    if any(isinstance(s, ast.CopyStmt) and s.is_from and s.filename is None for s in statements):
        return COPY_IN_REFUSED
    return None


async def run(gateway: Gateway, record: ActionRecord) -> bytes:
    """Run the admitted `record` on the writer; its answer as wire messages."""
    end: dict[str, Any] = {}
    async for event in gateway.stream(record):
        end = event
    if end.get("status") == "executed":
        return answer(end.get("result") or {})
    error = end.get("error") or {}
    message = str(error.get("message") or "the statement failed")
    found = _SQLSTATE.match(message)
    sqlstate = found.group(1) if found else _BUSY.get(str(error.get("code")), "58000")
    return codec.error_response(sqlstate, f"phigate: {message}", detail=f"action {record.id}")


def answer(payload: dict[str, Any]) -> bytes:
    """RowDescription and DataRows (when the statement returned rows), CommandComplete."""
    out = []
    columns = [str(c) for c in payload.get("columns") or []]
    if columns:
        fields = [codec.Field(name, 0, 0, _TEXT_OID, -1, -1, 0) for name in columns]
        out.append(codec.build_row_description(fields))
        out += [codec.build_data_row([_text(v) for v in row]) for row in payload["rows"]]
    tag = str(payload.get("status") or "")
    out.append(codec.message(b"C", codec.cstr(tag)))
    return b"".join(out)


def _text(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return b"t" if value else b"f"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ").encode()
    return str(value).encode()
