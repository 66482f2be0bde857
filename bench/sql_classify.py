"""Statements per second for `phigate.sql.classify`, short and long, cold and cached.

Run: .venv/bin/python bench/sql_classify.py
"Cold" defeats the result cache with a unique comment per call, so every call
parses and walks; "cached" repeats the same text, as a connection pool does.
The peer is libpg_query's parse alone (`pglast.parse_sql`): the ratio says what
the full classification (walk, functions, lineage) costs on top of parsing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pglast

from phigate.sql import StaticCatalog, classify

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
