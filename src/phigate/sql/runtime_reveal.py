"""`SET phigate.reveal = 'DATE,PERSON'`: the wire's way to ask for less masking.

Recognised with the server's grammar, never by matching text, so only a lone
`SET`/`RESET` of exactly that setting is intercepted; anything else (a second
statement, `SET LOCAL`, another variable) is an ordinary statement. Only text that
cannot name the setting at all is passed over unparsed (`_may_name_it`): every simple
Query is asked, and parsing a one-line SELECT to find out cost about 100-190 us.
"""

from __future__ import annotations

import pglast
from pglast import ast, enums

REVEAL_SETTING = "phigate.reveal"


def reveal_setting(sql: str) -> tuple[str, ...] | None:
    """The requested reveal set (empty to reset), or None when `sql` is not that setting."""
    if not _may_name_it(sql):
        return None
    try:
        statements = pglast.parse_sql(sql)
    except pglast.parser.ParseError:
        return None
    if len(statements) != 1:
        return None
    stmt = statements[0].stmt
    if not isinstance(stmt, ast.VariableSetStmt) or stmt.name != REVEAL_SETTING or stmt.is_local:
        return None
    if stmt.kind in (enums.VariableSetKind.VAR_RESET, enums.VariableSetKind.VAR_SET_DEFAULT):
        return ()
    if stmt.kind is not enums.VariableSetKind.VAR_SET_VALUE:
        return None
    values: list[str] = []
    for arg in stmt.args or ():
        value = getattr(getattr(arg, "val", None), "sval", None)
        if not isinstance(value, str):
            return None
        values.extend(part.strip().upper() for part in value.split(","))
    return tuple(sorted({v for v in values if v}))


def _may_name_it(sql: str) -> bool:
    """Whether `sql` could name the setting: its last part is `reveal` in any spelling
    the server reads as that (unquoted in any case, which the server lowers, ASCII
    only; quoted, exactly), unless written with Unicode escapes (`U&"…"`, which the
    server's lexer reads only as those two characters together)."""
    lowered = sql.lower()
    return "reveal" in lowered or "u&" in lowered
