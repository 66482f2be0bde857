"""Column lineage: which source columns (`schema.table.column`) feed each result column.

Masking needs to know that `upper(p.ssn) AS x` is the ssn, that `json_agg(p)`
is every column of `patients`, and that `WHERE ssn LIKE '1%'` uses the ssn as an
oracle. The walk resolves names the way PostgreSQL does (innermost scope first,
CTEs before tables, column names before whole-row aliases) and over-approximates
where it cannot know: an unqualified column over several tables whose columns
are unknown is attributed to each of them, and `*` over a table the catalog does
not know is reported as `schema.table.*`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pglast
from pglast import ast
from pglast.ast import Node

from phigate.sql._marks import (
    COMPUTED,
    FILTERING,
    MARKERS,
    TRANSFORMED,
    UNORDERED,
    UNRESOLVED,
    marked,
)
from phigate.sql._tree import children, enum_name, relation_name, strings
from phigate.sql.functions import (
    SCALAR_RESULTS,
    SET_RETURNING,
    STORED,
    compares_argument,
    function_key,
    stored_source,
    total_argument,
    words,
)
from phigate.sql.model import OPAQUE, Catalog, ColumnLineage
from phigate.sql.statements import explain_analyzes

Sources = frozenset[str]
Outputs = list[tuple[str, Sources]]
_EMPTY: Sources = frozenset()
_Modifying = ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt | ast.MergeStmt


@dataclass(frozen=True)
class LineageResult:
    """Lineage of one statement: outputs, predicate (oracle) columns, every column used."""

    outputs: tuple[ColumnLineage, ...] = ()
    predicates: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()


@dataclass
class _Relation:
    """One FROM item in scope: its alias and where each of its columns comes from."""

    alias: str
    table: str | None = None  # the base table, `schema.table`
    columns: dict[str, Sources] | None = None  # None: unknown (no catalog entry)
    fallback: Sources = _EMPTY  # function results: every column derives from the arguments

    def column(self, name: str) -> Sources | None:
        if self.columns is not None:
            found = self.columns.get(name)
            star = self.columns.get("*")
            # A `*` over a table the catalog does not know may hold any column name.
            return found if found is not None or star is None else _star_column(star, name)
        if self.table is not None:
            return frozenset({f"{self.table}.{name}"})
        return self.fallback

    def expand(self) -> Outputs:
        if self.columns is not None:
            return list(self.columns.items())
        if self.table is not None:
            return [("*", frozenset({f"{self.table}.*"}))]
        if self.fallback:  # a function's record over columns: not told apart
            return [("*", self.fallback | {UNRESOLVED})]
        return [("*", _EMPTY)]

    def whole_row(self) -> Sources:
        return frozenset().union(*(s for _, s in self.expand()))


Scopes = list[list[_Relation]]  # innermost level first
_VIEW_DEPTH = 8  # views over views followed; deeper ones are of unknown origin


@dataclass
class _Builder:
    catalog: Catalog | None
    predicates: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    depth: int = 0  # views being followed (`_view`)

    # --- queries --------------------------------------------------------------------
    def query(self, node: object, outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        if not isinstance(node, ast.SelectStmt | _Modifying):
            return []
        if node.withClause is not None:
            ctes = self.with_clause(node.withClause, outer, ctes)
        if isinstance(node, ast.SelectStmt):
            return self.select(node, outer, ctes)
        return self.modifying(node, outer, ctes)

    def with_clause(
        self, clause: ast.WithClause, outer: Scopes, ctes: dict[str, Outputs]
    ) -> dict[str, Outputs]:
        ctes = dict(ctes)
        for cte in clause.ctes or ():
            assert isinstance(cte, ast.CommonTableExpr)
            name, body = str(cte.ctename), cte.ctequery
            names = strings(cte.aliascolnames)
            if clause.recursive:
                ctes[name] = _rename(self._recursive_seed(body, outer, ctes), names)
                for _ in range(4):  # propagate through the recursion until stable
                    ctes[name] = _rename(_merge(ctes[name], self.query(body, outer, ctes)), names)
            else:
                ctes[name] = _rename(self.query(body, outer, ctes), names)
            ctes[name] = self._search_and_cycle(cte, ctes[name])
        return ctes

    def _search_and_cycle(self, cte: ast.CommonTableExpr, outputs: Outputs) -> Outputs:
        """SEARCH ... BY k orders rows by k, CYCLE k compares each k with those on its
        path: conditions on k. The columns they add (the order, the mark, the path of
        k values) derive from k."""
        added: Outputs = []
        for clause, columns in (
            (cte.search_clause, ("search_seq_column",)),
            (cte.cycle_clause, ("cycle_mark_column", "cycle_path_column")),
        ):
            if clause is None:
                continue
            keys = strings(getattr(clause, "search_col_list", None)) + strings(
                getattr(clause, "cycle_col_list", None)
            )
            sources = frozenset(s for n, src in outputs if n in keys or n == "*" for s in src)
            self._note_predicate(sources)
            self.used.update(sources)
            # The path is an array of records of k.
            derived = sources | {TRANSFORMED, COMPUTED, UNORDERED}
            added += [(str(getattr(clause, c) or ""), derived) for c in columns]
        return [*outputs, *added]

    def _recursive_seed(self, body: object, outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        if isinstance(body, ast.SelectStmt) and body.larg is not None:
            return self.query(body.larg, outer, ctes)
        return []

    def select(self, node: ast.SelectStmt, outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        op = enum_name(node.op, "SETOP_NONE")
        if op != "SETOP_NONE":
            left = self.query(node.larg, outer, ctes)
            right = self.query(node.rarg, outer, ctes)
            outputs = _merge(left, right)
            if op != "SETOP_UNION" or not node.all:
                # INTERSECT, EXCEPT and UNION's de-duplication compare the values.
                self._note_predicate(s for _, src in outputs for s in src)
            self._order_by(node, outputs, [[], *outer], ctes)
            for limit in (node.limitCount, node.limitOffset):
                self.predicate(limit, [[], *outer], ctes)
            return outputs
        if node.valuesLists:
            # `VALUES ... ORDER BY 2 LIMIT 1`: the order and count read the rows.
            rows = self._values(node.valuesLists, outer, ctes)
            self._order_by(node, rows, [[], *outer], ctes)
            for limit in (node.limitCount, node.limitOffset):
                self.predicate(limit, [[], *outer], ctes)
            return rows
        level = self.from_clause(node.fromClause or (), outer, ctes)
        scopes = [level, *outer]
        outputs = self.targets(node.targetList or (), scopes, ctes)
        # LIMIT and OFFSET decide how many rows come back: a count computed from a
        # column reads it back as surely as a WHERE on it.
        for condition in (node.whereClause, node.havingClause, node.limitCount, node.limitOffset):
            self.predicate(condition, scopes, ctes)
        self._distinct(node.distinctClause, outputs, scopes, ctes)
        self.predicate(node.windowClause, scopes, ctes)
        self._order_by(node, outputs, scopes, ctes)
        return outputs

    def _distinct(
        self,
        clause: Sequence[object] | None,
        outputs: Outputs,
        scopes: Scopes,
        ctes: dict[str, Outputs],
    ) -> None:
        """DISTINCT compares every output; DISTINCT ON its expressions (ordinals too)."""
        if clause is None:
            return
        items = [item for item in clause if item is not None]
        if not items:  # plain DISTINCT: `(None,)`
            self._note_predicate(s for _, src in outputs for s in src)
            return
        for item in items:
            self._output_reference(item, outputs, scopes, ctes)

    def _values(self, rows: Sequence[object], outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        outputs: Outputs = []
        for row in rows:
            items = row if isinstance(row, tuple) else ()
            current = [
                (f"column{i + 1}", self._ordered(marked(self.expr(e, outer, ctes), e), e, outer))
                for i, e in enumerate(items)
            ]
            outputs = _merge(outputs, current) if outputs else current
        return outputs

    def _order_by(
        self, node: ast.SelectStmt, outputs: Outputs, scopes: Scopes, ctes: dict[str, Outputs]
    ) -> None:
        for item in node.sortClause or ():
            self._output_reference(getattr(item, "node", None), outputs, scopes, ctes)
        for target in _grouping_items(node.groupClause or ()):
            self._output_reference(target, outputs, scopes, ctes, input_first=True)

    def _output_reference(
        self,
        target: object,
        outputs: Outputs,
        scopes: Scopes,
        ctes: dict[str, Outputs],
        input_first: bool = False,
    ) -> None:
        """An ORDER BY, GROUP BY or DISTINCT ON item: a condition on what it names.

        PostgreSQL reads a bare integer as an output's position and a bare name as
        an output's name (`findTargetlistEntrySQL92`), except that in GROUP BY a
        name is first an input column. Whether the input has that column is not
        always known here (a table outside the catalog), so in GROUP BY both
        readings are conditions; in ORDER BY and DISTINCT ON an output name wins.
        """
        position = _int_const(target)
        if position is not None:
            self._note_predicate(_at_position(outputs, position))
            return
        ref = _single_name(target)
        named = [src for name, src in outputs if name == ref] if ref is not None else []
        for sources in named:
            self._note_predicate(sources)
        if ref is not None and not named:
            # A name no output has may be one behind a `*` (the ORDER BY of a set
            # operation reads only output names: no FROM resolves it there).
            self._note_predicate(_behind_star(outputs, ref))
        if input_first or not named:
            self.predicate(target, scopes, ctes)

    def modifying(self, node: _Modifying, outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        level = self.from_clause((node.relation,), outer, ctes)
        extra = (
            *(getattr(node, "fromClause", None) or ()),
            *(getattr(node, "usingClause", None) or ()),
        )
        level += self.from_clause(extra, [level, *outer], ctes)
        source = getattr(node, "sourceRelation", None)
        if source is not None:
            level += self.from_clause((source,), outer, ctes)
        scopes = [level, *outer]
        self.predicate(getattr(node, "whereClause", None), scopes, ctes)
        self.predicate(getattr(node, "joinCondition", None), scopes, ctes)
        returning = node.returningClause
        exprs = returning.exprs if returning is not None else None
        return self.targets(exprs or (), scopes, ctes)

    # --- FROM -----------------------------------------------------------------------
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

    # --- target lists and expressions -------------------------------------------------
    def targets(self, items: Sequence[object], scopes: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        outputs: Outputs = []
        for item in items:
            target = item if isinstance(item, ast.ResTarget) else ast.ResTarget()
            value = target.val
            star = _star_ref(value)
            if star is not None:
                outputs.extend(self._star(star, scopes))
                continue
            if _expands_record(value):
                # `(expr).*`: as many columns as the record has, none told apart.
                outputs.append(("*", self.expr(value, scopes, ctes) | {UNRESOLVED, UNORDERED}))
                continue
            sources = self._ordered(marked(self.expr(value, scopes, ctes), value), value, scopes)
            outputs.append((target.name or _derived_name(value), sources))
        return outputs

    def _star(self, qualifier: tuple[str, ...], scopes: Scopes) -> Outputs:
        level = scopes[0] if scopes else []
        if not qualifier:
            return [o for rel in level for o in rel.expand()]
        rel = _find_relation(qualifier, scopes)
        if rel is None:
            return [(".".join(qualifier) + ".*", _EMPTY)]
        return rel.expand()

    def predicate(self, node: object, scopes: Scopes, ctes: dict[str, Outputs]) -> None:
        if node is not None:
            self._note_predicate(self.expr(node, scopes, ctes))

    def _note_predicate(self, sources: Iterable[str]) -> None:
        self.predicates.update(sources)

    def expr(self, node: object, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        found: set[str] = set()
        self._collect(node, scopes, ctes, found)
        self.used.update(found)
        return frozenset(found)

    def _collect(
        self,
        value: object,
        scopes: Scopes,
        ctes: dict[str, Outputs],
        found: set[str],
        part: bool = False,
    ) -> None:
        """Add the sources of `value` (a node or a tuple of them) to `found`.

        A node that is a part of another (the WindowDef of a JSON aggregate, a
        TypeName) is walked through, not dispatched as an expression of its own.
        """
        if isinstance(value, tuple):
            for item in value:
                self._collect(item, scopes, ctes, found)
            return
        if not isinstance(value, Node):
            return
        cls = type(value)
        special = None if part else _EXPRESSIONS.get(cls)
        if special is not None:
            found.update(special(self, value, scopes, ctes))
            return
        if cls in _PASSING:
            self._collect_children(value, scopes, ctes, found)
            return
        # Fail closed: a node the walk does not know may fail, compare or filter on
        # what it reads, so every column under it is a condition.
        inner: set[str] = set()
        self._collect_children(value, scopes, ctes, inner)
        self._note_predicate(inner)
        found.update(inner)

    def _collect_children(
        self, node: Node, scopes: Scopes, ctes: dict[str, Outputs], found: set[str]
    ) -> None:
        for child, part in children(node):
            self._collect(child, scopes, ctes, found, part)

    def _column_ref(self, ref: ast.ColumnRef, scopes: Scopes, _ctes: dict[str, Outputs]) -> Sources:
        parts = ref.fields or ()
        if parts and isinstance(parts[-1], ast.A_Star):
            rel = _find_relation(strings(parts[:-1]), scopes) if len(parts) > 1 else None
            if rel is not None:
                return rel.whole_row()
            return frozenset().union(*(r.whole_row() for r in (scopes[0] if scopes else [])))
        return self._resolve(strings(parts), scopes)

    def _resolve(self, parts: tuple[str, ...], scopes: Scopes) -> Sources:
        if len(parts) >= 2:
            rel = _find_relation(parts[:-1], scopes)
            found = rel.column(parts[-1]) if rel is not None else None
            if found is not None:
                return found
            # `p.name` where p is a whole-row column or composite: over-approximate.
            whole = _find_relation(parts[:1], scopes)
            return whole.whole_row() if whole is not None else _EMPTY
        return _resolve_single(parts[0], scopes) if parts else _EMPTY

    # --- whether a value is a scalar with an order -----------------------------------
    def _ordered(self, sources: Sources, value: object, scopes: Scopes) -> Sources:
        """`sources` of an output, marked UNORDERED unless `value` is proven a scalar
        with an order: the mark travels with the column through subqueries, CTEs and
        set operations, so a `min` over it there is a condition too."""
        if sources - MARKERS and not self._scalar(value, scopes):
            return sources | {UNORDERED}
        return sources

    def _scalar(self, node: object, scopes: Scopes) -> bool:
        """Whether `node` is proven a scalar of a type with an order, so comparing it
        cannot fail on a value. What is not proven is refused: a ROW constructor, an
        array, a whole-row reference, a field or element of a value, a function or
        operator whose result type is not known here."""
        if isinstance(node, ast.ColumnRef):
            parts = node.fields or ()
            if not parts or isinstance(parts[-1], ast.A_Star):
                return False
            return self._scalar_column(strings(parts), scopes)
        if isinstance(node, ast.TypeCast):
            type_name = node.typeName
            names = strings(type_name.names if type_name is not None else None)
            return (
                type_name is not None
                and not type_name.arrayBounds
                and bool(names)
                and names[-1] in _ORDERED_TYPES
            )
        if isinstance(node, ast.FuncCall):
            key = function_key(strings(node.funcname))
            args = node.args or ()
            if key in _PICKS_ARGUMENT and len(args) == 1:
                return self._scalar(args[0], scopes)
            return key in SCALAR_RESULTS
        if isinstance(node, ast.A_Expr):
            return self._scalar_operator(node, scopes)
        if isinstance(node, ast.CoalesceExpr | ast.MinMaxExpr):
            return all(self._scalar(a, scopes) for a in node.args or ())
        if isinstance(node, ast.CaseExpr):
            results = [getattr(w, "result", None) for w in node.args or ()]
            if node.defresult is not None:
                results.append(node.defresult)
            return all(self._scalar(r, scopes) for r in results)
        if isinstance(node, ast.CollateClause):
            return self._scalar(node.arg, scopes)
        if isinstance(node, ast.SubLink):
            return enum_name(node.subLinkType) == "EXISTS_SUBLINK"
        # Constants and parameters carry no column; tests return a boolean.
        return isinstance(node, _SCALAR_NODES)

    def _scalar_operator(self, op: ast.A_Expr, scopes: Scopes) -> bool:
        """A test (`=`, `IN`, `LIKE`, ...) returns a boolean; a value operator a scalar
        when its operands are (`||` of two arrays is an array); NULLIF its left."""
        kind = enum_name(op.kind, "AEXPR_OP")
        if kind == "AEXPR_NULLIF":
            return self._scalar(op.lexpr, scopes)
        name = strings(op.name)
        if kind != "AEXPR_OP" or (name and name[-1] in _BOOLEAN_OPERATORS):
            return True
        operands = [o for o in (op.lexpr, op.rexpr) if o is not None]
        return (
            bool(name)
            and name[-1] in _VALUE_OPERATORS
            and all(self._scalar(o, scopes) for o in operands)
        )

    def _scalar_column(self, parts: tuple[str, ...], scopes: Scopes) -> bool:
        """Whether a name is a column (not a whole row, a composite's field) whose
        sources carry no UNORDERED mark. A table's column counts as a scalar: the
        catalog names columns, not their types (docs/security.md)."""
        if len(parts) >= 2:
            rel = _find_relation(parts[:-1], scopes)
            found = rel.column(parts[-1]) if rel is not None else None
            return found is not None and UNORDERED not in found
        name = parts[0]
        for depth, level in enumerate(scopes):
            known = [r.columns[name] for r in level if r.columns is not None and name in r.columns]
            if known:
                return all(UNORDERED not in k for k in known)
            if any(r.alias == name for r in level):
                return False  # a whole row
            if any(r.columns is None or "*" in r.columns for r in level):
                # A guess over a table the catalog does not know; the name may as
                # well be a whole row further out.
                outer = scopes[depth:]
                whole = any(r.alias == name for lv in outer for r in lv)
                return not whole and UNORDERED not in _resolve_single(name, outer)
        return False

    def _sublink(self, link: ast.SubLink, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        before = set(self.predicates)
        outputs = self.query(link.subselect, scopes, ctes)
        test = self.expr(link.testexpr, scopes, ctes)
        if enum_name(link.subLinkType) == "EXISTS_SUBLINK":
            # EXISTS returns a boolean: its value derives from the subquery's conditions.
            return test | frozenset(self.predicates - before)
        values = test.union(*(s for _, s in outputs))
        if enum_name(link.subLinkType) == "ARRAY_SUBLINK":
            # `ARRAY(SELECT …)` joins its rows into one value, as `array_agg` does: a
            # value's length times rows a join multiplies can pass the 1 GB cap.
            self._note_predicate(values)
        return values

    def _case(self, case: ast.CaseExpr, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        conditions = self.expr(case.arg, scopes, ctes)
        results: set[str] = set()
        for when in case.args or ():
            conditions |= self.expr(getattr(when, "expr", None), scopes, ctes)
            results |= self.expr(getattr(when, "result", None), scopes, ctes)
        results |= self.expr(case.defresult, scopes, ctes)
        self._note_predicate(conditions)
        return conditions | results

    def _window(self, window: ast.WindowDef, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        sources = self.expr(
            (window.partitionClause, window.orderClause, window.startOffset, window.endOffset),
            scopes,
            ctes,
        )
        self._note_predicate(sources)
        return sources

    def _func_call(self, call: ast.FuncCall, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        self.predicate(call.agg_filter, scopes, ctes)
        self.predicate(call.agg_order, scopes, ctes)
        over = self._window(call.over, scopes, ctes) if call.over is not None else _EMPTY
        # The arguments and the ordering of an ordered-set aggregate.
        sources = self.expr((call.args, call.agg_order), scopes, ctes)
        key = function_key(strings(call.funcname))
        stored = stored_source(key)
        if stored is not None:
            # Its result is read from storage (or may be): stored text of its own.
            self.used.add(stored)
            sources |= {stored}
        if call.agg_distinct:
            # `array_agg(DISTINCT v)` compares every pair of values: how many are left
            # (one element or two) answers whether they are equal.
            self._note_predicate(sources)
        if key in SET_RETURNING:
            # How many rows a set-returning function yields depends on its arguments.
            self._note_predicate(sources)
        elif key in FILTERING:
            # A jsonpath filter (`? (@.mrn starts with "1")`) is a WHERE inside a value.
            self._note_predicate(sources)
        else:
            # It may fail on some values of an argument: failing or not is an answer.
            constants = [_str_const(arg) for arg in call.args or ()]
            compares = compares_argument(key)
            for index, arg in enumerate(call.args or ()):
                if _decodes_own_bytes(key, call, index):
                    continue
                if (
                    not total_argument(key, index, constants)
                    or _matches(key, call, index)
                    or (compares and not self._scalar(arg, scopes))
                ):
                    self._note_predicate(self.expr(arg, scopes, ctes))
        return sources | over


def _decodes_own_bytes(key: str, call: ast.FuncCall, index: int) -> bool:
    """Whether argument `index` of `convert_from(convert_to(x, 'E'), 'E')` is bytes
    just encoded in the encoding they are decoded from: valid, so decoding cannot fail
    (converting text to UTF-8 cannot either; `functions.total_argument`)."""
    args = call.args or ()
    if key != "convert_from" or index != 0 or len(args) != 2:
        return False
    inner = args[0]
    if not isinstance(inner, ast.FuncCall) or function_key(strings(inner.funcname)) != (
        "convert_to"
    ):
        return False
    inner_args = inner.args or ()
    encoding = _str_const(args[1])
    return (
        len(inner_args) == 2
        and encoding is not None
        and _str_const(inner_args[1]) is not None
        and encoding.lower() == str(_str_const(inner_args[1])).lower()
    )


def _matches(key: str, call: ast.FuncCall, index: int) -> bool:
    """Whether argument `index` is a condition though its position is total: any
    argument of a call with named ones, and x of `substring(x FROM pattern)` or
    `substring(x SIMILAR pattern ESCAPE e)`, NULL unless x matches (a test of x whose
    NULL a masked result still shows); only the positional form is total in x."""
    args = call.args or ()
    if call.func_variadic:
        # `format('%s', VARIADIC a)`: the array's elements fill positions no listing
        # reads, so none is known to be total.
        return True
    if any(isinstance(a, ast.NamedArgExpr) for a in args):
        # `json_object_agg(value => v, key => k) OVER ()`: a named argument is not at
        # the position `total_argument` reads, so none is known to be total.
        return True
    return key == "substring" and index == 0 and any(_int_const(a) is None for a in args[1:])


def _json_agg(
    self: _Builder,
    agg: ast.JsonArrayAgg | ast.JsonObjectAgg,
    scopes: Scopes,
    ctes: dict[str, Outputs],
) -> Sources:
    """JSON_ARRAYAGG and JSON_OBJECTAGG, as an ordinary aggregate: FILTER, ORDER BY
    and a window's PARTITION BY / ORDER BY decide what comes back, so they are
    conditions (`JSON_ARRAYAGG(id) OVER (ORDER BY ssn)` lists ids in ssn order),
    and so are the values, as for `json_agg`."""
    ctor = agg.constructor
    over = _EMPTY
    if ctor is not None:
        self.predicate(ctor.agg_filter, scopes, ctes)
        self.predicate(ctor.agg_order, scopes, ctes)
        over = self._window(ctor.over, scopes, ctes) if ctor.over is not None else _EMPTY
    order = ctor.agg_order if ctor is not None else None
    sources = self.expr((agg.arg, order), scopes, ctes)
    # It joins its values over rows a join can multiply: a value's length decides
    # whether the result passes the 1 GB cap (`functions.TOTAL`, `json_agg`).
    self._note_predicate(sources)
    _returning(self, ctor.output if ctor is not None else None, sources)
    return sources | over


def _json_value(
    self: _Builder, value: ast.JsonValueExpr, scopes: Scopes, ctes: dict[str, Outputs]
) -> Sources:
    """A value given to a JSON constructor passes as it is; `FORMAT JSON` parses it
    (text that is no JSON fails), which makes it a condition."""
    sources = self.expr(value.raw_expr, scopes, ctes)
    fmt = value.format
    if fmt is not None and enum_name(fmt.format_type, "JS_FORMAT_DEFAULT") != "JS_FORMAT_DEFAULT":
        self._note_predicate(sources)
    return sources


def _json_key_value(
    self: _Builder, pair: ast.JsonKeyValue, scopes: Scopes, ctes: dict[str, Outputs]
) -> Sources:
    """`key : value` of JSON_OBJECT and JSON_OBJECTAGG: a NULL key fails, and WITH
    UNIQUE KEYS compares the keys, so the key is a condition; the value passes."""
    key = self.expr(pair.key, scopes, ctes)
    self._note_predicate(key)
    return key | self.expr(pair.value, scopes, ctes)


def _json_constructor(
    self: _Builder,
    ctor: ast.JsonObjectConstructor | ast.JsonArrayConstructor,
    scopes: Scopes,
    ctes: dict[str, Outputs],
) -> Sources:
    """JSON_OBJECT and JSON_ARRAY: their pairs and values decide (`_json_key_value`,
    `_json_value`), and so does the type they return (`_returning`)."""
    sources = self.expr(ctor.exprs, scopes, ctes)
    _returning(self, ctor.output, sources)
    return sources


def _json_array_query(
    self: _Builder, ctor: ast.JsonArrayQueryConstructor, scopes: Scopes, ctes: dict[str, Outputs]
) -> Sources:
    """JSON_ARRAY(SELECT ...): the subquery's outputs, as ARRAY(SELECT ...) gives them;
    FORMAT JSON parses each and a RETURNING type may not take the result."""
    outputs = self.query(ctor.query, scopes, ctes)
    sources = frozenset().union(*(s for _, s in outputs))
    self.used.update(sources)
    fmt = ctor.format
    if fmt is not None and enum_name(fmt.format_type, "JS_FORMAT_DEFAULT") != "JS_FORMAT_DEFAULT":
        self._note_predicate(sources)
    _returning(self, ctor.output, sources)
    return sources


# What a JSON constructor can return for every value: RETURNING any other type (a
# `varchar(9)`, a domain, a number) coerces the result and may fail on its length
# or its text.
_JSON_RESULTS = words("json jsonb text")


def _returning(self: _Builder, output: ast.JsonOutput | None, sources: Sources) -> None:
    """A RETURNING type that may not take every result makes the inputs a condition."""
    type_name = output.typeName if output is not None else None
    if type_name is None:
        return
    names = strings(type_name.names)
    if not names or names[-1] not in _JSON_RESULTS or type_name.typmods or type_name.arrayBounds:
        self._note_predicate(sources)


def _array(
    self: _Builder, array: ast.A_ArrayExpr, scopes: Scopes, ctes: dict[str, Outputs]
) -> Sources:
    """ARRAY[a, b]: when its elements are arrays, their dimensions must match or it
    fails (`ARRAY[string_to_array(ssn, '5'), '{x}']`); their types are not known
    here, so with more than one element, the elements are a condition."""
    elements = array.elements or ()
    sources = self.expr(elements, scopes, ctes)
    if len(elements) > 1:
        self._note_predicate(sources)
    return sources


# Operators that compute a value from values; every other one (=, <, LIKE, ~, IN,
# IS DISTINCT FROM, NULLIF, ...) compares, and a comparison anywhere is a condition.
_VALUE_OPERATORS = words("+ - * / % ^ || & | # << >> -> ->> #> #>> #- |/ ||/ @")
# Value operators that cannot fail on any value of their operands; the others can
# (overflow, division by zero, a negative square root, a date out of range), so
# their operands are conditions, as with functions outside `TOTAL`.
_TOTAL_OPERATORS = words("|| -> ->> #> #>>")
# Total operators whose right operand is looked up by equality (a key, an index).
_LOOKUPS = words("-> ->> #> #>>")
# Operators that test and return a boolean.
_BOOLEAN_OPERATORS = words(
    "= <> != < > <= >= ~~ !~~ ~~* !~~* ~ !~ ~* !~* @> <@ && ? ?| ?& @? @@ -|- &< &>"
)
# Aggregates whose value is one of the values they read, of their argument's type.
_PICKS_ARGUMENT = words("min max any_value")
# Types with an order defined for every pair of values: a cast to one is a scalar.
_ORDERED_TYPES = words(
    """
    text varchar bpchar char name citext int2 int4 int8 numeric float4 float8 bool date
    time timetz timestamp timestamptz interval uuid bytea jsonb money oid bit varbit
    """
)
# Nodes whose value is a scalar whatever they read: constants, parameters (a value
# the caller sends, of the type the statement gives it), tests, session values.
_SCALAR_NODES = (
    ast.A_Const,
    ast.ParamRef,
    ast.NullTest,
    ast.BooleanTest,
    ast.BoolExpr,
    ast.SQLValueFunction,
)
# Casts to these types cannot fail; a cast to any other type fails on a value it
# cannot read (`substr(ssn, 1, 1)::int` when the digit is a letter).
_TEXT_TYPES = words("text varchar bpchar char name citext")


def _operator(self: _Builder, op: ast.A_Expr, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
    left = self.expr(op.lexpr, scopes, ctes)
    right = self.expr(op.rexpr, scopes, ctes)
    name = strings(op.name)
    if name and name[-1] not in _TOTAL_OPERATORS:
        # Whether it fails (a zero divisor, an overflow) tells something about its
        # operands: one bit per statement, as a WHERE would.
        self._note_predicate(left | right)
    elif name and name[-1] in _LOOKUPS:
        # `doc -> key` compares the key with the document's keys: NULL when none
        # is equal. A key read from a column is a condition on it.
        self._note_predicate(right)
    compares = enum_name(op.kind, "AEXPR_OP") != "AEXPR_OP" or (
        not name or name[-1] not in _VALUE_OPERATORS
    )
    if compares and op.lexpr is not None:
        self._note_predicate(left | right)
    return left | right


def _cast(self: _Builder, cast: ast.TypeCast, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
    """A cast to anything but text may fail on a value it cannot read: a condition."""
    sources = self.expr(cast.arg, scopes, ctes)
    type_name = cast.typeName
    target = strings(type_name.names if type_name is not None else None)
    # `text[]` parses an array literal (`('{' || ssn || '}')::text[]` fails on a quote).
    array = type_name is not None and bool(type_name.arrayBounds)
    if not target or target[-1] not in _TEXT_TYPES or array:
        self._note_predicate(sources)
    return sources


def _test(
    self: _Builder, test: ast.NullTest | ast.BooleanTest, scopes: Scopes, ctes: dict[str, Outputs]
) -> Sources:
    """IS [NOT] NULL, IS [NOT] TRUE...: a comparison, wherever it stands."""
    sources = self.expr(test.arg, scopes, ctes)
    self._note_predicate(sources)
    return sources


_EXPRESSIONS: dict[type[Node], Any] = {
    ast.A_Expr: _operator,
    ast.TypeCast: _cast,
    ast.NullTest: _test,
    ast.BooleanTest: _test,
    ast.ColumnRef: _Builder._column_ref,
    ast.SubLink: _Builder._sublink,
    ast.CaseExpr: _Builder._case,
    ast.WindowDef: _Builder._window,
    ast.FuncCall: _Builder._func_call,
    ast.JsonArrayAgg: _json_agg,
    ast.JsonObjectAgg: _json_agg,
    ast.JsonValueExpr: _json_value,
    ast.JsonKeyValue: _json_key_value,
    ast.JsonObjectConstructor: _json_constructor,
    ast.JsonArrayConstructor: _json_constructor,
    ast.JsonArrayQueryConstructor: _json_array_query,
    ast.A_ArrayExpr: _array,
}

# Nodes that pass the values under them through as output: each cannot fail on any
# value, compare or order by one, or filter rows (their callers make grouping and
# ordering clauses conditions). Every other node without a handler above makes all
# it reads a condition (`_collect`): what is not listed here is refused, not passed.
_PASSING: frozenset[type[Node]] = frozenset(
    {
        # constants and session values: they read no column
        ast.A_Const, ast.A_Star, ast.String, ast.Integer, ast.Float, ast.Boolean,
        ast.BitString, ast.ParamRef, ast.SQLValueFunction, ast.SetToDefault,
        ast.CurrentOfExpr, ast.MergeSupportFunc,
        # a name or a type beside a value: `x AS a` in xmlattributes, `f(a => x)`, an
        # alias, a type name (its modifiers are constants)
        ast.ResTarget, ast.NamedArgExpr, ast.Alias, ast.TypeName,
        # ROW(a, b) and AND/OR/NOT of booleans build a value and cannot fail (what
        # they combine is judged on its own: `a = b` under AND is a condition)
        ast.RowExpr, ast.BoolExpr,
        # a field, an element or a slice of a value: out of range is NULL, no error
        # (the subscript, `A_Indices`, is not listed: a jsonb key or an array index
        # read from a column is looked up by equality, so it is a condition)
        ast.A_Indirection,
        # a collation is fixed by the text, not by the value
        ast.CollateClause,
        # COALESCE cannot fail; which argument it chose shows only in its value,
        # which derives from (and is masked as) every argument
        ast.CoalesceExpr,
        # GROUPING(a) says whether a row is a subtotal, not what a is
        ast.GroupingFunc,
        # parts of clauses their callers already read as conditions (ORDER BY,
        # GROUP BY, a CASE's WHEN)
        ast.SortBy, ast.GroupingSet, ast.CaseWhen,
    }
)  # fmt: skip

# Node types the walk knows and reads as conditions on everything under them, by
# the rule in `_collect`; listed so that each is a decision (tests/sql/test_lineage.py
# checks every node the classifier accepts is handled, passing or here). The first
# block can fail, compare or filter on a value; the second are FROM items and
# clauses the query walk reads itself, and parts of DDL, never a value's own
# computation: under an expression they are refused as any unknown node is.
CONDITIONS: frozenset[str] = words(
    """
    MinMaxExpr JsonFuncExpr JsonParseExpr JsonScalarExpr JsonSerializeExpr JsonIsPredicate
    JsonBehavior JsonArgument JsonFormat JsonOutput JsonReturning JsonAggConstructor
    JsonTable JsonTableColumn JsonTablePathSpec XmlExpr XmlSerialize RangeTableFunc
    RangeTableFuncCol CTECycleClause CTESearchClause A_Indices

    CommonTableExpr WithClause IntoClause JoinExpr LockingClause RangeFunction
    RangeSubselect RangeTableSample RangeVar MultiAssignRef MergeWhenClause
    OnConflictClause InferClause IndexElem ReturningClause ReturningOption DefElem
    ColumnDef RoleSpec AccessPriv ObjectWithArgs FunctionParameter Constraint
    AlterTableCmd ATAlterConstraint PartitionSpec PartitionElem PartitionBoundSpec
    PartitionRangeDatum PartitionCmd TableLikeClause TriggerTransition StatsElem
    VacuumRelation PublicationObjSpec PublicationTable CreateOpClassItem
    """
)


def _resolve_single(name: str, scopes: Scopes) -> Sources:
    """An unqualified name: a known column, else a whole-row alias, else a guess, per level.

    A guess (a table whose columns are unknown) may be wrong: the name may belong
    to an outer level instead, so a guess also takes what the outer levels give.
    """
    if not scopes:
        return _EMPTY
    level = scopes[0]
    known = [rel.columns[name] for rel in level if rel.columns is not None and name in rel.columns]
    if known:
        return frozenset().union(*known)
    for rel in level:
        if rel.alias == name:
            return rel.whole_row()
    guesses = [rel.column(name) for rel in level if rel.columns is None or "*" in rel.columns]
    outer = _resolve_single(name, scopes[1:])
    if any(guesses):
        return frozenset().union(*(g for g in guesses if g), outer)
    return outer


def _find_relation(qualifier: tuple[str, ...], scopes: Scopes) -> _Relation | None:
    """The FROM item `t` (by alias) or `s.t` (by table) names, innermost scope first."""
    wanted = ".".join(qualifier[-2:])
    for level in scopes:
        for rel in level:
            if len(qualifier) == 1 and rel.alias == wanted:
                return rel
            if len(qualifier) > 1 and rel.table == wanted:
                return rel
    return None


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


def _derived(alias: str, outputs: Outputs) -> _Relation:
    columns: dict[str, Sources] = {}
    for name, sources in outputs:
        columns[name] = columns.get(name, _EMPTY) | sources
    return _Relation(alias=alias, columns=columns)


def _star_column(star: Sources, name: str) -> Sources:
    """Column `name` of a `*` entry: `schema.table.name` of a table's star, as it is else."""
    return frozenset(f"{s[:-2]}.{name}" if s.endswith(".*") else s for s in star)


def _rename(outputs: Outputs, names: tuple[str, ...]) -> Outputs:
    if names and any(n == "*" for n, _ in outputs):
        # Positions behind a `*` are not known: each new name may be any column.
        everything = frozenset().union(*(src for _, src in outputs)) | {UNRESOLVED}
        return [*((n, everything) for n in names), ("*", everything)]
    renamed = [(names[i] if i < len(names) else n, s) for i, (n, s) in enumerate(outputs)]
    return renamed


def _at_position(outputs: Outputs, position: int) -> Sources:
    """What `ORDER BY 2` (GROUP BY, DISTINCT ON) names: output 2, when it is known.

    A `*` of unknown width (a table the catalog does not know, `(r).*`) hides
    which column a position at or behind it is, and a position out of range is
    refused by the server: either is read as every output, never as nothing.
    """
    width = next((i for i, (n, _) in enumerate(outputs) if _is_star_output(n)), len(outputs))
    if 0 < position <= width:
        return outputs[position - 1][1]
    return frozenset().union(*(s for _, s in outputs))


def _behind_star(outputs: Outputs, name: str) -> Sources:
    """Column `name` of every `*` among `outputs`, as `_Relation.column` reads one."""
    stars = [_star_column(s, name) for n, s in outputs if _is_star_output(n)]
    return frozenset().union(*stars)


def _is_star_output(name: str) -> bool:
    """Whether an output stands for columns of unknown number (`*`, `t.*`)."""
    return name == "*" or name.endswith(".*")


def _lines_up(left: tuple[str, Sources], right: tuple[str, Sources]) -> bool:
    if _is_star_output(left[0]) or _is_star_output(right[0]):
        return _is_star_output(left[0]) and _is_star_output(right[0]) and left[1] == right[1]
    return True


def _merge(left: Outputs, right: Outputs) -> Outputs:
    """Set operations: names from the left, sources from both, column by column.

    Column by column only when the two sides line up: outputs of known width, or
    a `*` over the same sources on both. Behind any other `*` (or when the widths
    differ, which the server refuses) an output of one side may line up with any
    of the other, named as neither: each takes all the other side's sources, and
    none is proven.
    """
    if len(left) == len(right) and all(map(_lines_up, left, right)):
        return [(n, s | right[i][1]) for i, (n, s) in enumerate(left)]
    everything = frozenset().union(*(s for _, s in right))
    if not left:
        return [(n, s | {UNRESOLVED}) for n, s in right]
    return [(n, s | everything | {UNRESOLVED}) for n, s in left]


def _star_ref(value: object) -> tuple[str, ...] | None:
    """The qualifier of `*` or `t.*` in a target list, else None."""
    if not isinstance(value, ast.ColumnRef):
        return None
    parts = value.fields or ()
    if parts and isinstance(parts[-1], ast.A_Star):
        return strings(parts[:-1])
    return None


def _grouping_items(items: Iterable[object]) -> Iterator[object]:
    """The expressions of a GROUP BY, through ROLLUP, CUBE, GROUPING SETS (nested)
    and their `(a, b)` lists, where positions and output names resolve as at the top."""
    for item in items:
        if isinstance(item, ast.GroupingSet):
            yield from _grouping_items(item.content or ())
        elif isinstance(item, ast.RowExpr) and enum_name(item.row_format) != "COERCE_EXPLICIT_CALL":
            yield from _grouping_items(item.args or ())
        else:
            yield item


def _single_name(node: object) -> str | None:
    if isinstance(node, ast.ColumnRef):
        parts = strings(node.fields)
        return parts[0] if len(parts) == 1 else None
    return None


def _str_const(node: object) -> str | None:
    """The text of a string constant (`'%s'`, `'%s'::text`), else None."""
    if isinstance(node, ast.TypeCast):
        return _str_const(node.arg)
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return str(node.val.sval)
    return None


def _int_const(node: object) -> int | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
        return int(node.val.ival or 0)
    return None


def _derived_name(value: object) -> str:
    """The column name PostgreSQL gives an unnamed target (`?column?` when it has none)."""
    if isinstance(value, ast.ColumnRef):
        parts = strings(value.fields)
        return parts[-1] if parts else "?column?"
    if isinstance(value, ast.FuncCall):
        return strings(value.funcname)[-1]
    if isinstance(value, ast.TypeCast):
        inner = _derived_name(value.arg)
        names = value.typeName.names if value.typeName is not None else None
        return inner if inner != "?column?" else strings(names)[-1]
    if isinstance(value, ast.CaseExpr):
        return "case"
    if isinstance(value, ast.SubLink) and enum_name(value.subLinkType) == "EXISTS_SUBLINK":
        return "exists"
    return "?column?"


def _expands_record(value: object) -> bool:
    """`(expr).*` in a target list: an indirection ending in `*`."""
    if not isinstance(value, ast.A_Indirection):
        return False
    steps = value.indirection or ()
    return bool(steps) and isinstance(steps[-1], ast.A_Star)


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


def _query_of(stmt: Node) -> object:
    """The row-returning query inside a statement, if it has one."""
    if isinstance(stmt, ast.SelectStmt | _Modifying):
        return stmt
    if isinstance(stmt, ast.PrepareStmt | ast.DeclareCursorStmt | ast.CopyStmt):
        return stmt.query
    return None


def statement_lineage(stmt: Node, catalog: Catalog | None) -> LineageResult:
    """Lineage of a statement's result columns, and the columns used in its conditions."""
    builder = _Builder(catalog)
    query = _query_of(stmt)
    outputs: Outputs = []
    if query is not None:
        outputs = builder.query(query, [], {})
    elif isinstance(stmt, ast.CopyStmt):
        outputs = _copy_table(stmt, builder)
    elif isinstance(stmt, ast.ExplainStmt):
        # The plan is text the server writes; the explained query's conditions still
        # count (EXPLAIN ANALYZE prints how many rows matched them).
        builder.query(stmt.query, [], {})
        if explain_analyzes(stmt):
            # Actual rows, loops and output sizes depend on every value it read.
            builder.predicates |= builder.used
        outputs = [("QUERY PLAN", _EMPTY)]
    elif isinstance(stmt, ast.VariableShowStmt):
        name = stmt.name or ""
        columns = ("name", "setting", "description") if name == "all" else (name,)
        outputs = [(c, _EMPTY) for c in columns]
    lineage = tuple(
        ColumnLineage(
            name,
            tuple(sorted(sources - MARKERS)),
            UNRESOLVED in sources,
            transformed=TRANSFORMED in sources,
            computed=COMPUTED in sources,
        )
        for name, sources in outputs
    )
    return LineageResult(
        outputs=lineage,
        predicates=tuple(sorted(builder.predicates - MARKERS)),
        columns=tuple(sorted((builder.used | builder.predicates) - MARKERS)),
    )


def _copy_table(stmt: ast.CopyStmt, builder: _Builder) -> Outputs:
    if stmt.is_from or stmt.relation is None:
        return []
    rel = builder._range_var(stmt.relation, None, {})
    names = strings(stmt.attlist)
    if names:
        return [(n, rel.column(n) or _EMPTY) for n in names]
    outputs = rel.expand()
    builder.used.update(s for _, sources in outputs for s in sources)
    return outputs
