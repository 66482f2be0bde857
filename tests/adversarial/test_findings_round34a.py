"""Round 34a: a promises-only attack on SQL through the REST and wire doors, aimed at
oracles on a masked value that the classifier might not see: whole-row references
(`ORDER BY c` over a derived table or CTE whose first column is `ssn`, `c::text`,
`row_to_json(c)`), `JOIN … USING`/`NATURAL JOIN`, set operations that compare
(`INTERSECT`, `UNION`), `DISTINCT ON`/`GROUP BY` positions behind `*`, row
comparisons, and row counts steered by a masked value through `TABLESAMPLE`
(percent and `REPEATABLE` seed), `LIMIT`/`OFFSET`/`FETCH FIRST` and window frame
offsets; and session changes (temp tables, views and functions, `SET search_path`,
`DISCARD ALL`, `RESET ALL`, `SET ROLE`) that could shadow an approved statement.

Everything held: each oracle waited for a data owner, each session change was denied
or waited. No finding.
"""

from __future__ import annotations

from tests.adversarial.harness import Bench

_ONE = "(SELECT ssn FROM patients WHERE id = 1)"

ORACLES = [
    "WITH c AS (SELECT ssn, id FROM patients) SELECT id FROM c ORDER BY c LIMIT 3",
    "SELECT l.id FROM (SELECT ssn, id FROM patients) l ORDER BY l LIMIT 3",
    "SELECT p.id FROM patients p, LATERAL (SELECT p.ssn AS k) l ORDER BY l LIMIT 3",
    "SELECT c.id FROM (SELECT ssn, id FROM patients) c ORDER BY c::text LIMIT 3",
    "SELECT c.id FROM (SELECT ssn, id FROM patients) c ORDER BY md5(c::text) LIMIT 3",
    "SELECT c.id FROM (SELECT ssn, id FROM patients) c WHERE c > ROW('5', 0)",
    "SELECT id FROM patients p ORDER BY (p).ssn LIMIT 3",
    "SELECT id FROM patients p JOIN (VALUES ('123-45-6789')) v(ssn) USING (ssn)",
    "SELECT count(*) FROM (SELECT ssn FROM patients INTERSECT SELECT '123-45-6789') x",
    "SELECT count(*) FROM (SELECT ssn FROM patients UNION SELECT '123-45-6789') x",
    "SELECT x.id FROM (SELECT DISTINCT ON (6) * FROM patients) x LIMIT 3",
    "SELECT x.id FROM (SELECT * FROM patients GROUP BY 1, 6) x LIMIT 3",
    "SELECT id FROM patients WHERE ROW(ssn) IN (ROW('1'))",
    "SELECT g FROM (SELECT ssn FROM patients) s, unnest(ARRAY[s.ssn]) WITH ORDINALITY u(v, g)"
    " ORDER BY v LIMIT 3",
    "SELECT count(*) FROM claims TABLESAMPLE BERNOULLI"
    f" (CASE WHEN {_ONE} > '5' THEN 100 ELSE 0 END)",
    f"SELECT count(*) FROM claims TABLESAMPLE BERNOULLI (50) REPEATABLE (ascii({_ONE}))",
    "SELECT count(*) FROM patients p, claims c TABLESAMPLE BERNOULLI"
    " (CASE WHEN p.ssn > '5' THEN 100 ELSE 0 END)",
    f"SELECT id FROM claims LIMIT length({_ONE})",
    f"SELECT id FROM claims OFFSET length({_ONE})",
    f"SELECT id FROM claims FETCH FIRST length({_ONE}) ROWS ONLY",
    "SELECT count(*) OVER (ORDER BY id ROWS BETWEEN"
    f" length({_ONE}) PRECEDING AND CURRENT ROW) FROM claims",
]


def test_oracles_on_a_masked_value_wait(bench: Bench) -> None:
    for sql in ORACLES:
        assert bench.rest(sql).status in ("approval", "denied"), sql


def test_session_changes_that_could_shadow_are_held(bench: Bench) -> None:
    for sql in (
        "CREATE TEMP TABLE claims (id int, member_id text)",
        "CREATE TEMP VIEW claims AS SELECT id FROM patients",
        "CREATE FUNCTION pg_temp.f(text) RETURNS text LANGUAGE sql AS 'SELECT $1'",
        "SET search_path = pg_temp, public",
        "DISCARD ALL",
        "RESET ALL",
        "SET ROLE NONE",
    ):
        assert bench.wire([sql], simple=True).status in ("approval", "denied"), sql
