"""The results of SQL analysis (`SqlAnalysis` and its parts) and the catalog seam for `*`."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pglast.ast import Node

from phigate.core.risk import RiskClass, most_severe


@dataclass(frozen=True)
class StatementInfo:
    """One statement of the text: its kind (the parser's node name), class and why."""

    kind: str
    risk: RiskClass
    tables: tuple[str, ...]
    functions: tuple[str, ...]
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "risk": str(self.risk),
            "tables": list(self.tables),
            "functions": list(self.functions),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class ColumnLineage:
    """An output column and the source columns (`schema.table.column`) it derives from."""

    output: str
    sources: tuple[str, ...]
    # Some of its values come from where lineage cannot follow: masking withholds it.
    unresolved: bool = False
    statement: int = 0  # which statement of the text returns this column
    # Its values went through more than a copy or cut of text: free text that
    # detectors could no longer read is withheld.
    transformed: bool = False
    # Its value is not exactly one source's value as stored: masking may not show
    # part of it (a ZIP's first digits, a date's year), it redacts it whole.
    computed: bool = False

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"output": self.output, "sources": list(self.sources)}
        if self.unresolved:
            out["unresolved"] = True
        if self.statement:
            out["statement"] = self.statement
        if self.transformed:
            out["transformed"] = True
        if self.computed:
            out["computed"] = True
        return out


@dataclass(frozen=True)
class Effect:
    """What a statement does to the session's names once the server has run it."""

    kind: str  # the parse node name: PrepareStmt, DeclareCursorStmt, DeallocateStmt, ...
    node: Node = field(compare=False, repr=False)  # the statement (pglast.ast)
    analysis: SqlAnalysis = field(compare=False, repr=False)

    @property
    def fields(self) -> Mapping[str, Any]:
        """The statement's set scalar fields by name (`name`, `isall`, `target`), enums
        by their name: what a front door needs to follow the session's names."""
        found: dict[str, Any] = {}
        for slot in self.node:
            value = getattr(self.node, slot, None)
            if isinstance(value, enum.Enum):
                found[slot] = value.name
            elif isinstance(value, str | int) and value is not False and value != 0:
                found[slot] = value
        return found


@dataclass(frozen=True)
class SqlAnalysis:
    """Everything the gateway understood about one SQL text."""

    risk: RiskClass
    statements: tuple[StatementInfo, ...]
    tables: tuple[str, ...]
    functions: tuple[str, ...]
    reasons: tuple[str, ...]
    lineage: tuple[ColumnLineage, ...] = ()
    predicate_columns: tuple[str, ...] = ()
    error: str | None = None
    columns: tuple[str, ...] = field(default=())
    # Per statement, what it does to a session's prepared statements and cursors.
    effects: tuple[Effect, ...] = field(default=(), compare=False, repr=False)
    # What the text runs by name (EXECUTE p, FETCH c): each name's definition as the
    # session learnt it (`definition_text`), filters and values included. Stored under a
    # name by a session, the analysis ends with that name's own definition.
    runs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "risk": str(self.risk),
            "statements": [s.to_json() for s in self.statements],
            "tables": list(self.tables),
            "columns": list(self.columns),
            "functions": list(self.functions),
            "reasons": list(self.reasons),
            "lineage": [c.to_json() for c in self.lineage],
            "predicate_columns": list(self.predicate_columns),
            "error": self.error,
        }

    @classmethod
    def unparsable(cls, message: str) -> SqlAnalysis:
        """Fail closed: text the parser rejects is `unknown`, with the parser's message."""
        reason = f"the statement does not parse: {message}"
        return cls(RiskClass.UNKNOWN, (), (), (), (reason,), error=message)

    @classmethod
    def combine(
        cls,
        statements: Sequence[StatementInfo],
        lineage: Sequence[ColumnLineage] = (),
        predicate_columns: Sequence[str] = (),
        columns: Sequence[str] = (),
        runs: Sequence[str] = (),
    ) -> SqlAnalysis:
        risk = most_severe((s.risk for s in statements), default=RiskClass.READ)
        reasons = _unique(r for s in statements for r in s.reasons)
        if not statements:
            risk, reasons = RiskClass.READ, ("the text holds no statement",)
        return cls(
            risk=risk,
            statements=tuple(statements),
            tables=_unique(t for s in statements for t in s.tables),
            functions=_unique(f for s in statements for f in s.functions),
            reasons=reasons,
            lineage=tuple(lineage),
            predicate_columns=_unique(predicate_columns),
            columns=_unique(columns),
            runs=_unique(runs),
        )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# What `Catalog.definition` answers for a relation whose rows are not a table's and
# whose definition cannot be read (a foreign table, a view whose text is not shown).
OPAQUE = ""


class Catalog(Protocol):
    """The upstream's relations and their columns, so lineage can expand `*` and `t.*`,
    and follow a view to the columns it reads."""

    def columns(self, table: str) -> Sequence[str] | None:
        """The columns of `schema.table` in order, or None when the table is unknown."""

    def definition(self, table: str) -> str | None:
        """The query of view or materialized view `schema.table` (SQL text), `OPAQUE`
        for any other relation that is not a plain table, None for a plain table (or
        one unknown here)."""

    def named(self, relname: str) -> Sequence[str]:
        """Every relation called `relname`, as `schema.table`, in any schema."""


class StaticCatalog:
    """A catalog from a mapping `{"schema.table": [column, ...]}` (tests, configuration),
    with the definitions of its relations that are not plain tables."""

    def __init__(
        self,
        tables: Mapping[str, Sequence[str]],
        definitions: Mapping[str, str] | None = None,
    ) -> None:
        self._tables = {name: tuple(cols) for name, cols in tables.items()}
        self._definitions = dict(definitions or {})
        self._named: dict[str, tuple[str, ...]] = {}
        for table in self._tables:
            relname = table.split(".", 1)[-1]
            self._named[relname] = (*self._named.get(relname, ()), table)

    def columns(self, table: str) -> Sequence[str] | None:
        return self._tables.get(table)

    def definition(self, table: str) -> str | None:
        return self._definitions.get(table)

    def named(self, relname: str) -> Sequence[str]:
        return self._named.get(relname, ())

    def knows(self, table: str) -> bool:
        """Whether `schema.table` is a relation of this catalog."""
        return table in self._tables
