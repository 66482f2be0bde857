"""SQL as a reviewer reads it: re-printed from its parse tree, literals made visible.

Line breaks between clauses are layout; inside a string literal or a quoted
identifier they are part of the value, so there they are escaped like any other
hidden character. The scanner (libpg_query's, the server's own) says where the
literals are.
"""

from __future__ import annotations

import pglast
from pglast import ast
from pglast.parser import scan
from pglast.visitors import Ancestor, Visitor

from phigate.reviewing._reveal import Shown, reveal

# Tokens whose text is a value or a name, not layout.
_VALUE_TOKENS = frozenset({"SCONST", "USCONST", "IDENT", "UIDENT", "BCONST", "XCONST"})
LAYOUT_SPACE_RUN = 24  # outside literals: longer than any indentation the printer makes


def pretty(text: str) -> tuple[str, bool]:
    """(text, pretty) — the statement re-printed from its parse tree, comments dropped.

    Re-printing from the tree shows what the server will run, not what the author's
    layout or comments suggest. Unparseable text is shown verbatim and flagged.
    """
    try:
        return pglast.prettify(text, preserve_comments=False), True
    except Exception:  # the parser rejects it; the policy treated it as `unknown`
        return text, False


def reveal_sql(text: str) -> Shown:
    """`text` with literals and identifiers escaped strictly, layout kept elsewhere."""
    try:
        tokens = [t for t in scan(text) if t.name in _VALUE_TOKENS]
    except Exception:  # the scanner cannot tell literals from layout: escape every break
        return reveal(text)
    shown, at = Shown(), 0
    for token in tokens:
        shown.extend(reveal(text[at : token.start], keep_breaks=True, space_run=LAYOUT_SPACE_RUN))
        shown.extend(reveal(text[token.start : token.end + 1]))
        at = token.end + 1
    shown.extend(reveal(text[at:], keep_breaks=True, space_run=LAYOUT_SPACE_RUN))
    return shown


class _Unbounded(Visitor):
    """Collects writes whose reach the statement does not show: UPDATE and DELETE
    without WHERE, and COPY FROM STDIN (its rows come after approval)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def visit_UpdateStmt(self, _ancestors: Ancestor, node: ast.UpdateStmt) -> None:
        if node.whereClause is None:
            table = _table(node.relation)
            self.found.append(f"UPDATE of {table} has no WHERE: it changes every row")

    def visit_DeleteStmt(self, _ancestors: Ancestor, node: ast.DeleteStmt) -> None:
        if node.whereClause is None:
            table = _table(node.relation)
            self.found.append(f"DELETE from {table} has no WHERE: it removes every row")

    def visit_CopyStmt(self, _ancestors: Ancestor, node: ast.CopyStmt) -> None:
        if node.is_from and not node.filename:
            table = _table(node.relation)
            self.found.append(
                f"COPY into {table} loads the rows the client sends after approval: they "
                "are not shown here (the audit records how many were loaded)"
            )


def _table(relation: ast.RangeVar | None) -> str:
    """The table a warning names, escaped as the statement is: a quoted identifier
    may hold ESC sequences, U+202E or line breaks, and a warning reaches the same
    terminals, consoles and chat messages the statement does, so it is escaped here,
    once, where the warning is made (a reader of it never has to)."""
    name = relation.relname if relation is not None else None
    return reveal(name).text if name is not None else "?"


def unbounded_writes(text: str) -> list[str]:
    """A warning per UPDATE/DELETE without WHERE (nested in a CTE too) and per COPY
    FROM STDIN."""
    try:
        tree = pglast.parse_sql(text)
    except Exception:  # unparseable text is already flagged as such
        return []
    visitor = _Unbounded()
    visitor(tree)
    return visitor.found
