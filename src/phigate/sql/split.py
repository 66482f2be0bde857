"""Split SQL text into its statements with the server's own parser (pglast)."""

from __future__ import annotations

import pglast
from pglast import ast


def split_statements(sql: str) -> list[str]:
    """Each statement's exact text, without the separating semicolons."""
    return [str(part) for part in pglast.split(sql, with_parser=True)]


def selects(sql: str) -> list[str]:
    """The statements that are queries (SELECT, VALUES, TABLE, WITH … SELECT)."""
    return [
        text
        for text in split_statements(sql)
        if type(pglast.parse_sql(text)[0].stmt).__name__ == "SelectStmt"
    ]


def client_copies(sql: str) -> list[str]:
    """The statements that are a COPY to or from the client (`TO STDOUT`, `FROM
    STDIN`): they stream through the wire protocol's COPY sub-protocol, which only a
    PostgreSQL client speaks. A COPY with a file or a program is not one of them."""
    return [
        text
        for text in split_statements(sql)
        if isinstance(node := pglast.parse_sql(text)[0].stmt, ast.CopyStmt)
        and node.filename is None
        and not node.is_program
    ]
