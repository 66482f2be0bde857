"""Approved non-read statements of a read-only wire session, run on the writer.

When a connection has `read_dsn`, every wire session logs in as that reader
role, so nothing a client sends on its own can write (not even after `SET
ROLE`: the reader is a member of no role). A statement policy and approval
admitted as more than a read runs through the gateway instead, on the
connector's writer pool and in its own transaction, exactly as REST runs it.
A simple Query's answer is rendered as the upstream would have sent it (every
column as text: `answer`); an Execute's is its CommandComplete (`run_extended`),
so a write sent that way must return no rows (`extended_refusal`). The session
sends the reader a no-op in its place, so answers reach the client in the order
it asked. COPY FROM STDIN streams on the writer too (`_copyin`).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import pglast
from pglast import ast

from phigate.core.action_store import ActionRecord
from phigate.core.errors import UpstreamError
from phigate.core.risk import RiskClass
from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._relay import ExpectKind
from phigate.pipeline.gateway import Gateway

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
# Refused before it runs: a statement sent since the last Sync (an Execute reports no
# transaction state of its own) may have opened a transaction block.
UNREPORTED = codec.error_response(
    "25001",
    "phigate: a write runs in a transaction of its own on this connection; a statement "
    "sent since the last Sync may have opened a transaction block: send Sync (and COMMIT "
    "or ROLLBACK) before the write",
)
# Statement kinds (`phigate.sql.statements.statement_kind`) that cannot open or close a
# transaction block (functions cannot; CALL and DO can): anything else sent without a
# Sync after it makes the state unknown.
_KEEP_TRANSACTION = frozenset({"SELECT", "SHOW", "SET", "EXPLAIN"})
# What the writer path cannot run, refused before an approval is spent on it.
# COPY FROM STDIN runs on the writer with the client's data streamed to it
# (_copyin.py), as a statement of its own: in a batch, the other statements'
# answers and its own could not be told apart.
COPY_IN_REFUSED = codec.error_response(
    "0A000",
    "phigate: on a read-only wire session (this connection has read_dsn) COPY FROM STDIN "
    "must be sent alone, as a simple query of its own",
)
# A write runs on the writer in a transaction of its own. Beside other statements in
# one Query it would be answered, committed and rolled back apart from them: a
# `BEGIN; UPDATE …` would commit though the client then rolls back, and a
# `SET …; UPDATE …` would be answered with one tag. So it must come alone.
BATCH_REFUSED = codec.error_response(
    "0A000",
    "phigate: on a read-only wire session (this connection has read_dsn) a write must be "
    "sent alone, as a simple query of its own or with parameters (Parse/Bind/Execute), "
    "not in one query string with other statements",
)
# The writer runs a write in a transaction of its own, begun and ended by the gateway
# (phigate.sql.transaction_control): a transaction-control statement classified a
# write (`BEGIN READ WRITE`) would open or end none of the client's, only the writer's.
TRANSACTION_REFUSED = codec.error_response(
    "0A000",
    "phigate: on a read-only wire session (this connection has read_dsn) a write runs on "
    "the writer in a transaction of its own, so a transaction-control statement that allows "
    "writes (BEGIN READ WRITE) cannot open one for it; send the write alone, outside a "
    "transaction block",
)
# An extended-protocol write runs on the writer, committed there, so it must be the last
# thing before its Sync: anything the client sends after its Execute (another Execute,
# Bind, Parse, Describe, Close, Flush…) would run in the same implicit transaction on a
# server, which rolls the write back if it fails. Refused, the batch skips to Sync.
HELD_REFUSED = codec.error_response(
    "0A000",
    "phigate: on a read-only wire session (this connection has read_dsn) an Execute of a "
    "write must be followed directly by Sync: send one write, then Sync (not in a pipeline "
    "or executemany batch, and not followed by Flush)",
)
# `EXECUTE w` names a statement the reader prepared; the writer has no `w`, and what a
# reviewer would see ("EXECUTE w(5)") is not what runs. A `PREPARE` of a write would
# prepare it on a pooled writer connection, for nobody. The write itself can be sent.
EXECUTE_REFUSED = codec.error_response(
    "0A000",
    "phigate: on a read-only wire session (this connection has read_dsn) a write cannot be "
    "prepared with SQL PREPARE or run with EXECUTE; send the statement itself, as a simple "
    "query or with parameters (Parse/Bind/Execute)",
)
# The extended protocol's result formats (binary included) are the client's to choose;
# the writer path renders text only, so a write sent that way must return no rows.
EXTENDED_REFUSED = codec.error_response(
    "0A000",
    "phigate: on a read-only wire session (this connection has read_dsn) a write sent with "
    "parameters or a prepared statement must be one INSERT, UPDATE, DELETE or MERGE without "
    "RETURNING; send other writes (and RETURNING) as a simple query, or through REST",
)
# Forwarded to the reader in place of an extended-protocol write that ran on the writer:
# its CommandComplete is replaced by the writer's. Parsed, bound and closed every time
# under a name drawn afresh (`_own_name`), so no client statement or portal is touched.
_NOOP_SQL = "SET phigate_wire.noop TO DEFAULT"
_DML = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)
_TEXT_OID = 25
_SQLSTATE = re.compile(r"^upstream error ([0-9A-Z]{5}):")
# The SQLSTATE of a gateway error a client should tell apart from a plain failure:
# busy (try later), and a run whose outcome could not be recorded (08007,
# transaction_resolution_unknown: it ran or may have; never retry it blindly).
_SQLSTATES = {
    "upstream_busy": "53300",
    "too_many_connections": "53300",
    "outcome_unrecorded": "08007",
}


async def refuse_in_transaction(gateway: Gateway, record: ActionRecord) -> None:
    """Record the admitted action as failed: it did not run (the approval is spent)."""
    reason = "an approved write runs in a transaction of its own; one was open"
    await gateway.finish(
        record,
        {"error_class": "in_transaction", "error": reason},
        error=UpstreamError(reason),
    )


def refusal(text: str, risk: RiskClass | None = None) -> bytes | None:
    """Why the writer path cannot run `text` (read from the parse tree), or None.

    PREPARE and EXECUTE are refused here only when the classifier understood them
    (an `unknown` one, such as a name the session never defined, is policy's to deny)."""
    try:
        statements = [raw.stmt for raw in pglast.parse_sql(text)]
    except pglast.parser.ParseError:
        return None  # the classifier refuses what does not parse
    if len(statements) > 1 and any(_copies_in(s) for s in statements):
        return COPY_IN_REFUSED
    if len(statements) > 1:
        return BATCH_REFUSED
    if any(isinstance(s, ast.TransactionStmt) for s in statements):
        return TRANSACTION_REFUSED
    if risk is not RiskClass.UNKNOWN and any(
        isinstance(s, ast.ExecuteStmt | ast.PrepareStmt) for s in statements
    ):
        return EXECUTE_REFUSED
    return None


def copies_in(text: str) -> bool:
    """Whether `text` is one `COPY … FROM STDIN` (its data comes from the client)."""
    try:
        statements = [raw.stmt for raw in pglast.parse_sql(text)]
    except pglast.parser.ParseError:
        return False
    return len(statements) == 1 and _copies_in(statements[0])


def _copies_in(statement: ast.Node | None) -> bool:
    return (
        isinstance(statement, ast.CopyStmt) and bool(statement.is_from) and not statement.filename
    )


def extended_refusal(text: str, params: list[Any]) -> bytes | None:
    """Why the writer cannot run this Execute as approved, or None.

    One DML statement that returns no rows, whose bound values the audit holds as
    values (a binary value of a type phigate does not decode is recorded as hex, and
    running anything else than the recorded value would run what nobody approved).
    """
    try:
        statements = [raw.stmt for raw in pglast.parse_sql(text)]
    except pglast.parser.ParseError:
        return None  # the classifier refuses what does not parse
    if len(statements) != 1 or not isinstance(statements[0], _DML):
        return refusal(text) or EXTENDED_REFUSED
    if _returns_rows(statements[0]):
        return EXTENDED_REFUSED
    for number, value in enumerate(params, start=1):
        if isinstance(value, dict):
            return codec.error_response(
                "0A000",
                f"phigate: parameter ${number} of this write is binary of a type phigate "
                "does not decode (it is recorded as hex); send it in text format",
            )
    return None


def portal_spent(name: str) -> bytes:
    return codec.error_response(
        "55000",
        f'phigate: portal "{name}" already ran its approved write; an approval runs once '
        "(bind the statement again to ask for another)",
    )


def _returns_rows(statement: ast.Node) -> bool:
    # pglast names it returningClause (PostgreSQL 18's parser) or returningList.
    return any(getattr(statement, name, None) for name in ("returningClause", "returningList"))


def keeps_transaction(kinds: list[str] | None) -> bool:
    """Whether statements of these kinds (`StatementInfo.kind`) surely leave the transaction
    block as it was; False for anything not known to (None: not understood)."""
    return bool(kinds) and all(kind in _KEEP_TRANSACTION for kind in kinds or ())


def own_name() -> str:
    """A statement or portal name for a message of the proxy's own. A client may name
    its own anything (`phigate.noop` included), so the proxy's names are drawn at random
    for each use: no client can hold one, and none outlives the messages that use it."""
    return f"phigate.{secrets.token_hex(12)}"


def noop_execute(reply: bytes) -> list[tuple[bytes, ExpectKind, bytes | None]]:
    """The messages that stand in for an extended-protocol write that ran on the writer:
    (message, what the relay expects, the answer that replaces the upstream's)."""
    name = own_name()
    return [
        (codec.build_parse(name, _NOOP_SQL), ExpectKind.PARSE, None),
        (codec.build_bind(codec.Bind(name, name, (), (), ())), ExpectKind.BIND, None),
        (codec.execute(name), ExpectKind.EXECUTE, reply),
        (codec.close("P", name), ExpectKind.CLOSE, None),
        (codec.close("S", name), ExpectKind.CLOSE, None),
    ]


async def run(gateway: Gateway, record: ActionRecord) -> bytes:
    """Run the admitted `record` on the writer; its answer as wire messages."""
    result, error = await _ran(gateway, record)
    return error if error is not None else answer(result)


async def run_extended(gateway: Gateway, record: ActionRecord) -> tuple[bytes, bool]:
    """As `run`, for an Execute: its CommandComplete (True), or its ErrorResponse."""
    result, error = await _ran(gateway, record)
    if error is not None:
        return error, False
    return codec.message(b"C", codec.cstr(str(result.get("status") or ""))), True


async def _ran(gateway: Gateway, record: ActionRecord) -> tuple[dict[str, Any], bytes | None]:
    end: dict[str, Any] = {}
    async for event in gateway.stream(record):
        end = event
    if end.get("status") == "executed":
        return dict(end.get("result") or {}), None
    error = end.get("error") or {}
    return {}, failure(record, str(error.get("code")), str(error.get("message") or ""))


def failure(record: ActionRecord, code: str, message: str) -> bytes:
    """The ErrorResponse for a run that failed: the upstream's SQLSTATE when it gave one."""
    message = message or "the statement failed"
    found = _SQLSTATE.match(message)
    sqlstate = found.group(1) if found else _SQLSTATES.get(code, "58000")
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
