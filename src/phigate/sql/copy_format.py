"""The format of each COPY in a text, read from the parse tree (never from the text)."""

from __future__ import annotations

from collections.abc import Sequence

from pglast import ast

from phigate.sql.model import SqlAnalysis
from phigate.sql.statements import option_text


def copy_csv_statements(analysis: SqlAnalysis) -> frozenset[int]:
    """Positions of the statements that are a COPY in CSV format.

    `COPY … (FORMAT csv)` and the older `COPY … CSV` both parse to a `format`
    option; a comment or a string that says "csv" is not an option.
    """
    found = set()
    for index, effect in enumerate(analysis.effects):
        if isinstance(effect.node, ast.CopyStmt) and _format(effect.node.options) == "csv":
            found.add(index)
    return frozenset(found)


def _format(options: Sequence[object] | None) -> str | None:
    chosen = None
    for elem in options or ():
        if isinstance(elem, ast.DefElem) and str(elem.defname or "").lower() == "format":
            chosen = str(option_text(elem.arg) or "").lower()  # the last one wins, as in PostgreSQL
    return chosen
