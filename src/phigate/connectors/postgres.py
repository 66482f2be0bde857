"""Run SQL on an upstream PostgreSQL with the gateway's credentials.

Rows stream from the server (single-row mode) and are masked in batches; at most
`max_rows` are kept, and each statement runs under `statement_timeout`. Every
value is counted in the bytes the upstream sent before it is masked, and a value
or result over its cap (`limits:`) ends the statement; batches large enough to
be felt are masked off the event loop.

The database is the second guard: a statement classified `read` or `export`
runs as the `read_dsn` role (SELECT only: no writes, no temporary tables, no
SET ROLE), a `read` also in a READ ONLY transaction, so a statement the
classifier got wrong fails in PostgreSQL. Only what policy (and approval)
admitted as a write, DDL or more runs as `dsn`.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql as pgsql
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq.abc import PGresult

from phigate.config import PostgresConnection
from phigate.connectors._pg_catalog import UpstreamCatalog
from phigate.connectors._pg_pool import PrincipalSlots, UpstreamPool
from phigate.connectors._pg_values import read_beyond_python, send_typed, typed_params
from phigate.connectors.base import CopyBegan, Result
from phigate.connectors.held_secrets import url_passwords
from phigate.core.actions import Action, Description
from phigate.core.errors import UpstreamError
from phigate.core.limits import LimitsSettings, ResultBudget, off_loop
from phigate.core.risk import RiskClass, runs_as_reader
from phigate.masking.columns import RowMasker
from phigate.masking.engine import Masker
from phigate.masking.result_columns import result_columns, type_name_of
from phigate.masking.server_messages import scrub_message
from phigate.sql import classify
from phigate.sql.describe import describe_sql, description_of
from phigate.sql.runtime_parameters import setting_risk
from phigate.sql.session_generator import seeds_from_data
from phigate.sql.split import selects
from phigate.sql.transaction_control import transaction_control


def dsn_passwords(dsn: str) -> list[str]:
    """The password a libpq DSN carries, written as a URL or as `key=value` pairs."""
    try:
        password = conninfo_to_dict(dsn).get("password")
    except psycopg.ProgrammingError:  # not a DSN libpq reads: the URL reading, if any
        return url_passwords(dsn)
    return list(dict.fromkeys([str(password), *url_passwords(dsn)])) if password else []


class PostgresConnector:
    kind = "sql"

    def __init__(
        self, name: str, settings: PostgresConnection, *, limits: LimitsSettings | None = None
    ) -> None:
        self.name = name
        self.settings = settings
        self.limits = limits or LimitsSettings()
        size = settings.pool_size
        self.pool = UpstreamPool(name, settings.dsn, max_size=size)
        # Without read_dsn, reads share the writer's pool (and lose the second guard).
        read_dsn = settings.read_dsn
        self.read_pool = (
            UpstreamPool(name, read_dsn, max_size=size, reader=True) if read_dsn else self.pool
        )
        self.slots = PrincipalSlots(name, settings.max_connections_per_principal)
        self.catalog = UpstreamCatalog(self.connect)

    def own_secrets(self) -> list[tuple[str, str]]:
        """The passwords of `dsn` and `read_dsn`, for every other connector's scrubber
        (`held_secrets`): an upstream on this host may read a file that holds them."""
        dsns = [self.settings.dsn, *([self.settings.read_dsn] if self.settings.read_dsn else [])]
        return [("gateway credential", p) for ref in dsns for p in dsn_passwords(ref.reveal())]

    def describe(self, action: Action) -> Description:
        if action.kind != "sql" or action.sql is None:
            return Description(RiskClass.UNKNOWN, reasons=("not an SQL action",))
        return describe_sql(action.sql)

    async def refine(self, action: Action, description: Description) -> Description:
        """What only the upstream can tell: which columns `*` and whole rows carry
        (for masking), and how many rows a read returns (a bulk read is an export)."""
        description = await self._expand_lineage(action, description)
        return await self._bulk_read_is_export(action, description)

    def refines_alike(self, action: Action, description: Description) -> bool:
        """Whether `refine` gives the same answer for every run of this statement text:
        nothing to look up in the catalog (which DDL may change), and no row estimate
        (which depends on the parameters and the data). Only then may a decision on
        the refined description be reused (phigate.pipeline.gateway.Decided)."""
        lineage = description.detail.get("lineage") or []
        wildcard = any(str(s).endswith(".*") for item in lineage for s in item.get("sources", ()))
        estimated = (
            self.settings.export_row_estimate is not None and description.risk is RiskClass.READ
        )
        return not wildcard and not estimated and self.catalog.all_plain(description.tables)

    def decided_on(self) -> object:
        """The catalog's generation: a reload (a new relation named, or the TTL) may
        have made a plain table a view, so an allow decided before it no longer holds."""
        return self.catalog.generation

    async def _expand_lineage(self, action: Action, description: Description) -> Description:
        """Lineage with the catalog: `*` expanded, and every relation that is not a plain
        table followed through its definition (a view) or read as stored text of unknown
        origin (`phigate.sql.lineage`), with its conditions and the columns they use."""
        lineage = description.detail.get("lineage") or []
        wildcard = any(str(s).endswith(".*") for item in lineage for s in item.get("sources", ()))
        if action.sql is None or (not wildcard and self.catalog.all_plain(description.tables)):
            return description
        catalog = await self.catalog.current(description.tables)
        if not wildcard and self.catalog.all_plain(description.tables):
            return description
        expanded = description_of(classify(action.sql, catalog=catalog))
        detail = {
            **description.detail,
            "lineage": expanded.detail["lineage"],
            # The view's conditions join the statement's; none the walk found is lost.
            "predicate_columns": sorted(
                {*description.detail.get("predicate_columns", [])}
                | {*expanded.detail.get("predicate_columns", [])}
            ),
        }
        return replace(description, columns=expanded.columns, detail=detail)

    async def _bulk_read_is_export(self, action: Action, description: Description) -> Description:
        """A read the planner expects to return more than `export_row_estimate` rows is
        an export: the bulk-read rule of the risk classes. Each statement is explained."""
        limit = self.settings.export_row_estimate
        if limit is None or description.risk is not RiskClass.READ or action.sql is None:
            return description
        estimate = await self._estimate_rows(action.sql, action.params)
        if estimate <= limit:
            return description
        reason = (
            f"the planner expects about {estimate} rows (over {limit}): a bulk read is an export"
        )
        return replace(description, risk=RiskClass.EXPORT, reasons=(*description.reasons, reason))

    async def _estimate_rows(self, sql_text: str, params: list[Any]) -> int:
        total = 0
        async with self.read_pool.connection() as conn:
            await conn.execute("SET TRANSACTION READ ONLY")
            timeout = self.settings.statement_timeout_ms
            await conn.execute(pgsql.SQL("SET LOCAL statement_timeout = {}").format(timeout))
            for statement in selects(sql_text):
                cursor = psycopg.AsyncRawCursor(conn)
                # Without values (a wire Parse), plan generically: $n stay placeholders.
                options = "FORMAT JSON" if params else "FORMAT JSON, GENERIC_PLAN"
                await cursor.execute(f"EXPLAIN ({options}) {statement}", params or None)
                row = await cursor.fetchone()
                plan = row[0] if row else [{}]
                total += int(plan[0].get("Plan", {}).get("Plan Rows", 0))
            await conn.rollback()
        return total

    async def connect(self) -> psycopg.AsyncConnection[Any]:
        """A connection of its own for catalog reads (as the reader, when there is one)."""
        dsn = self.settings.read_dsn or self.settings.dsn
        try:
            return await psycopg.AsyncConnection.connect(
                dsn.reveal(),
                autocommit=False,
                connect_timeout=10,
                application_name="phigate",
            )
        except psycopg.Error as exc:
            raise UpstreamError(
                f"cannot connect to upstream {self.name!r}: {type(exc).__name__}"
            ) from exc

    async def run(self, action: Action, description: Description, masker: Masker) -> Result:
        sql_text = action.sql
        if sql_text is None:
            raise UpstreamError(f"connection {self.name!r} runs SQL actions only")
        _refuse_transaction_control(sql_text, description)
        params = _params(action)
        started = time.monotonic()
        pool = self.read_pool if runs_as_reader(description.risk) else self.pool
        opening = functools.partial(
            self._begin, description=description, settings=session_settings(action)
        )
        read_only = description.risk is RiskClass.READ  # as `_begin` opens it
        try:
            with self.slots.hold(action.principal.subject):
                # The BEGIN is the pool's check; a read's end is behind its answer.
                async with pool.connection(opening, read_only=read_only) as conn:
                    batch = _Batch(self.limits)
                    try:
                        payload, masked = await self._execute(
                            conn, sql_text, params, description, masker, batch
                        )
                    finally:
                        if seeds_from_data(description):
                            await _forget_seed(conn)
                    if not read_only:
                        await conn.commit()
                        await conn.set_autocommit(False)  # as the pool hands connections out
        except psycopg.Error as exc:
            raise UpstreamError(_upstream_message(exc, masker, sql_text)) from exc
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        summary = {
            "rows": payload["row_count"],
            "truncated": payload["truncated"],
            "masked": masked,
            "bytes": batch.budget.used,  # as the upstream sent them, before masking
            "duration_ms": duration_ms,
        }
        return Result(payload=payload, masked=masked, summary=summary)

    async def copy_in(
        self, action: Action, masker: Masker, data: AsyncIterator[bytes], began: CopyBegan
    ) -> dict[str, Any]:
        """COPY … FROM STDIN on the writer, the client's data streamed through as it comes
        (psycopg sends it in small buffers): memory stays flat at any size. Under
        statement_timeout, which counts the time the client takes to send."""
        sql_text = action.sql or ""
        started, sent = time.monotonic(), 0
        try:
            with self.slots.hold(action.principal.subject):
                async with self.pool.connection() as conn:
                    timeout = self.settings.statement_timeout_ms
                    await conn.execute(
                        pgsql.SQL("SET LOCAL statement_timeout = {}{}").format(
                            timeout, session_settings(action)
                        )
                    )
                    cursor = conn.cursor()
                    async with cursor.copy(sql_text) as copy:
                        began(*_copy_formats(cursor.pgresult))
                        async for chunk in data:
                            sent += len(chunk)
                            await copy.write(chunk)
                    await conn.commit()
        except psycopg.Error as exc:
            raise UpstreamError(_upstream_message(exc, masker, sql_text)) from exc
        return {
            "rows": cursor.rowcount,
            "status": cursor.statusmessage or f"COPY {cursor.rowcount}",
            "bytes": sent,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        }

    async def _execute(
        self,
        conn: psycopg.AsyncConnection[Any],
        sql_text: str,
        params: list[Any],
        description: Description,
        masker: Masker,
        batch: _Batch,
    ) -> tuple[dict[str, Any], dict[str, int]]:
        cursor = psycopg.AsyncRawCursor(conn)
        read_beyond_python(cursor.adapters)
        send_typed(cursor.adapters)
        if description.risk is RiskClass.READ and _returns_rows(description):
            # Reads stream row by row (single-row mode): memory stays flat at any size.
            rows, truncated, row_masker, columns = await self._stream(
                cursor, sql_text, params, description, masker, batch
            )
        else:
            rows, truncated, row_masker, columns = await self._fetch(
                cursor, sql_text, params, description, masker, batch
            )
        masked = dict(row_masker.counts) if row_masker is not None else {}
        payload = {
            "columns": columns,
            "rows": rows,
            # A command without a result set (UPDATE, DELETE, INSERT without RETURNING)
            # counts the rows it changed, as its command tag (`status`) already says.
            "row_count": len(rows) if columns else max(cursor.rowcount, 0),
            "truncated": truncated,
            "masked": masked,
        }
        if cursor.statusmessage:  # the command tag (UPDATE 1, …); a stopped stream has none
            payload["status"] = cursor.statusmessage
        return payload, masked

    async def _begin(
        self,
        conn: psycopg.AsyncConnection[Any],
        description: Description,
        settings: pgsql.Composable,
    ) -> None:
        """Open the transaction with its settings in one round trip, not three (psycopg's
        own BEGIN, SET LOCAL statement_timeout, SET TRANSACTION READ ONLY): one
        simple-query message, sent in autocommit mode so psycopg adds no BEGIN of its
        own. psycopg follows the server's transaction status, so `commit()` still
        commits; the pool's reset (or `run`, after the commit) turns autocommit off again.
        `settings`: the client session's, for a wire write (`session_settings`).
        It has no effect until the statement runs, so the pool sends it in place of its
        liveness check (`UpstreamPool.connection`) and retries it on a dead connection."""
        mode = pgsql.SQL("READ ONLY" if description.risk is RiskClass.READ else "")
        timeout = self.settings.statement_timeout_ms
        await conn.set_autocommit(True)
        await conn.execute(
            pgsql.SQL("BEGIN {}; SET LOCAL statement_timeout = {}{}").format(
                mode, timeout, settings
            )
        )

    async def _stream(
        self,
        cursor: psycopg.AsyncRawCursor[Any],
        sql_text: str,
        params: list[Any],
        description: Description,
        masker: Masker,
        batch: _Batch,
    ) -> tuple[list[list[Any]], bool, Any, list[str]]:
        rows: list[list[Any]] = []
        truncated, row_masker = False, None
        columns: list[str] = []
        async for row in cursor.stream(sql_text, params or None):
            if row_masker is None:
                columns, row_masker = self._columns(cursor, description, masker)
            if len(rows) + len(batch.rows) >= self.settings.max_rows:
                truncated = True
                break
            assert cursor.pgresult is not None  # single-row mode: this row's result
            batch.add(row, cursor.pgresult, 0)
            if batch.full():
                rows.extend(await batch.mask(row_masker))
        if row_masker is None and cursor.description is not None:
            columns, row_masker = self._columns(cursor, description, masker)
        if row_masker is not None:
            rows.extend(await batch.mask(row_masker))
        return rows, truncated, row_masker, columns

    async def _fetch(
        self,
        cursor: psycopg.AsyncRawCursor[Any],
        sql_text: str,
        params: list[Any],
        description: Description,
        masker: Masker,
        batch: _Batch,
    ) -> tuple[list[list[Any]], bool, Any, list[str]]:
        """Writes (possibly with RETURNING): run, then keep at most max_rows, masked."""
        await cursor.execute(sql_text, params or None)
        if cursor.description is None or cursor.pgresult is None:
            return [], False, None, []
        columns, row_masker = self._columns(cursor, description, masker)
        fetched = await cursor.fetchmany(self.settings.max_rows + 1)
        truncated = len(fetched) > self.settings.max_rows
        for index, row in enumerate(fetched[: self.settings.max_rows]):
            batch.add(row, cursor.pgresult, index)
        return await batch.mask(row_masker), truncated, row_masker, columns

    def _columns(
        self, cursor: psycopg.AsyncRawCursor[Any], description: Description, masker: Masker
    ) -> tuple[list[str], Any]:
        lineage = description.detail.get("lineage", [])
        columns = []
        for column in cursor.description or []:
            type_info = cursor.adapters.types.get(column.type_code)
            registered = type_info.name if type_info else None
            columns.append((column.name, type_name_of(column.type_code, registered)))
        infos = result_columns(columns, lineage)
        return [c.name for c in infos], masker.for_columns(infos)

    async def close(self) -> None:
        await self.pool.close()
        if self.read_pool is not self.pool:
            await self.read_pool.close()


_BATCH_BYTES = 256 * 1024  # rows handed to a masking thread at a time


class _Batch:
    """Rows waiting to be masked, counted against the result's byte budget."""

    def __init__(self, limits: LimitsSettings) -> None:
        self.limits = limits
        self.budget = ResultBudget(limits)
        self.rows: list[Any] = []
        self.size = 0

    def add(self, row: Any, result: PGresult, index: int) -> None:
        """Count the row's values as the upstream sent them (before they are masked)."""
        size = 0
        for column, value in enumerate(row):
            length = _sent_bytes(value, result, index, column)
            self.budget.value(length)
            size += length
        self.budget.add(size)
        self.rows.append(row)
        self.size += size

    def full(self) -> bool:
        return self.size >= max(_BATCH_BYTES, self.limits.inline_mask_bytes)

    async def mask(self, row_masker: RowMasker) -> list[list[Any]]:
        rows, size = self.rows, self.size
        self.rows, self.size = [], 0
        if size < self.limits.inline_mask_bytes:
            return _mask_all(row_masker, rows)
        return await off_loop(self.limits, _mask_all, row_masker, rows)


def _sent_bytes(value: Any, result: PGresult, index: int, column: int) -> int:
    """A value's length as the upstream sent it (text format)."""
    if isinstance(value, str) and value.isascii():
        return len(value)  # the same bytes, without copying a large value again
    # psycopg's PGresult offers no PQgetlength: this copy is dropped at once.
    return len(result.get_value(index, column) or b"")


def _mask_all(row_masker: RowMasker, rows: list[Any]) -> list[list[Any]]:
    return [row_masker.mask_row(row) for row in rows]


def _params(action: Action) -> list[Any]:
    """The action's parameters, each with the type its wire Parse declared (bound into
    its approval with them): the write means here what it meant in the client's
    session. Without declared types, as sent (the server infers them)."""
    try:
        return typed_params(action.params, action.body.get("param_types"))
    except ValueError as exc:
        raise UpstreamError(f"not run: {exc}") from None


def _refuse_transaction_control(sql_text: str, description: Description) -> None:
    """The second guard behind admission's refusal (phigate.sql.transaction_control):
    a text that would end the transaction `run` opens never reaches the upstream, so an
    error after a COMMIT in it cannot be answered `failed` for a change that stayed.
    The text's parse, already in the description, tells; only a text that did not
    parse is read again, word by word."""
    kinds = description.detail.get("statements") or ()
    parsed = bool(kinds) and not description.detail.get("parse_error")
    found = (
        ("TRANSACTION" in kinds and transaction_control(sql_text))
        if parsed
        else transaction_control(sql_text)
    )
    if found:
        raise UpstreamError(
            f"not run: the text holds {found}, which would end the transaction the "
            "gateway runs the action in; nothing was sent to the upstream"
        )


# Statements that always answer with rows: only these stream. A read that answers
# with a command tag alone (SET, RESET) runs as writes do, whose result may be empty.
_ROW_STATEMENTS = frozenset({"SelectStmt", "VariableShowStmt", "ExplainStmt"})


def _returns_rows(description: Description) -> bool:
    statements = description.detail.get("statements") or ()
    return bool(statements) and all(kind in _ROW_STATEMENTS for kind in statements)


def _copy_formats(result: PGresult | None) -> tuple[int, tuple[int, ...]]:
    if result is None:
        return 0, ()
    return result.binary_tuples, tuple(result.fformat(i) for i in range(result.nfields))


def _upstream_message(exc: psycopg.Error, masker: Masker, statement: str) -> str:
    """The upstream's error with the data it quotes removed (phigate.masking.server_messages);
    SQLSTATE kept. Only the primary message: DETAIL and CONTEXT quote rows and keys."""
    if getattr(exc, "sqlstate", None) is None and isinstance(exc, psycopg.DataError):
        # Raised by the driver converting a value (read_beyond_python covers the known
        # ones), not by the server: its text quotes the value, which may be PHI, so
        # only what happened is said.
        return (
            "a value the gateway's database driver cannot convert, in the parameters or "
            "the answer (psycopg DataError, not the server's error); nothing was committed"
        )
    if getattr(exc, "sqlstate", None) is None and isinstance(exc, psycopg.ProgrammingError):
        return f"the gateway's database driver refused the statement: {exc}"
    diag = getattr(exc, "diag", None)
    primary = diag.message_primary if diag is not None and diag.message_primary else None
    sqlstate = getattr(exc, "sqlstate", None) or "?????"
    text = scrub_message(primary, statement, masker) if primary else type(exc).__name__
    return f"upstream error {sqlstate}: {text}"


# The client settings a wire write carries (`doors/pgwire/_session_settings`): those
# that change what its text means, which the server reports to the wire session.
_CARRIED = frozenset({"DateStyle", "IntervalStyle", "TimeZone", "search_path"})
_CARRIED_STARTUP = frozenset({"extra_float_digits"})


def session_settings(action: Action) -> pgsql.Composable:
    """`SET LOCAL` of the settings the action carries (`body["settings"]`, bound into
    its approval), so its text means on this connection what it meant in the client's
    session. Written as `set_config(name, value, true)`, which is `SET LOCAL` taking the
    value as the server reported it (`SET search_path = 'a, b'` would name one schema
    "a, b"); anything not carried by design, or that is not a harmless client setting,
    is refused rather than run with another meaning."""
    carried = action.body.get("settings") or {}
    if not isinstance(carried, dict):
        raise UpstreamError("the action's session settings are not a mapping")
    parts: list[pgsql.Composable] = []
    for name, value in sorted(carried.items()):
        if name not in _CARRIED | _CARRIED_STARTUP or not isinstance(value, str):
            raise UpstreamError(f"session setting {name!r} cannot be carried to the writer")
        if setting_risk(name, (value,))[0] is not RiskClass.READ:
            raise UpstreamError(f"session setting {name} = {value!r} is not a client setting")
        parts.append(
            pgsql.SQL("; SELECT pg_catalog.set_config({}, {}, true)").format(
                pgsql.Literal(name), pgsql.Literal(value)
            )
        )
    return pgsql.SQL("").join(parts)


async def _forget_seed(conn: psycopg.AsyncConnection[Any]) -> None:
    """Reseed a pooled connection's random generator from the gateway's own randomness
    after a statement that may have left data in it (`phigate.sql.session_generator`):
    the next caller to use the connection draws nothing computed from rows. A
    connection that cannot be reseeded is closed, so the pool drops it."""
    seed = secrets.randbelow(2**30) / 2**30
    try:
        if conn.info.transaction_status is psycopg.pq.TransactionStatus.INERROR:
            await conn.rollback()
        await conn.execute("SELECT setseed(%s)", (seed,))
    except psycopg.Error:
        await conn.close()
        raise
