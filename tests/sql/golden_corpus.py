"""The corpus of SQL texts whose classification is pinned in `golden/classifications.json`.

The corpus is every string literal of the SQL, adversarial and wire tests, the
demo and the docs' SQL examples that PostgreSQL's grammar accepts (or that
looks like SQL and does not parse), plus hostile statements drawn from the
adversarial grammar with a fixed seed. Each text is recorded with everything
the classifier says about it, without and with the demo catalog, and with what
it does to a session's prepared statements and cursors.

The golden file pins the classification across rewrites of the walk (the
JSON-dict walk was replaced by one over pglast's typed AST this way): a change
to any field of any entry is a change of classification, and must be looked at.

Regenerate (only after reviewing why the classification changed):
    PYTHONPATH=src .venv/bin/python -m tests.sql.golden_corpus
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pglast

from phigate.demo.ehr import SCHEMA
from phigate.sql import SessionClassifier, StaticCatalog, classify
from phigate.sql.copy_format import copy_csv_statements
from phigate.sql.system_catalog import literal_columns, structure_columns

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden") / "classifications.json"
_SOURCES = [
    "tests/sql",
    "tests/adversarial",
    "tests/pgwire",
    "tests/test_policy.py",
    "tests/test_exfiltration.py",
    "tests/test_second_guard.py",
    "tests/test_reveal.py",
    "src/phigate/demo",
    "bench/sql_classify.py",
]
_SQL_START = re.compile(
    r"^\s*(\(|/\*|--)?\s*(select|with|insert|update|delete|merge|copy|create|alter|drop|"
    r"grant|revoke|set|reset|show|explain|begin|commit|rollback|prepare|execute|declare|"
    r"fetch|close|deallocate|discard|truncate|lock|values|table|do|call|listen|notify|"
    r"vacuum|analyze|comment|security|refresh|reindex|cluster|load|checkpoint|move|"
    r"start|end|savepoint|release|abort|import|reassign)\b",
    re.IGNORECASE,
)
_ADVERSARIAL_EXAMPLES = 400


def _literals(path: Path) -> list[str]:
    """Every string constant of a Python file (f-strings contribute their constant parts)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _doc_blocks() -> list[str]:
    """The ```sql blocks of the docs and the README, each whole and statement by statement."""
    found: list[str] = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```sql\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            found.append(block.strip())
            found.extend(s.strip() for s in block.split(";\n") if s.strip())
    return found


def _wanted(text: str) -> bool:
    if not text.strip() or len(text) > 20_000:
        return False
    try:
        pglast.parse_sql(text)
    except Exception:
        return bool(_SQL_START.match(text))
    return bool(_SQL_START.match(text)) or len(text.split()) > 1


def _adversarial() -> list[str]:
    """Hostile texts drawn from the adversarial grammar, derandomised (replayable)."""
    from hypothesis import HealthCheck, given, settings

    from tests.adversarial.grammar import attacks

    drawn: list[str] = []

    @settings(
        derandomize=True,
        max_examples=_ADVERSARIAL_EXAMPLES,
        database=None,
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(attacks())
    def draw(attack: Any) -> None:
        drawn.append(attack.text)
        drawn.extend(attack.statements)

    draw()
    return drawn


def collect() -> list[str]:
    """The corpus, de-duplicated, in a stable order."""
    texts: list[str] = []
    for source in _SOURCES:
        path = ROOT / source
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            texts.extend(t for t in _literals(file) if _wanted(t))
    texts.extend(t for t in _doc_blocks() if _wanted(t))
    texts.extend(SCHEMA.split(";"))
    texts.extend(_adversarial())
    return sorted({t for t in texts if t.strip()})


def demo_catalog() -> StaticCatalog:
    """The demo EHR's tables and columns, read from its own CREATE TABLE statements."""
    tables: dict[str, list[str]] = {}
    for raw in pglast.parse_sql(SCHEMA):
        stmt = raw.stmt
        if isinstance(stmt, pglast.ast.CreateStmt):
            columns = [e.colname for e in stmt.tableElts if isinstance(e, pglast.ast.ColumnDef)]
            tables[f"public.{stmt.relation.relname}"] = columns
    return StaticCatalog(tables)


def _session(text: str) -> dict[str, list[str]]:
    """The names a session holds after the server ran every statement of `text`."""
    session = SessionClassifier()
    session.acknowledge(session.classify(text))
    state = session._state
    return {"prepared": sorted(state.prepared), "cursors": sorted(state.cursors)}


def record(text: str, catalog: StaticCatalog) -> dict[str, Any]:
    """Everything the classifier says about `text`."""
    plain = classify(text)
    with_catalog = classify(text, catalog=catalog)
    return {
        "plain": plain.to_json(),
        "catalog": with_catalog.to_json(),
        "effects": [e.kind for e in plain.effects],
        "csv": sorted(copy_csv_statements(plain)),
        "structure": structure_columns(with_catalog),
        "literal": literal_columns(with_catalog),
        "session": _session(text),
    }


def main() -> None:
    catalog = demo_catalog()
    golden = {text: record(text, catalog) for text in collect()}
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(golden, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(golden)} texts recorded in {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
