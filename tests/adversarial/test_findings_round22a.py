"""Round 22a: a promises-only attack on what changed this hour (a REST read's allow
reused for the caller's next identical read) and the MCP door.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.harness import finding
from tests.conftest import Harness


@pytest.fixture
def dba(pg_server: EmbeddedPostgres, ehr_dsn: str) -> str:
    """The EHR database's owner DSN: a DBA's changes, made outside the gateway."""
    return pg_server.dsn(str(conninfo_to_dict(ehr_dsn)["dbname"]))


def _upstream(dsn: str, sql: str) -> None:
    """A DBA's change made directly on the upstream, outside the gateway."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


_DROP = (
    "DO $$ BEGIN EXECUTE (SELECT CASE relkind WHEN 'v' THEN 'DROP VIEW ' ELSE 'DROP TABLE ' END "
    "|| 'r22a_codes' FROM pg_class WHERE relname = 'r22a_codes'); "
    "EXCEPTION WHEN OTHERS THEN NULL; END $$"
)


def _last_names(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {str(r[0]) for r in conn.execute("SELECT last_name FROM patients").fetchall()}


@finding(1, "a reused REST allow outlives the catalog: a table re-made as a view of PHI")
async def test_a_reused_rest_allow_follows_a_table_remade_as_a_view(
    harness: Harness, ehr_dsn: str, dba: str
) -> None:
    """docs/rest.md: the allow is reused only while it "provably still holds, as on the
    wire"; docs/security.md bounds a table re-created as a view to the catalog's 60
    seconds. Here the catalog has reloaded (a new relation named) and knows the view, yet
    the caller's next identical read runs under the old lineage: a plain table's
    `status`, shown whole, which is now `patients.last_name`."""
    _upstream(dba, _DROP)
    _upstream(dba, "DROP TABLE IF EXISTS r22a_fresh")
    _upstream(dba, "CREATE TABLE r22a_codes (id int, status text)")
    _upstream(dba, "INSERT INTO r22a_codes VALUES (1, 'open')")
    _upstream(dba, "GRANT SELECT ON r22a_codes TO PUBLIC")
    try:
        text = "SELECT id, status FROM r22a_codes"
        first = await harness.submit("claims-bot", text)
        assert first.status_code == 200, first.text
        assert "open" in first.text, first.text
        _upstream(
            dba,
            "DROP TABLE r22a_codes; CREATE VIEW r22a_codes AS "
            "SELECT id, last_name AS status FROM patients; "
            "GRANT SELECT ON r22a_codes TO PUBLIC",
        )
        # Any statement naming a relation the catalog does not know reloads it at once.
        _upstream(dba, "CREATE TABLE r22a_fresh (id int); GRANT SELECT ON r22a_fresh TO PUBLIC")
        fresh = await harness.submit("claims-bot", "SELECT id FROM r22a_fresh")
        assert fresh.status_code == 200, fresh.text
        # Another caller, decided afresh, sees the view's column masked.
        other = await harness.submit("dana", text)
        again = await harness.submit("claims-bot", text)
        assert other.status_code == again.status_code == 200, (other.text, again.text)
        names = _last_names(ehr_dsn)
        masked = {str(row[1]) for row in other.json()["result"]["rows"]}
        assert masked and not masked & names, other.text[:300]  # the view is followed
        shown = {str(row[1]) for row in again.json()["result"]["rows"]}
        assert not shown & names, again.text[:300]
    finally:
        _upstream(dba, _DROP)
        _upstream(dba, "DROP TABLE IF EXISTS r22a_fresh")
