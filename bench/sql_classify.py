"""Statements per second for `phigate.sql.classify`, short and long, cold and cached.

Run: .venv/bin/python bench/sql_classify.py
"Cold" defeats the result cache with a unique comment per call, so every call
parses and walks; "cached" repeats the same text, as a connection pool does.
The peer is libpg_query's parse alone (`pglast.parse_sql`): the ratio says what
the full classification (walk, functions, lineage) costs on top of parsing.

The last block is CPU time per statement (`time.process_time`, best of 5) over a
mix of statements, on the three paths a statement takes in the gateway: first
sight of a text (parse and walk), a text seen before on a wire session or with a
catalog (the parse is cached by text, the walk runs: `SessionClassifier`,
`classify(..., catalog=...)`), and the result cache (`classify` without catalog).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pglast

from phigate.sql import SessionClassifier, StaticCatalog, classify

SHORT = [
    "SELECT 1",
    "SELECT id, name FROM patients WHERE id = $1",
    "UPDATE patients SET age = age + 1 WHERE id = 7",
    "SELECT p.name, count(*) FROM patients p JOIN visits v ON v.patient_id = p.id "
    "GROUP BY p.name ORDER BY 2 DESC LIMIT 10",
    "INSERT INTO visits (patient_id, note) VALUES (1, 'checkup') RETURNING id",
]
LONG = (
    "WITH recent AS (SELECT patient_id, max(seen_at) AS last FROM visits GROUP BY patient_id), "
    + ", ".join(
        f"c{i} AS (SELECT p.id, upper(p.name) AS n{i}, coalesce(r.last, now()) AS l{i} "
        f"FROM patients p LEFT JOIN recent r ON r.patient_id = p.id WHERE p.age > {i})"
        for i in range(20)
    )
    + " SELECT * FROM c0 "
    + " ".join(f"UNION ALL SELECT * FROM c{i}" for i in range(1, 20))
)
CATALOG = StaticCatalog(
    {
        "public.patients": ["id", "name", "ssn", "dob", "age"],
        "public.visits": ["id", "patient_id", "note", "seen_at"],
    }
)


def rate(
    label: str, texts: list[str], call: Callable[[str], object], seconds: float = 1.0
) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts:
            call(text)
        count += len(texts)
    elapsed = time.perf_counter() - start
    print(
        f"{label:<34} {count / elapsed:>10,.0f} statements/s  {elapsed / count * 1e6:>8.1f} µs each"
    )
    return count / elapsed


MIX = [
    *SHORT,
    "SELECT p.first_name, e.diagnosis_code FROM patients p "
    "JOIN encounters e ON e.patient_id = p.id WHERE p.zip LIKE '02%' ORDER BY e.encounter_date",
    "WITH t AS (SELECT patient_id, count(*) AS n FROM visits GROUP BY 1) "
    "SELECT name, n FROM patients JOIN t ON t.patient_id = patients.id WHERE n > 3",
    "SELECT id FROM patients WHERE EXISTS "
    "(SELECT 1 FROM visits v WHERE v.patient_id = patients.id)",
    "SELECT json_agg(p) FROM (SELECT id, upper(name) AS n FROM patients) p",
    "DELETE FROM visits WHERE seen_at < now() - interval '1 year' RETURNING id",
    "SET application_name = 'agent'",
    "BEGIN READ ONLY",
    "COPY (SELECT id, name FROM patients) TO STDOUT (FORMAT csv, HEADER)",
    "EXPLAIN ANALYZE SELECT * FROM patients WHERE age > 40",
    "SELECT CASE WHEN age > 65 THEN 'senior' ELSE 'adult' END, count(*) "
    "FROM patients GROUP BY 1 HAVING count(*) > 1",
]


def cpu_per_statement(call: Callable[[str], object], texts: list[str], rounds: int) -> float:
    """CPU µs per statement, the best of five runs of `rounds` passes over `texts`."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(rounds):
            for text in texts:
                call(text)
        best = min(best, time.process_time() - start)
    return best / (rounds * len(texts)) * 1e6


def mix() -> None:
    counter = iter(range(10**12))
    session = SessionClassifier(catalog=CATALOG)
    paths: list[tuple[str, Callable[[str], object]]] = [
        ("first sight (parse + walk)", lambda sql: classify(f"/* {next(counter)} */ {sql}")),
        ("parse cached, walk (wire, catalog)", session.classify),
        ("result cached", classify),
    ]
    print(f"mix of {len(MIX)} statements, CPU per statement (best of 5):")
    for label, call in paths:
        print(f"  {label:<36} {cpu_per_statement(call, MIX, 200):>8.1f} µs")


def main() -> None:
    counter = iter(range(10**12))

    def cold(sql: str) -> object:
        return classify(f"/* {next(counter)} */ {sql}", catalog=CATALOG)

    def parse_only(sql: str) -> object:
        return pglast.parse_sql(f"/* {next(counter)} */ {sql}")

    print(f"long statement: {len(LONG)} characters")
    short_parse = rate("short, pglast parse only (peer)", SHORT, parse_only)
    short_cold = rate("short, cold (parse + walk)", SHORT, cold)
    rate("short, cached", SHORT, classify)
    long_parse = rate("long, pglast parse only (peer)", [LONG], parse_only)
    long_cold = rate("long, cold (parse + walk)", [LONG], cold)
    rate("long, cached", [LONG], classify)
    print(
        f"classify / parse throughput: short {short_cold / short_parse:.2f}, "
        f"long {long_cold / long_parse:.2f}"
    )


if __name__ == "__main__":
    main()
    mix()
