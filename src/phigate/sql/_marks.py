"""Markers among a column's lineage sources, and when an expression earns one.

Lineage carries facts beside where a value comes from, as marker strings in
its source set so they travel through subqueries, CTEs and set operations with
the sources themselves; `phigate.sql.lineage` turns them into flags at the end.
"""

from __future__ import annotations

from pglast import ast

from phigate.sql._tree import enum_name, strings
from phigate.sql.functions import READS_STORAGE, function_key

Sources = frozenset[str]

# Among a column's sources: some of its values come from where lineage cannot
# follow (the columns of a function's record, `(expr).*`). Masking withholds it.
UNRESOLVED = "?unresolved"
# Among a column's sources: its values went through something other than a copy
# or cut of text (reverse, encode, to_hex, a cast to bytea...). Free text is
# scanned for PHI only as stored; a transformed one is withheld.
TRANSFORMED = "?transformed"
# Among a column's sources: its value is not exactly one source's value (a function
# of it, a cut, or a mix of several). An operator that shows part of a value (a
# ZIP's first digits, a date's year) would show whatever the computation put there,
# so masking redacts it whole.
COMPUTED = "?computed"
# Among a column's sources: its value is not proven a scalar of a type with an order
# (it may be a record, an array of them, a value of a type lineage does not know).
# PostgreSQL compares records field by field and looks up a field's comparison only
# when the fields before it are equal, so comparing it may fail on equal values:
# `min` or `max` of it is a condition (`lineage._Builder._scalar`).
UNORDERED = "?unordered"
MARKERS = frozenset({UNRESOLVED, TRANSFORMED, COMPUTED, UNORDERED})
# What keeps text as text a detector can read: cuts, trims and concatenation.
_TEXT_PRESERVING = frozenset({"concat", "concat_ws", "coalesce", "repeat"})
# Trims keep text readable with their default (whitespace); with characters to trim
# they can cut digits off a value, as substr and left do (cuts are not listed: an
# entity split at a cut is two pieces no detector reads).
_TRIMS = frozenset({"btrim", "ltrim", "rtrim", "trim"})
# Functions that filter what they are given by a condition the caller writes.
FILTERING = frozenset(
    {
        "jsonb_path_query_array",
        "jsonb_path_query_first",
        "jsonb_path_exists",
        "jsonb_path_match",
        "jsonb_path_query_array_tz",
        "jsonb_path_query_first_tz",
        "jsonb_path_exists_tz",
        "jsonb_path_match_tz",
    }
)
_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "char", "name", "citext"})
# Casts that keep a value whole as text: `char` is char(1) and `name` cuts at 63 bytes.
_WHOLE_TEXT = frozenset({"text", "varchar", "citext"})
# Aggregates whose value is one of the values they read.
_PICKS = frozenset({"min", "max"})


def marked(sources: Sources, value: object) -> Sources:
    """`sources`, marked transformed when `value` is more than a copy or cut of them,
    and computed when it is anything but one source's value as stored."""
    if not sources - MARKERS:
        return sources
    if not _preserves_text(value):
        sources |= {TRANSFORMED}
    if not _preserves_value(value):
        sources |= {COMPUTED}
    return sources


def _preserves_value(node: object) -> bool:
    """Whether an expression's value is one column's value itself: a reference, a
    cast to unbounded text (the value as written), the least or greatest of its
    values, or a scalar subquery (whose own output carries its marks)."""
    if isinstance(node, ast.ColumnRef):
        return True
    if isinstance(node, ast.TypeCast):
        type_name = node.typeName
        target = strings(type_name.names if type_name else None)
        unbounded = type_name is not None and not type_name.typmods and not type_name.arrayBounds
        return (
            unbounded and bool(target) and target[-1] in _WHOLE_TEXT and _preserves_value(node.arg)
        )
    if isinstance(node, ast.FuncCall):
        key = function_key(strings(node.funcname))
        args = node.args or ()
        plain = node.over is None and not node.agg_star and not node.func_variadic
        if plain and key in READS_STORAGE:
            return True  # the stored value itself, as a column reference is
        return plain and key in _PICKS and len(args) == 1 and _preserves_value(args[0])
    if isinstance(node, ast.SubLink):
        return enum_name(node.subLinkType) == "EXPR_SUBLINK" and node.testexpr is None
    return False


def _preserves_text(node: object) -> bool:
    """Whether an expression's value is its columns' text, cut or joined at most."""
    if isinstance(node, ast.ColumnRef | ast.A_Const | ast.ParamRef):
        return True
    if isinstance(node, ast.TypeCast):
        target = strings(node.typeName.names if node.typeName else None)
        return bool(target) and target[-1] in _TEXT_TYPES and _preserves_text(node.arg)
    if isinstance(node, ast.A_Expr) and strings(node.name) == ("||",):
        return _preserves_text(node.lexpr) and _preserves_text(node.rexpr)
    if isinstance(node, ast.FuncCall):
        key = function_key(strings(node.funcname))
        args = node.args or ()
        if key in READS_STORAGE and node.over is None:
            return True  # the stored text itself: read as stored, scanned as free text
        listed = key in _TEXT_PRESERVING or (key in _TRIMS and len(args) == 1)
        return listed and all(_preserves_text(a) for a in args)
    if isinstance(node, ast.CoalesceExpr):
        return all(_preserves_text(a) for a in node.args or ())
    return False
