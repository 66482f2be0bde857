"""Differential test: what a statement really does on PostgreSQL is never more than its class.

Each sampled catalogue statement runs inside a transaction (rolled back after)
on a scratch database with an event trigger logging DDL, checksums of every
table and sequence, and a look at the locks and the session identity. The
most severe effect seen must not exceed the class the gateway gave.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from phigate.core.risk import RiskClass
from phigate.sql import classify

from .catalogue import CATALOGUE, Case

SCRATCH_SCHEMA = """
CREATE TABLE patients (id serial PRIMARY KEY, name text, ssn text, dob date, age int, city text);
CREATE TABLE visits (id serial PRIMARY KEY, patient_id int, note text);
CREATE TABLE docs (data jsonb);
INSERT INTO patients (name, ssn, dob, age, city)
  VALUES ('Ann', '123-45-6789', '1970-01-01', 55, 'Oslo'),
         ('Bob', '987-65-4321', '1990-05-05', 35, 'Rome');
INSERT INTO visits (patient_id, note) VALUES (1, 'flu'), (2, 'checkup');
INSERT INTO docs VALUES ('{"k": "v", "a": [1]}');
CREATE TABLE ddl_log (tag text);
CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO ddl_log SELECT command_tag FROM pg_event_trigger_ddl_commands(); END $$;
CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION log_ddl();
CREATE FUNCTION log_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO ddl_log VALUES (tg_tag); END $$;
CREATE EVENT TRIGGER log_drop ON sql_drop EXECUTE FUNCTION log_drop();
CREATE SCHEMA harness;
-- Every table's and sequence's content, large objects, and the locks this session holds.
-- RowExclusiveLock alone is what planning a write takes (plain EXPLAIN); writes
-- themselves show in the checksums.
CREATE FUNCTION harness.state() RETURNS text LANGUAGE plpgsql AS $$
DECLARE r record; acc text := ''; part text;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S', 'm')
             AND c.relname <> 'ddl_log' ORDER BY c.relname LOOP
    IF r.relkind = 'S' THEN
      EXECUTE format('SELECT last_value::text || is_called::text FROM public.%I', r.relname)
        INTO part;
    ELSE
      EXECUTE format('SELECT md5(coalesce(string_agg(t::text, '','' ORDER BY t::text), ''''))'
                     ' FROM public.%I t', r.relname) INTO part;
    END IF;
    acc := acc || r.relname || '=' || part || ';';
  END LOOP;
  acc := acc || (SELECT count(*) FROM pg_largeobject_metadata)::text || ';';
  RETURN acc || (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()
     AND (locktype = 'advisory' OR (locktype = 'relation'
          AND mode NOT IN ('AccessShareLock', 'RowExclusiveLock')
          AND relation IN (SELECT oid FROM pg_class
                           WHERE relnamespace = 'public'::regnamespace))))::text;
END $$;
DELETE FROM ddl_log;
"""

STATE = "SELECT harness.state()"
IDENTITY = (
    "SELECT current_user::text, session_user::text, (SELECT md5(string_agg("
    "rolname || rolsuper::text, ',' ORDER BY rolname)) FROM pg_roles)"
)

_PRIVILEGE_TAGS = frozenset(
    {"GRANT", "REVOKE", "CREATE POLICY", "ALTER POLICY", "ALTER DEFAULT PRIVILEGES"}
)
SAMPLE = [c for c in CATALOGUE if c.run]


@pytest.fixture(scope="module")
def scratch(sql_pg_uri: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(sql_pg_uri, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS sql_scratch")
        admin.execute("CREATE DATABASE sql_scratch")
    uri = sql_pg_uri.replace("/postgres?", "/sql_scratch?") if "/postgres?" in sql_pg_uri else None
    conn = psycopg.connect(uri or sql_pg_uri, dbname="sql_scratch", autocommit=True)
    conn.execute(SCRATCH_SCHEMA)
    conn.autocommit = False
    yield conn
    conn.close()


def observe(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> RiskClass:
    """Run `sql` in a rolled-back transaction; the most severe effect actually seen."""
    before, who = conn.execute(STATE).fetchone(), conn.execute(IDENTITY).fetchone()
    conn.execute("SAVEPOINT case_start")
    try:
        _run(conn, sql)
    except psycopg.Error:
        conn.execute("ROLLBACK TO SAVEPOINT case_start")  # failed: nothing happened
    tags = [str(t) for (t,) in conn.execute("SELECT tag FROM ddl_log").fetchall()]
    seen = [RiskClass.READ]
    if conn.execute(STATE).fetchone() != before:
        seen.append(RiskClass.WRITE)
    if conn.execute(IDENTITY).fetchone() != who:
        seen.append(RiskClass.PRIVILEGE)
    seen += [RiskClass.PRIVILEGE if t in _PRIVILEGE_TAGS else RiskClass.DDL for t in tags]
    conn.rollback()
    conn.execute("DEALLOCATE ALL")
    conn.execute("SELECT pg_advisory_unlock_all()")
    conn.commit()
    return max(seen)


def _run(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> None:
    if classify(sql).statements[0].kind == "COPY":
        with conn.cursor() as cur, cur.copy(sql.encode()) as copy:
            for _ in copy:
                pass
        return
    conn.execute(sql.encode())  # bytes: no placeholder parsing, simple protocol


def test_the_sample_is_broad() -> None:
    assert len(SAMPLE) >= 100
    assert {c.risk for c in SAMPLE} >= {RiskClass.READ, RiskClass.WRITE, RiskClass.DDL}


@pytest.mark.parametrize("case", SAMPLE, ids=[c.sql[:50] for c in SAMPLE])
def test_effects_never_exceed_the_class(
    scratch: psycopg.Connection[tuple[object, ...]], case: Case
) -> None:
    observed = observe(scratch, case.sql)
    assert observed <= classify(case.sql).risk, f"{case.sql!r} did {observed}"


@pytest.mark.parametrize(
    ("sql", "effect"),
    [
        ("DELETE FROM visits WHERE id = 1", RiskClass.WRITE),
        ("SELECT nextval('patients_id_seq')", RiskClass.WRITE),
        ("SELECT * FROM patients FOR UPDATE", RiskClass.WRITE),
        ("CREATE TABLE t_probe (id int)", RiskClass.DDL),
        ("GRANT SELECT ON patients TO PUBLIC", RiskClass.PRIVILEGE),
        ("SELECT 'DROP TABLE patients'", RiskClass.READ),
    ],
)
def test_the_harness_sees_effects(
    scratch: psycopg.Connection[tuple[object, ...]], sql: str, effect: RiskClass
) -> None:
    assert observe(scratch, sql) is effect
