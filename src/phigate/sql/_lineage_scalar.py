"""Whether a value is proven a scalar of a type with an order, so that comparing
it (`min`, `max`, ORDER BY, DISTINCT) cannot fail on a value; and the UNORDERED
mark an output carries when it is not (`_marks`).
"""

from __future__ import annotations

from pglast import ast

from phigate.sql._lineage_scope import Scopes, Sources, _find_relation, _resolve_single
from phigate.sql._marks import MARKERS, UNORDERED
from phigate.sql._tree import enum_name, strings
from phigate.sql.functions import SCALAR_RESULTS, function_key, words

# Operators that compute a value from values; every other one (=, <, LIKE, ~, IN,
# IS DISTINCT FROM, NULLIF, ...) compares, and a comparison anywhere is a condition.
_VALUE_OPERATORS = words("+ - * / % ^ || & | # << >> -> ->> #> #>> #- |/ ||/ @")
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


class _ScalarProof:
    """The proofs, for the walk (`lineage._Builder`); they read scopes, no state."""

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
