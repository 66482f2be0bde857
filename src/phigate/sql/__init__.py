"""PostgreSQL statement classification and column lineage, with pglast (libpg_query).

`classify(sql)` gives a `SqlAnalysis`: the risk class (the most severe over all
statements), the statements with their kinds, tables, functions and reasons,
and the lineage of result columns. `SessionClassifier` does the same per wire
session, remembering prepared statements and cursors. See docs/sql.md.
"""

from __future__ import annotations

from phigate.sql.classifier import SessionClassifier, classify, ends_portals, refers_to_names
from phigate.sql.lines import classify_lines
from phigate.sql.model import (
    Catalog,
    ColumnLineage,
    SqlAnalysis,
    StatementInfo,
    StaticCatalog,
)

__all__ = [
    "Catalog",
    "ColumnLineage",
    "SessionClassifier",
    "SqlAnalysis",
    "StatementInfo",
    "StaticCatalog",
    "classify",
    "classify_lines",
    "ends_portals",
    "refers_to_names",
]
