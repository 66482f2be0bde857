"""The corpus of SQL texts whose classification is pinned in `golden/classifications/`.

The corpus is every string literal of the SQL, adversarial and wire tests, the
demo and the docs' SQL examples that PostgreSQL's grammar accepts (or that
looks like SQL and does not parse), plus hostile statements drawn from the
adversarial grammar with a fixed seed. Each text is recorded with everything
the classifier says about it, without and with the demo catalog, and with what
it does to a session's prepared statements and cursors.

The golden file pins the classification across rewrites of the walk (the
JSON-dict walk was replaced by one over pglast's typed AST this way): a change
to any field of any entry is a change of classification, and must be looked at.

The golden files are JSON Lines, one per risk class of the plain classification
(`read.jsonl`, `write.jsonl`, ...): one text per line with its record, sorted by
text, keys sorted, no spaces. One line per text keeps the diff of a changed
classification to the lines of the texts it affects, a text that changes class
shows as moving between files, and no file grows past what a repository should
hold (the single indented file had reached 2.2 MB).

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

from phigate.ops.demo.ehr import SCHEMA
from phigate.sql import SessionClassifier, StaticCatalog, classify
from phigate.sql.copy_format import copy_csv_statements
from phigate.sql.system_catalog import literal_columns, structure_columns

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden") / "classifications"
_SOURCES = [
    "tests/sql",
    "tests/adversarial",
    "tests/pgwire",
    "tests/test_policy.py",
    "tests/test_exfiltration.py",
    "tests/test_second_guard.py",
    "tests/test_reveal.py",
    "src/phigate/ops/demo",
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
# Where libpg_query's JSON form and pglast's typed AST differ (struct-typed slots,
# omitted defaults, false booleans, NIL list items), each reached at least once.
EDGES = [
    "SELECT JSON_ARRAYAGG(ssn ORDER BY dob) OVER (PARTITION BY city) FROM patients",
    "SELECT JSON_OBJECTAGG(mrn : ssn) OVER (ORDER BY zip) FROM patients",
    "SELECT JSON_ARRAYAGG(ssn) FROM patients",
    "CREATE FOREIGN TABLE ft (a int, b text) SERVER s",
    "CREATE FOREIGN TABLE ft (a int DEFAULT nextval('s')) SERVER s",
    "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO agent",
    "ALTER SYSTEM SET log_statement = 'none'",
    "ALTER ROLE agent SET role = 'admin'",
    "ALTER DATABASE ehr SET search_path = evil, pg_catalog",
    "CALL pg_catalog.pg_sleep(1)",
    "CALL do_things(upper('x'), pg_read_file('/etc/passwd'))",
    "(SELECT ssn FROM patients FOR UPDATE) UNION SELECT mrn FROM patients",
    "SELECT 1 UNION ALL (SELECT * INTO t FROM patients)",
    "WITH w AS (SELECT 1) (SELECT * FROM w) UNION (SELECT ssn FROM patients)",
    "CLOSE ALL",
    "DECLARE c CURSOR FOR SELECT ssn FROM patients; CLOSE ALL; FETCH c",
    "DECLARE c CURSOR FOR SELECT ssn FROM patients; CLOSE c; FETCH c",
    "PREPARE p AS SELECT ssn FROM patients; DEALLOCATE ALL; EXECUTE p",
    "PREPARE p AS SELECT ssn FROM patients; DEALLOCATE p; EXECUTE p",
    "PREPARE p AS SELECT 1; DISCARD ALL; EXECUTE p",
    "PREPARE p AS SELECT 1; DISCARD PLANS; EXECUTE p",
    "SELECT set_config('default_transaction_read_only', false, false)",
    "SELECT set_config('default_transaction_read_only', true, false)",
    "SELECT set_config('search_path', 'x, pg_catalog', false)",
    "SELECT set_config('statement_timeout', 0, false)",
    "SELECT set_config('work_mem', 1.5, false)",
    "SELECT set_config('role', NULL, false)",
    "SET default_transaction_read_only = false",
    "SET default_transaction_read_only = 0",
    "SET default_transaction_read_only TO DEFAULT",
    "SET TRANSACTION READ WRITE",
    "BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE",
    "SELECT DISTINCT ssn, mrn FROM patients",
    "SELECT DISTINCT ON (2) ssn, mrn FROM patients ORDER BY 2, 1",
    "SELECT * FROM ROWS FROM (jsonb_to_record('{}') AS (a text, b int), "
    "generate_series(1, 3)) AS x",
    "SELECT a FROM jsonb_to_recordset((SELECT jsonb_agg(p) FROM patients p)) AS x(a text)",
    "SELECT * FROM XMLTABLE('/r' PASSING (SELECT xmlagg(xmlelement(name s, ssn)) FROM patients) "
    "COLUMNS s text PATH 's')",
    "SELECT * FROM patients TABLESAMPLE BERNOULLI (length(ssn)) REPEATABLE (42)",
    "SELECT * FROM patients NATURAL JOIN encounters",
    "SELECT * FROM patients JOIN encounters USING (id) AS j",
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY dob) FROM patients",
    "SELECT count(*) FILTER (WHERE ssn LIKE '1%') FROM patients",
    "SELECT city, count(*) FROM patients GROUP BY GROUPING SETS ((city), (zip), ())",
    "VALUES (1, 'a'), (2, (SELECT ssn FROM patients LIMIT 1))",
    "INSERT INTO patients (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET ssn = excluded.ssn "
    "RETURNING ssn",
    "MERGE INTO patients p USING encounters e ON p.id = e.patient_id "
    "WHEN MATCHED THEN UPDATE SET city = e.department RETURNING p.ssn",
    "COPY patients (ssn, mrn) TO STDOUT",
    "COPY patients TO STDOUT (FORMAT 'csv')",
    "COPY patients TO STDOUT (DELIMITER '|')",
    "COPY patients TO '/tmp/x'",
    "EXPLAIN (ANALYZE) INSERT INTO patients (id) VALUES (1)",
    "EXPLAIN (ANALYZE 0) DELETE FROM patients",
    "EXPLAIN (ANALYZE no) DELETE FROM patients",
    "SHOW ALL",
    "SHOW search_path",
    "SELECT (p).* FROM (SELECT p FROM patients p) s",
    "SELECT (jsonb_populate_record(NULL::patients, '{}')).*",
    "SELECT x.* FROM patients AS x(a, b)",
    "SELECT substr(ssn, 1, 1)::int, ssn::text, ssn::bytea FROM patients",
    "SELECT ssn OPERATOR(pg_catalog.||) mrn, ssn OPERATOR(public.===) mrn FROM patients",
    "SELECT CASE ssn WHEN '1' THEN mrn END, EXISTS (SELECT 1 FROM encounters) FROM patients",
    "SELECT ssn IS NULL, (ssn = mrn) IS TRUE FROM patients",
    "SELECT row_number() OVER w FROM patients WINDOW w AS (PARTITION BY zip ORDER BY dob)",
    "CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'lib', 'f'",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ DELETE FROM patients RETURNING 1 $$",
    "ALTER TABLE patients ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE patients OWNER TO agent",
    "DROP EXTENSION pgcrypto",
    "DROP POLICY p ON patients",
    "CREATE RULE r AS ON SELECT TO t DO INSTEAD DELETE FROM patients",
    "NOTIFY ch, 'payload'",
    "CREATE TABLE t PARTITION OF patients FOR VALUES FROM (1) TO (10)",
    "CREATE TABLE t (a int) PARTITION BY RANGE (a)",
    'CREATE TABLE t (a text COLLATE "C")',
    'SELECT ssn COLLATE "C" FROM patients ORDER BY 1',
    "SELECT ARRAY[ssn, mrn][1], (ARRAY[ssn])[1:1] FROM patients",
    "SELECT JSON_OBJECT('a' : ssn), JSON_ARRAY(ssn), ssn IS JSON FROM patients",
    "SELECT JSON_VALUE(jsonb_build_object('s', ssn), '$.s') FROM patients",
    "SELECT * FROM JSON_TABLE('{}'::jsonb, '$' COLUMNS (a text PATH '$.a')) AS jt",
    "SELECT xmlserialize(content xmlelement(name a, ssn) AS text) FROM patients",
    "SELECT GROUPING(city) FROM patients GROUP BY ROLLUP (city)",
    "SELECT * FROM patients WHERE id IN (1, 2) AND ssn NOT IN (SELECT mrn FROM patients)",
    "SELECT * FROM patients WHERE ssn BETWEEN 'a' AND 'b' AND ssn SIMILAR TO '1%'",
    "SELECT NULLIF(ssn, mrn), GREATEST(ssn, mrn), ssn IS DISTINCT FROM mrn FROM patients",
    "WITH RECURSIVE r(n, s) AS (SELECT 1, ssn FROM patients UNION ALL SELECT n + 1, s FROM r "
    "WHERE n < 3) SELECT * FROM r",
    "WITH d AS (DELETE FROM patients RETURNING ssn) SELECT * FROM d",
    "SELECT * FROM (SELECT ssn FROM patients) AS s(x), LATERAL (SELECT x) AS l(y)",
    "SELECT current_user, CURRENT_DATE, SESSION_USER",
    "LOCK patients IN ACCESS EXCLUSIVE MODE",
    "SECURITY LABEL ON TABLE patients IS 'x'",
    "COMMENT ON TABLE patients IS 'x'",
    "GRANT SELECT ON patients TO agent",
    "CREATE POLICY p ON patients USING (ssn = current_user)",
    "IMPORT FOREIGN SCHEMA s FROM SERVER srv INTO public",
    "CREATE STATISTICS st ON city, zip FROM patients",
    "ALTER TABLE patients ALTER COLUMN ssn SET DEFAULT pg_read_file('x')",
    "VACUUM (ANALYZE) patients (ssn)",
    "CREATE PUBLICATION pub FOR TABLE patients (ssn) WHERE (id > 1)",
    "SELECT $1::text, $2 FROM patients WHERE id = $3",
    "SELECT 1 FROM patients WHERE CURRENT OF c",
    "UPDATE patients SET ssn = 'x' WHERE CURRENT OF c",
    "UPDATE patients SET (ssn, mrn) = (SELECT mrn, ssn FROM patients LIMIT 1)",
    "SELECT B'0101', X'ff', 1e10, -1, TRUE, FALSE, NULL",
    "SELECT '' AS e, 0 AS z",
]


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
    texts.extend(EDGES)
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


def _line(text: str, entry: dict[str, Any]) -> str:
    """One text and its record on one line, written the same way every time."""
    return json.dumps({"text": text, **entry}, sort_keys=True, separators=(",", ":")) + "\n"


def dump(golden: dict[str, dict[str, Any]], directory: Path = GOLDEN) -> None:
    """Write the records as one JSON Lines file per plain risk class, removing stale ones."""
    by_risk: dict[str, list[str]] = {}
    for text in sorted(golden):
        entry = golden[text]
        by_risk.setdefault(entry["plain"]["risk"], []).append(_line(text, entry))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.jsonl"):
        if stale.stem not in by_risk:
            stale.unlink()
    for risk, lines in by_risk.items():
        (directory / f"{risk}.jsonl").write_text("".join(lines), encoding="utf-8")


def load(directory: Path = GOLDEN) -> dict[str, dict[str, Any]]:
    """The recorded classification of every text, keyed by text."""
    golden: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry: dict[str, Any] = json.loads(line)
            golden[entry.pop("text")] = entry
    return golden


def main() -> None:
    catalog = demo_catalog()
    golden = {text: record(text, catalog) for text in collect()}
    dump(golden)
    print(f"{len(golden)} texts recorded in {GOLDEN.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
