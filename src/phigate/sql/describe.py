"""SQL text → the gateway's `Description` of an action (risk, tables, lineage)."""

from __future__ import annotations

import logging

from phigate.core.actions import Description
from phigate.core.risk import RiskClass
from phigate.sql.classifier import classify
from phigate.sql.model import SqlAnalysis
from phigate.sql.system_catalog import (
    all_structure,
    definition_columns,
    literal_columns,
    structure_columns,
)

log = logging.getLogger(__name__)


def describe_sql(text: str) -> Description:
    """Classify SQL with the server's grammar; a classifier failure is `unknown`, never `read`."""
    try:
        analysis = classify(text)
    except Exception as exc:
        log.exception("classifier failed")
        return Description(RiskClass.UNKNOWN, reasons=(f"classifier failed: {type(exc).__name__}",))
    return description_of(analysis)


def description_of(analysis: SqlAnalysis) -> Description:
    """The gateway's Description of a classified text (also for a wire session's own
    classifier, which knows the session's prepared statements and cursors)."""
    columns = sorted({s for item in analysis.lineage for s in item.sources})
    structure = structure_columns(analysis)
    literal = literal_columns(analysis)
    definitions = definition_columns(analysis)
    lineage = []
    for column, schema_only, from_literals, definition in zip(
        analysis.lineage, structure, literal, definitions, strict=True
    ):
        entry = column.to_json()
        if column.transformed and all_structure(column.sources):
            del entry["transformed"]  # type names and keys rendered: structure still
        if (
            schema_only and not column.unresolved
        ):  # catalog structure (phigate.sql.system_catalog): kept unmasked
            entry["catalog"] = True
        if definition and not column.unresolved:  # text may be a rendered definition
            entry["definition"] = True
        if from_literals and not column.unresolved:  # no table behind it: integers keep their type
            entry["literal"] = True
        lineage.append(entry)
    detail = {
        "statements": [s.kind for s in analysis.statements],
        "lineage": lineage,
        "predicate_columns": list(analysis.predicate_columns),
        "parse_error": analysis.error,
        "catalog_only": bool(structure) and all(structure),
    }
    if analysis.runs:  # a text that runs names: what they were defined as
        detail["runs"] = list(analysis.runs)
    return Description(
        risk=analysis.risk,
        tables=analysis.tables,
        columns=tuple(columns),
        functions=analysis.functions,
        reasons=analysis.reasons,
        detail=detail,
    )
