"""Output lists of lineage: positions and names in them, renaming, and the lining
up of two sides of a set operation; and the reading of target-list syntax
(`*`, `t.*`, `(expr).*`, the name PostgreSQL gives an unnamed target, GROUP BY
items) that decides which output a clause names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pglast import ast

from phigate.sql._lineage_scope import Outputs, Sources, _star_column
from phigate.sql._marks import UNRESOLVED
from phigate.sql._tree import enum_name, strings


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
