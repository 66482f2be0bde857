"""SQL text the gateway writes itself around a name it was given (a cursor, portal or
prepared statement named on the wire, a table read from the catalog).

A name is always double-quoted, with `"` doubled: unquoted, PostgreSQL folds it to lower
case, so `K` would name the cursor `k`, and the text recorded, shown to a reviewer
and bound into an approval would name another object than the one that runs.
"""

from __future__ import annotations


def quoted_identifier(name: str) -> str:
    """`name` as an SQL identifier that means exactly that name to the server."""
    return '"' + name.replace('"', '""') + '"'
