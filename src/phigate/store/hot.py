"""The few statements on every action's path, compiled once and run on the driver's cursor.

SQLAlchemy Core's execution machinery (contexts, events, result objects, type
processing) costs tens of microseconds of CPython per statement, and an action's
two writes run about ten statements. For those statements alone, whose columns
need no type processing (strings and numbers; JSON arrives already serialised),
the SQLAlchemy construct is compiled once per dialect and its parameters go
straight to a DBAPI cursor of the same connection, inside the caller's
transaction. The SQL is still SQLAlchemy's; everything else runs through it.

On SQLite the statement is compiled in the named style (`:name`), which the
sqlite3 module also takes, so the caller's mapping is handed over as it is:
building a positional tuple in Python cost more than the driver's own lookup.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import DBAPICursor, Dialect


@dataclass(frozen=True)
class _Compiled:
    sql: str
    fixed: Mapping[str, Any]  # values the statement itself binds, e.g. `id = 1`
    order: tuple[str, ...] | None  # bind names in order, for positional paramstyles


class HotStatement:
    """A statement run with plain values (str, int, float, None) on the DBAPI cursor."""

    def __init__(self, statement: sa.Executable) -> None:
        self._statement = statement
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def execute(self, conn: sa.Connection, params: Mapping[str, Any]) -> DBAPICursor:
        """Run once; the caller reads (`fetchone`, `rowcount`) the returned cursor."""
        compiled = self._for(conn.dialect)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, _arguments(compiled, params))
        except Exception as exc:
            cursor.close()
            raise _wrapped(conn, compiled.sql, exc) from exc
        return cursor

    def executemany(self, conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Run once per row; the driver's count of rows written (sqlite3 and psycopg
        sum it over the rows), -1 when it cannot tell."""
        compiled = self._for(conn.dialect)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if compiled.fixed or compiled.order is not None:
                rows = [_arguments(compiled, row) for row in rows]
            cursor.executemany(compiled.sql, rows)
            return int(cursor.rowcount)
        except Exception as exc:
            raise _wrapped(conn, compiled.sql, exc) from exc
        finally:
            cursor.close()

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(dialect.name) or _compile(self._statement, dialect)
                self._compiled[dialect.name] = compiled
        return compiled


def _compile(statement: sa.Executable, dialect: Dialect) -> _Compiled:
    dialect = _named(dialect)
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    if (
        compiled.escaped_bind_names
        or compiled.literal_execute_params
        or compiled.post_compile_params
    ):
        raise ValueError(f"not a hot statement (needs SQLAlchemy's processing): {compiled}")
    fixed = {
        name: param.value
        for param, name in compiled.bind_names.items()
        if not param.required and param.callable is None
    }
    order = tuple(compiled.positiontup) if dialect.positional else None
    return _Compiled(str(compiled), fixed, order)


def _named(dialect: Dialect) -> Dialect:
    """SQLite's dialect in the named paramstyle, which its driver takes as well as
    `?`: the parameters then go to it as the mapping they arrive in."""
    if dialect.name != "sqlite" or not dialect.positional:
        return dialect
    named = copy.copy(dialect)
    named.paramstyle = "named"
    named.positional = False
    return named


def _wrapped(conn: sa.Connection, sql: str, exc: Exception) -> BaseException:
    """The driver's error as SQLAlchemy raises it (`sa.exc.OperationalError`, ...), so
    callers handle a failing store the same on either path. Parameters stay out of it."""
    dbapi = conn.dialect.loaded_dbapi
    return sa.exc.DBAPIError.instance(
        sql, None, exc, dbapi.Error, hide_parameters=True, dialect=conn.dialect
    )


def _arguments(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    values = {**compiled.fixed, **params} if compiled.fixed else params
    if compiled.order is None:
        return values
    return tuple(values[name] for name in compiled.order)
