"""Column lineage: which source columns (`schema.table.column`) feed each result column.

Masking needs to know that `upper(p.ssn) AS x` is the ssn, that `json_agg(p)`
is every column of `patients`, and that `WHERE ssn LIKE '1%'` uses the ssn as an
oracle. The walk resolves names the way PostgreSQL does (innermost scope first,
CTEs before tables, column names before whole-row aliases) and over-approximates
where it cannot know: an unqualified column over several tables whose columns
are unknown is attributed to each of them, and `*` over a table the catalog does
not know is reported as `schema.table.*`.

This module owns the query walk (WITH, set operations, VALUES, DISTINCT,
ORDER BY, GROUP BY, LIMIT, the RETURNING of a data-modifying statement), target
lists, and `statement_lineage`. The parts it stands on: `_lineage_scope` (what
is in scope and how a name resolves), `_lineage_outputs` (output lists,
positions, set operations), `_lineage_from` (FROM items and views),
`_lineage_expressions` (values and the conditions they make, with the node
tables `_EXPRESSIONS`, `_PASSING`, `CONDITIONS`, named here as before) and
`_lineage_scalar` (which values are proven scalars with an order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pglast import ast
from pglast.ast import Node

from phigate.sql._lineage_expressions import _EXPRESSIONS as _EXPRESSIONS
from phigate.sql._lineage_expressions import _PASSING as _PASSING
from phigate.sql._lineage_expressions import CONDITIONS as CONDITIONS
from phigate.sql._lineage_from import _FromItems
from phigate.sql._lineage_outputs import (
    _at_position,
    _behind_star,
    _derived_name,
    _expands_record,
    _grouping_items,
    _int_const,
    _merge,
    _rename,
    _single_name,
    _star_ref,
)
from phigate.sql._lineage_scope import _EMPTY, Outputs, Scopes, _find_relation
from phigate.sql._marks import COMPUTED, MARKERS, TRANSFORMED, UNORDERED, UNRESOLVED, marked
from phigate.sql._tree import enum_name, strings
from phigate.sql.model import Catalog, ColumnLineage
from phigate.sql.statements import explain_analyzes

_Modifying = ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt | ast.MergeStmt


@dataclass(frozen=True)
class LineageResult:
    """Lineage of one statement: outputs, predicate (oracle) columns, every column used."""

    outputs: tuple[ColumnLineage, ...] = ()
    predicates: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()


class _Builder(_FromItems):
    """The query walk, over the walks of FROM (`_lineage_from`) and expressions
    (`_lineage_expressions`), which hold what it has found."""

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

    # --- target lists -----------------------------------------------------------------
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
