"""`classify_lines`: the library side of `phigate sql classify` (one JSON object per input)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping

from phigate.core.risk import RiskClass
from phigate.sql.classifier import SessionClassifier
from phigate.sql.model import Catalog, SqlAnalysis


def classify_lines(
    lines: Iterable[str],
    *,
    extra_functions: Mapping[str, RiskClass | str] | None = None,
    catalog: Catalog | None = None,
) -> Iterator[dict[str, object]]:
    """Classify JSON lines `{"sql": ...}`; blank lines are skipped, bad lines are `unknown`.

    The lines share one session, so `PREPARE p ...` on one line makes a later
    `EXECUTE p` known, as on a wire connection.
    """
    session = SessionClassifier(extra_functions=extra_functions, catalog=catalog)
    for line in lines:
        if not line.strip():
            continue
        sql = _sql_of(line)
        if sql is None:
            yield SqlAnalysis.unparsable('input line is not a JSON object {"sql": "..."}').to_json()
            continue
        analysis = session.classify(sql)
        session.acknowledge(analysis)  # offline, every statement counts as run
        yield analysis.to_json()


def _sql_of(line: str) -> str | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    sql = data.get("sql") if isinstance(data, dict) else None
    return sql if isinstance(sql, str) else None
