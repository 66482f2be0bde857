"""The walk of expressions: the sources of a value, and which of them are
conditions (oracles). An operator, cast, test, function or JSON constructor that
can fail, compare or filter on a value makes what it reads a condition; only the
node types `_PASSING` lists pass what they read through, and a node the walk
does not know is a condition on everything under it (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.ast import Node

from phigate.sql._lineage_outputs import _int_const
from phigate.sql._lineage_scalar import _VALUE_OPERATORS, _ScalarProof
from phigate.sql._lineage_scope import (
    _EMPTY,
    Outputs,
    Scopes,
    Sources,
    _find_relation,
    _resolve_single,
)
from phigate.sql._marks import FILTERING
from phigate.sql._tree import children, enum_name, strings
from phigate.sql.functions import (
    SET_RETURNING,
    compares_argument,
    function_key,
    stored_source,
    total_argument,
    words,
)
from phigate.sql.model import Catalog


@dataclass
class _Walk(_ScalarProof):
    """What a walk has found so far, and the walk of expressions that adds to it."""

    catalog: Catalog | None
    predicates: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    depth: int = 0  # views being followed (`_lineage_from._FromItems._view`)

    def query(self, node: object, outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        """The outputs of a subquery: the query walk (`lineage._Builder`) gives them."""
        raise NotImplementedError

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


def _str_const(node: object) -> str | None:
    """The text of a string constant (`'%s'`, `'%s'::text`), else None."""
    if isinstance(node, ast.TypeCast):
        return _str_const(node.arg)
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return str(node.val.sval)
    return None


def _json_agg(
    self: _Walk, agg: ast.JsonArrayAgg | ast.JsonObjectAgg, scopes: Scopes, ctes: dict[str, Outputs]
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
    self: _Walk, value: ast.JsonValueExpr, scopes: Scopes, ctes: dict[str, Outputs]
) -> Sources:
    """A value given to a JSON constructor passes as it is; `FORMAT JSON` parses it
    (text that is no JSON fails), which makes it a condition."""
    sources = self.expr(value.raw_expr, scopes, ctes)
    fmt = value.format
    if fmt is not None and enum_name(fmt.format_type, "JS_FORMAT_DEFAULT") != "JS_FORMAT_DEFAULT":
        self._note_predicate(sources)
    return sources


def _json_key_value(
    self: _Walk, pair: ast.JsonKeyValue, scopes: Scopes, ctes: dict[str, Outputs]
) -> Sources:
    """`key : value` of JSON_OBJECT and JSON_OBJECTAGG: a NULL key fails, and WITH
    UNIQUE KEYS compares the keys, so the key is a condition; the value passes."""
    key = self.expr(pair.key, scopes, ctes)
    self._note_predicate(key)
    return key | self.expr(pair.value, scopes, ctes)


def _json_constructor(
    self: _Walk,
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
    self: _Walk, ctor: ast.JsonArrayQueryConstructor, scopes: Scopes, ctes: dict[str, Outputs]
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


def _returning(self: _Walk, output: ast.JsonOutput | None, sources: Sources) -> None:
    """A RETURNING type that may not take every result makes the inputs a condition."""
    type_name = output.typeName if output is not None else None
    if type_name is None:
        return
    names = strings(type_name.names)
    if not names or names[-1] not in _JSON_RESULTS or type_name.typmods or type_name.arrayBounds:
        self._note_predicate(sources)


def _array(
    self: _Walk, array: ast.A_ArrayExpr, scopes: Scopes, ctes: dict[str, Outputs]
) -> Sources:
    """ARRAY[a, b]: when its elements are arrays, their dimensions must match or it
    fails (`ARRAY[string_to_array(ssn, '5'), '{x}']`); their types are not known
    here, so with more than one element, the elements are a condition."""
    elements = array.elements or ()
    sources = self.expr(elements, scopes, ctes)
    if len(elements) > 1:
        self._note_predicate(sources)
    return sources


# Value operators that cannot fail on any value of their operands; the others can
# (overflow, division by zero, a negative square root, a date out of range), so
# their operands are conditions, as with functions outside `TOTAL`.
_TOTAL_OPERATORS = words("|| -> ->> #> #>>")
# Total operators whose right operand is looked up by equality (a key, an index).
_LOOKUPS = words("-> ->> #> #>>")
# Casts to these types cannot fail; a cast to any other type fails on a value it
# cannot read (`substr(ssn, 1, 1)::int` when the digit is a letter).
_TEXT_TYPES = words("text varchar bpchar char name citext")


def _operator(self: _Walk, op: ast.A_Expr, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
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


def _cast(self: _Walk, cast: ast.TypeCast, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
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
    self: _Walk, test: ast.NullTest | ast.BooleanTest, scopes: Scopes, ctes: dict[str, Outputs]
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
    ast.ColumnRef: _Walk._column_ref,
    ast.SubLink: _Walk._sublink,
    ast.CaseExpr: _Walk._case,
    ast.WindowDef: _Walk._window,
    ast.FuncCall: _Walk._func_call,
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
