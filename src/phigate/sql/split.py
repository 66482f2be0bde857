"""Split SQL text into its statements with the server's own parser (pglast)."""

from __future__ import annotations

import pglast


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
