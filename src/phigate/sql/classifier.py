"""`classify()` and `SessionClassifier`: from SQL text to a `SqlAnalysis`.

The text is parsed once by libpg_query (PostgreSQL's own grammar) and every
statement is classified by its kind and by a walk over its whole tree. Text
that does not parse, and any failure while analysing, is `unknown`: the
gateway fails closed.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pglast
from pglast import ast
from pglast.ast import Node
from pglast.stream import RawStream

from phigate.core.risk import RiskClass, most_severe
from phigate.sql import lineage as lineage_mod
from phigate.sql._tree import TreeWalk, enum_name
from phigate.sql.functions import normalise_extra
from phigate.sql.model import Catalog, ColumnLineage, Effect, SqlAnalysis, StatementInfo
from phigate.sql.statements import explain_analyzes, statement_base, statement_kind

ExtraKey = tuple[tuple[str, RiskClass], ...]

_CURSOR_OPT_HOLD = 0x0020  # PostgreSQL's parsenodes.h: DECLARE ... WITH HOLD
# Transaction statements that leave every portal (and cursor) as it was; any other
# ends some (COMMIT, ROLLBACK, ROLLBACK TO, PREPARE TRANSACTION, ...).
_KEEP_PORTALS = frozenset({"TRANS_STMT_BEGIN", "TRANS_STMT_START", "TRANS_STMT_SAVEPOINT"})
_KEEP_PORTALS |= {"TRANS_STMT_RELEASE"}  # a released subtransaction's portals pass up
_ROLLBACKS = frozenset({"TRANS_STMT_ROLLBACK", "TRANS_STMT_ROLLBACK_TO"})
_ROLLBACKS |= {"TRANS_STMT_ROLLBACK_PREPARED"}


def ends_portals(stmt: Node) -> bool:
    """Whether a transaction statement, once run, may have ended portals and cursors."""
    return enum_name(getattr(stmt, "kind", None)) not in _KEEP_PORTALS


def refers_to_names(analysis: SqlAnalysis) -> bool:
    """Whether the text runs a cursor or a prepared statement by name (FETCH, MOVE,
    EXECUTE, also under EXPLAIN or CREATE TABLE AS): what it means then depends on what
    that name means when it runs."""
    return any(_names_any(effect.node) for effect in analysis.effects)


def _names_any(node: object) -> bool:
    """PostgreSQL's grammar admits EXECUTE and FETCH/MOVE only as a statement of their
    own, as what EXPLAIN explains, and as what CREATE TABLE AS stores (never in a
    query, a PREPARE, a DECLARE or a COPY): those are the places looked at."""
    while isinstance(node, (ast.ExplainStmt, ast.CreateTableAsStmt)):
        node = node.query
    return isinstance(node, (ast.ExecuteStmt, ast.FetchStmt))


def definition_text(
    stmts: Sequence[object], types: Sequence[int] = (), params: object = None
) -> str:
    """What a name is defined to run, as bound into an approval of a text that runs it
    by name (`SqlAnalysis.runs`): the defining statements deparsed (PostgreSQL's grammar,
    one spelling whatever the whitespace, case or comments), literals and filters
    included, then a protocol Parse's declared parameter types and a portal's bound
    values. A tree the deparser cannot write is a definition nothing else equals."""
    try:
        text = "; ".join(RawStream()(_node(stmt)) for stmt in stmts)
    except Exception:  # fail closed: no approval binds across it
        return f"undeparsable {secrets.token_hex(16)}"
    if types:
        text += f" -- parameter types {list(types)}"
    if params is not None:
        text += f" -- bound {json.dumps(params, sort_keys=True, default=str)}"
    return text


def _node(stmt: object) -> Node:
    if not isinstance(stmt, Node):
        raise TypeError(f"not a parse tree node: {type(stmt).__name__}")
    return stmt


def _text_definition(text: str, types: Sequence[int] = (), params: object = None) -> str:
    """`definition_text` of a protocol Parse's text; one that does not parse, as sent."""
    parsed = _parse(text)
    if isinstance(parsed, str):
        return f"unparsed {text!r}"
    return definition_text(parsed, types, params)


def _defined(analysis: SqlAnalysis, definition: str) -> SqlAnalysis:
    """`analysis` as stored under a name: what it runs by name, then its own definition."""
    return dataclasses.replace(analysis, runs=(*analysis.runs, definition))


@functools.lru_cache(maxsize=4096)
def _parse(sql: str) -> tuple[object, ...] | str:
    """The statement nodes of `sql`, or the parser's message. Cached: callers must not mutate."""
    if "\x00" in sql:
        # libpg_query reads a C string: it would silently stop at the NUL.
        return "the text contains a NUL character"
    try:
        raws = pglast.parse_sql(sql)
    except Exception as exc:  # the parser raises ParseError, ValueError (NUL bytes), ...
        return str(exc)
    return tuple(raw.stmt for raw in raws)


@dataclass
class _SessionState:
    """Prepared statements and cursors by name, as the server holds them.

    A wire session's state changes only when the upstream acknowledges a
    statement (`SessionClassifier.acknowledge`); while one text is classified,
    its earlier statements change a scratch copy, so `PREPARE p ...; EXECUTE p`
    in one Query is understood without the state running ahead of the server.
    """

    prepared: dict[str, SqlAnalysis] = field(default_factory=dict)
    cursors: dict[str, SqlAnalysis] = field(default_factory=dict)
    holdable: set[str] = field(default_factory=set)  # cursors declared WITH HOLD

    def copy(self) -> _SessionState:
        return _SessionState(dict(self.prepared), dict(self.cursors), set(self.holdable))

    def prepared_risk(self, name: str) -> RiskClass | None:
        found = self._runnable(name)
        return None if found is None else found.risk

    def _runnable(self, name: str) -> SqlAnalysis | None:
        """What the prepared statement `name` runs, if that is known now. One that
        itself runs a cursor or another prepared statement (a protocol Parse of `FETCH`
        or `EXECUTE`) means what that name means when it runs, which its analysis
        (made earlier) may not say: unknown here."""
        found = self.prepared.get(name)
        return None if found is None or refers_to_names(found) else found

    def cursor_risk(self, name: str) -> RiskClass | None:
        found = self.cursors.get(name)
        return None if found is None else found.risk

    def after(self, effect: Effect) -> None:
        """Update the state as the server does once it has run the statement."""
        stmt, analysis = effect.node, effect.analysis
        if isinstance(stmt, ast.PrepareStmt):
            self.prepared[stmt.name or ""] = _defined(analysis, definition_text([stmt]))
        elif isinstance(stmt, ast.DeclareCursorStmt):
            self.cursors[stmt.portalname or ""] = _defined(analysis, definition_text([stmt]))
            if (stmt.options or 0) & _CURSOR_OPT_HOLD:
                self.holdable.add(stmt.portalname or "")
            else:
                self.holdable.discard(stmt.portalname or "")
        elif isinstance(stmt, ast.DeallocateStmt):
            self._drop(self.prepared, stmt.name, bool(stmt.isall))
        elif isinstance(stmt, ast.ClosePortalStmt):
            # CLOSE ALL has no portal name.
            self._drop(self.cursors, stmt.portalname, not stmt.portalname)
        elif isinstance(stmt, ast.DiscardStmt) and enum_name(stmt.target) == "DISCARD_ALL":
            self.prepared.clear()
            self.cursors.clear()
        elif isinstance(stmt, ast.TransactionStmt) and ends_portals(stmt):
            self.end_transaction(enum_name(stmt.kind) in _ROLLBACKS)

    def end_transaction(self, rolled_back: bool) -> None:
        """The transaction (or subtransaction) ended: cursors not WITH HOLD end with it.
        A rollback may also undo a WITH HOLD cursor declared in it: when unsure, forget."""
        for name in list(self.cursors):
            if rolled_back or name not in self.holdable:
                del self.cursors[name]
        self.holdable &= set(self.cursors)

    @staticmethod
    def _drop(names: dict[str, SqlAnalysis], name: object, everything: bool) -> None:
        if everything:
            names.clear()
        else:
            names.pop(str(name), None)

    def referenced(self, stmt: Node) -> SqlAnalysis | None:
        """The analysis an EXECUTE or FETCH runs, if known."""
        if isinstance(stmt, ast.ExecuteStmt):
            return self._runnable(stmt.name or "")
        if isinstance(stmt, ast.FetchStmt):
            return self.cursors.get(stmt.portalname or "")
        return None


class _Analyser:
    """Classifies the statements of one text against a session state."""

    def __init__(
        self, extra: Mapping[str, RiskClass], catalog: Catalog | None, state: _SessionState
    ) -> None:
        self.extra = extra
        self.catalog = catalog
        self.state = state

    def text(self, sql: str) -> SqlAnalysis:
        parsed = _parse(sql)
        if isinstance(parsed, str):
            return SqlAnalysis.unparsable(parsed)
        return self.tree(parsed)

    def tree(self, stmts: tuple[object, ...]) -> SqlAnalysis:
        """Classify parsed statements; any failure while analysing is `unknown`."""
        try:
            return self._statements(stmts)
        except Exception as exc:  # fail closed: a bug here must not let a statement through
            reason = f"the gateway could not analyse the statement ({type(exc).__name__}: {exc})"
            return SqlAnalysis(RiskClass.UNKNOWN, (), (), (), (reason,))

    def _statements(self, stmts: tuple[object, ...]) -> SqlAnalysis:
        infos: list[StatementInfo] = []
        runs: list[str] = []
        lineage: list[ColumnLineage] = []
        predicates: list[str] = []
        columns: list[str] = []
        effects: list[Effect] = []
        state = self.state.copy()
        for index, stmt in enumerate(stmts):
            one = self.statement(stmt, state)
            infos.extend(one.statements)
            # Each entry names its statement: a Query's results are masked one by one.
            lineage.extend(dataclasses.replace(c, statement=index) for c in one.lineage)
            predicates.extend(one.predicate_columns)
            columns.extend(one.columns)
            runs.extend(one.runs)
            if isinstance(stmt, Node):
                effect = Effect(type(stmt).__name__, stmt, one)
                effects.append(effect)
                state.after(effect)
        combined = SqlAnalysis.combine(infos, lineage, predicates, columns, runs)
        return dataclasses.replace(combined, effects=tuple(effects))

    def statement(self, stmt: object, state: _SessionState) -> SqlAnalysis:
        if not isinstance(stmt, Node):
            return SqlAnalysis(RiskClass.UNKNOWN, (), (), (), ("unrecognised parse tree",))
        name = type(stmt).__name__
        base_risk, base_reason = statement_base(stmt, state)
        taken = (stmt.name or "") if isinstance(stmt, ast.PrepareStmt) else None
        if taken is not None and taken in state.prepared:
            # The server refuses it (42P05) and keeps the old statement; refusing here
            # too means no text can pass as the new meaning of a live name.
            base_risk = RiskClass.UNKNOWN
            base_reason = f"prepared statement {taken!r} already exists in this session"
        walk = TreeWalk(
            self.extra,
            lambda inner: statement_base(inner, state),
            executes=not isinstance(stmt, ast.ExplainStmt) or explain_analyzes(stmt),
        )
        walk.visit(stmt)
        facts = walk.facts
        tables, functions = list(facts.tables), list(facts.functions)
        referenced = state.referenced(stmt)
        if referenced is not None:
            tables.extend(referenced.tables)
            functions.extend(referenced.functions)
        found = [(base_risk, base_reason), *((r, why) for r, why in facts.findings)]
        info = StatementInfo(
            kind=statement_kind(name),
            risk=most_severe(r for r, _ in found),
            tables=tuple(dict.fromkeys(tables)),
            functions=tuple(dict.fromkeys(functions)),
            reasons=_reasons(found),
        )
        return self._with_lineage(info, stmt, referenced)

    def _with_lineage(
        self, info: StatementInfo, stmt: Node, referenced: SqlAnalysis | None
    ) -> SqlAnalysis:
        if referenced is not None:
            return SqlAnalysis.combine(
                [info],
                referenced.lineage,
                referenced.predicate_columns,
                referenced.columns,
                referenced.runs,
            )
        result = lineage_mod.statement_lineage(stmt, self.catalog)
        return SqlAnalysis.combine([info], result.outputs, result.predicates, result.columns)


def _reasons(found: list[tuple[RiskClass, str]]) -> tuple[str, ...]:
    """The base reason always; other reasons when they raise the class above read."""
    base = found[0][1]
    others = [why for risk, why in found[1:] if risk is not RiskClass.READ and why]
    return tuple(dict.fromkeys([base, *others]))


def _extra_key(extra_functions: Mapping[str, Any] | None) -> ExtraKey:
    return tuple(sorted(normalise_extra(extra_functions).items()))


@functools.lru_cache(maxsize=4096)
def _classify_cached(sql: str, extra: ExtraKey) -> SqlAnalysis:
    return _Analyser(dict(extra), None, _SessionState()).text(sql)


def classify(
    sql: str,
    *,
    extra_functions: Mapping[str, RiskClass | str] | None = None,
    catalog: Catalog | None = None,
) -> SqlAnalysis:
    """Classify SQL text on its own (no session): EXECUTE/FETCH of unknown names are unknown.

    Results without a catalog are cached by text; with a catalog only the parse is
    cached, since the catalog may change between calls.
    """
    extra = _extra_key(extra_functions)
    if catalog is None:
        return _classify_cached(sql, extra)
    return _Analyser(dict(extra), catalog, _SessionState()).text(sql)


class SessionClassifier:
    """Classifies the statements of one wire session against what the upstream holds.

    Classifying is pure. The session's prepared statements and cursors change only
    through `acknowledge` (a statement of a Query completed upstream),
    `acknowledge_parse` (ParseComplete), `open_portal` (a protocol Execute
    completed) and the `forget*` calls, so a statement the upstream refused
    never changes what a name means.
    """

    def __init__(
        self,
        *,
        extra_functions: Mapping[str, RiskClass | str] | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self._state = _SessionState()
        self._analyser = _Analyser(dict(_extra_key(extra_functions)), catalog, self._state)

    def classify(self, sql: str) -> SqlAnalysis:
        """Classify a simple-query text; EXECUTE p / FETCH c get the class of what they run."""
        return self._analyser.text(sql)

    def acknowledge(self, analysis: SqlAnalysis, index: int | None = None) -> None:
        """The upstream completed statement `index` of `analysis` (all of them: None)."""
        effects = analysis.effects if index is None else analysis.effects[index : index + 1]
        for effect in effects:
            self._state.after(effect)

    def prepare(self, name: str, sql: str) -> SqlAnalysis:
        """Classify a wire-protocol Parse of `sql` under statement name `name`; the name
        means it once the upstream answers ParseComplete (`acknowledge_parse`)."""
        return self._analyser.text(sql)

    def has_prepared(self, name: str) -> bool:
        return name in self._state.prepared

    def acknowledge_parse(
        self, name: str, analysis: SqlAnalysis, text: str, types: Sequence[int] = ()
    ) -> None:
        """ParseComplete: `name` runs `text` (with these declared parameter types)."""
        self._state.prepared[name] = _defined(analysis, _text_definition(text, types))

    def analysis_of_prepared(self, name: str) -> SqlAnalysis | None:
        return self._state.prepared.get(name)

    def forget(self, name: str) -> None:
        """DEALLOCATE or a wire-protocol Close of a statement."""
        self._state.prepared.pop(name, None)

    def open_portal(
        self,
        name: str,
        statement: SqlAnalysis,
        text: str,
        types: Sequence[int] = (),
        params: Sequence[object] = (),
    ) -> None:
        """A wire-protocol portal whose execution the upstream completed: SQL may go on
        to FETCH or MOVE in it, as asyncpg's `Cursor.forward` does, and that FETCH gets
        the class and lineage of the portal's statement (`text`, bound to `params`)."""
        if name:  # the unnamed portal cannot be named in SQL
            definition = _text_definition(text, types, list(params))
            self._state.cursors[name] = _defined(statement, definition)

    def cursor(self, name: str) -> SqlAnalysis | None:
        """What the cursor (or completed portal) `name` runs, if this session defined it."""
        return self._state.cursors.get(name)

    def forget_cursors(self) -> None:
        """Code the gateway cannot see ran, and may have closed or opened any cursor."""
        self._state.cursors.clear()
        self._state.holdable.clear()

    def forget_cursor(self, name: str) -> None:
        """CLOSE, a wire-protocol Bind or Close of a portal, or the end of its transaction."""
        self._state.cursors.pop(name, None)
        self._state.holdable.discard(name)
