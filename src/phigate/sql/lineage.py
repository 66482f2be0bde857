"""Column lineage: which source columns feed each output column (first cut: none yet)."""

from __future__ import annotations

from dataclasses import dataclass

from phigate.sql._tree import Node
from phigate.sql.model import Catalog, ColumnLineage


@dataclass(frozen=True)
class LineageResult:
    outputs: tuple[ColumnLineage, ...] = ()
    predicates: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()


def statement_lineage(stmt: Node, catalog: Catalog | None) -> LineageResult:
    """Lineage of a statement's result columns (not implemented in this first cut)."""
    del stmt, catalog
    return LineageResult()
