"""The format of each COPY in a text, read from the parse tree (never from the text)."""

from __future__ import annotations

from phigate.sql.model import SqlAnalysis
from phigate.sql.settings import const_value


def copy_csv_statements(analysis: SqlAnalysis) -> frozenset[int]:
    """Positions of the statements that are a COPY in CSV format.

    `COPY … (FORMAT csv)` and the older `COPY … CSV` both parse to a `format`
    option; a comment or a string that says "csv" is not an option.
    """
    found = set()
    for index, effect in enumerate(analysis.effects):
        if effect.kind == "CopyStmt" and _format(effect.fields.get("options") or []) == "csv":
            found.add(index)
    return frozenset(found)


def _format(options: list[object]) -> str | None:
    chosen = None
    for option in options:
        elem = option.get("DefElem", {}) if isinstance(option, dict) else {}
        if str(elem.get("defname", "")).lower() == "format":
            arg = elem.get("arg")
            value = const_value(arg)
            if value is None and isinstance(arg, dict) and "String" in arg:
                value = arg["String"].get("sval")
            chosen = str(value or "").lower()  # the last one wins, as in PostgreSQL
    return chosen
