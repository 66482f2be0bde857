"""The walk of FROM: the relations a query's FROM items put in scope, through
CTEs, subqueries, joins, functions and views (whose query is walked as a
subquery, `_VIEW_DEPTH` deep), with the conditions joins and samples add.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

import pglast
from pglast import ast
from pglast.ast import Node

from phigate.sql._lineage_expressions import _Walk
from phigate.sql._lineage_outputs import _rename
from phigate.sql._lineage_scope import _EMPTY, Outputs, Scopes, _derived, _Relation
from phigate.sql._marks import COMPUTED, UNORDERED, UNRESOLVED
from phigate.sql._tree import relation_name, strings
from phigate.sql.functions import STORED
from phigate.sql.model import OPAQUE

_VIEW_DEPTH = 8  # views over views followed; deeper ones are of unknown origin


class _FromItems(_Walk):
    """FROM items, for the query walk (`lineage._Builder`)."""

    def from_clause(
        self, items: Sequence[object], outer: Scopes, ctes: dict[str, Outputs]
    ) -> list[_Relation]:
        level: list[_Relation] = []
        for item in items:
            # LATERAL items see the items before them, so resolve with the level so far.
            level.extend(self.from_item(item, [level, *outer], ctes))
        return level

    def from_item(self, item: object, scopes: Scopes, ctes: dict[str, Outputs]) -> list[_Relation]:
        if not isinstance(item, Node):
            return []
        alias: ast.Alias | None = getattr(item, "alias", None)
        alias_name = str(alias.aliasname or "") if alias is not None else ""
        colnames = strings(alias.colnames) if alias is not None else ()
        if isinstance(item, ast.RangeVar):
            return [self._range_var(item, alias, ctes)]
        if isinstance(item, ast.RangeSubselect):
            visible = scopes if item.lateral else scopes[1:]
            outputs = self.query(item.subquery, visible, ctes)
            return [_derived(alias_name, _rename(outputs, colnames))]
        if isinstance(item, ast.JoinExpr):
            return self._join(item, scopes, ctes)
        if isinstance(item, ast.RangeTableSample):
            # The percentage and the seed decide which rows come back.
            self.predicate((item.args, item.repeatable), scopes, ctes)
            return self.from_item(item.relation, scopes, ctes)
        # Functions, XMLTABLE, JSON_TABLE: every column derives from all the arguments.
        found: set[str] = set()
        self._collect_children(item, scopes, ctes, found)
        self.used.update(found)
        sources = frozenset(found)
        if not isinstance(item, ast.RangeFunction):
            # XMLTABLE and JSON_TABLE filter rows by a path (`[. > 5]`, `? (@ > 5)`)
            # and fail on a typed column's value (`v int PATH '.'`, ERROR ON ERROR):
            # everything they read is a condition, as is any FROM item not known here.
            self._note_predicate(sources)
        if sources:
            # A function's columns are computed from its arguments, never one of them,
            # and are of types lineage does not read.
            sources |= {COMPUTED, UNORDERED}
        relation = _Relation(alias=alias_name or _function_alias(item), fallback=sources)
        names = colnames or _column_definitions(item)
        if names:
            relation.columns = dict.fromkeys(names, sources)
        return [relation]

    def _range_var(
        self, rel: ast.RangeVar, alias: ast.Alias | None, ctes: dict[str, Outputs]
    ) -> _Relation:
        relname = str(rel.relname)
        name = str(alias.aliasname) if alias is not None and alias.aliasname else relname
        colnames = strings(alias.colnames) if alias is not None else ()
        if rel.schemaname is None and relname in ctes:
            return _derived(name, _rename(ctes[relname], colnames))
        table = relation_name(rel)
        known = self.catalog.columns(table) if self.catalog is not None else None
        definition = self.catalog.definition(table) if self.catalog is not None else None
        if known is None and rel.schemaname is None and self.catalog is not None:
            table, known, definition = self._elsewhere(table, relname)
        if definition is not None:
            # A view, a materialized view, a foreign table: its columns are what its
            # query reads (or stored text of unknown origin), never what they are called.
            relation = _derived(name, _rename(self._view(table, definition, known), colnames))
            return relation
        if known is None and colnames:
            # `patients AS p(a, b)` over unknown columns: which column `b` is, is not
            # known; each renamed one may be any of the table's.
            whole = frozenset({f"{table}.*", UNRESOLVED})
            renamed = dict.fromkeys(colnames, whole)
            return _Relation(alias=name, table=table, columns={**renamed, "*": whole})
        if known is None:
            return _Relation(alias=name, table=table)
        outputs = [(c, frozenset({f"{table}.{c}"})) for c in known]
        relation = _derived(name, _rename(outputs, colnames))
        relation.table = table
        return relation

    def _elsewhere(self, table: str, relname: str) -> tuple[str, Sequence[str] | None, str | None]:
        """An unqualified relation not in `public`: one of the same name in another
        schema, reached through the session's search_path, which is not known here.
        When any such one is not a plain table, it is followed if it is the only one,
        else its columns are of unknown origin; plain tables stay read by name."""
        assert self.catalog is not None
        others = [t for t in self.catalog.named(relname) if t != table]
        if not any(self.catalog.definition(t) is not None for t in others):
            return table, None, None
        if len(others) == 1:
            return others[0], self.catalog.columns(others[0]), self.catalog.definition(others[0])
        columns = dict.fromkeys(c for t in others for c in self.catalog.columns(t) or ())
        return table, tuple(columns), OPAQUE

    def _view(self, table: str, definition: str, known: Sequence[str] | None) -> Outputs:
        """The columns of relation `table`, which is not a plain table: its query's
        lineage (conditions included) named as the view names them, walked like a
        subquery, views in it too, `_VIEW_DEPTH` deep. A relation whose query is not
        read here (a foreign table, a definition that does not parse or line up with
        its columns, one too deep) has columns of unknown origin."""
        columns = tuple(known or ())
        query = _view_query(definition) if self.depth < _VIEW_DEPTH else None
        if query is None or not columns:
            return _opaque(table, columns)
        self.depth += 1
        try:
            outputs = self.query(query, [], {})
        finally:
            self.depth -= 1
        if len(outputs) != len(columns) or any(n == "*" for n, _ in outputs):
            return _opaque(table, columns)
        return [(c, s) for c, (_, s) in zip(columns, outputs, strict=True)]

    def _join(
        self, join: ast.JoinExpr, scopes: Scopes, ctes: dict[str, Outputs]
    ) -> list[_Relation]:
        left = self.from_item(join.larg, scopes, ctes)
        right = self.from_item(join.rarg, [left + scopes[0], *scopes[1:]], ctes)
        both = left + right
        inner = [both + scopes[0], *scopes[1:]]
        self.predicate(join.quals, inner, ctes)
        for column in strings(join.usingClause):
            # USING compares the column of each side, not just the one a name finds.
            for rel in both:
                self._note_predicate(rel.column(column) or _EMPTY)
        if join.isNatural:
            # Joined on every column the two sides share, which are not named here.
            self._note_predicate(s for rel in both for s in rel.whole_row())
        alias = join.alias.aliasname if join.alias is not None else None
        if alias is None:
            return both
        merged: Outputs = [o for rel in both for o in rel.expand()]
        return [_derived(alias, merged)]


@functools.lru_cache(maxsize=512)
def _view_query(definition: str) -> Node | None:
    """The query of a view's definition (`pg_get_viewdef`), or None when it is not one
    query this walk reads."""
    if definition == OPAQUE:
        return None
    try:
        parsed = pglast.parse_sql(definition)
    except pglast.parser.ParseError:
        return None
    if len(parsed) != 1 or not isinstance(parsed[0].stmt, ast.SelectStmt):
        return None
    stmt: Node = parsed[0].stmt
    return stmt


def _opaque(table: str, columns: Sequence[str]) -> Outputs:
    """Columns of unknown origin: stored text no name judges, withheld whole, and
    a condition on one is a condition on unknown stored text."""
    unknown = frozenset({f"{table}.{STORED}", UNRESOLVED, COMPUTED, UNORDERED})
    if not columns:
        return [("*", unknown)]
    return [(c, unknown | {f"{table}.{c}"}) for c in columns]


def _function_items(item: Node) -> Iterator[tuple[object, ...]]:
    """The `(call, column definitions)` pairs of ROWS FROM / a function in FROM."""
    for pair in getattr(item, "functions", None) or ():
        if isinstance(pair, tuple):
            yield pair


def _column_definitions(item: Node) -> tuple[str, ...]:
    """Column names a function's column definition list gives (`AS x(a text, b int)`)."""
    defs = list(getattr(item, "coldeflist", None) or ())
    for parts in _function_items(item):
        if len(parts) > 1 and isinstance(parts[1], tuple):
            defs.extend(parts[1])
    return tuple(str(d.colname or "") for d in defs if isinstance(d, ast.ColumnDef))


def _function_alias(item: Node) -> str:
    for parts in _function_items(item):
        for part in parts:
            if isinstance(part, ast.FuncCall):
                return strings(part.funcname)[-1]
    return ""
